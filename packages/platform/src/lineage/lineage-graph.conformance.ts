import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { readProductFolder } from "../registry/product-folder.js";
import type { ProductFile } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { examplesDir } from "../test-fixtures.js";
import { recordPipelineLineage } from "./lineage-service.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const climate = (name: string) => readProductFolder(join(examplesDir, "climate", name));
const readingsColumn = "column:climate.weather-station-readings/readings/readings.temperature_c";
const meanColumn = "column:climate.temperature/daily-temperature/daily_temperature.mean_temperature_c";

/**
 * GET /api/lineage (ADR 0033) on one store, through the real app: the climate mesh published out
 * of order, a pipeline run's column lineage, an agreement, and a new version dropping an input.
 */
export function lineageGraphConformance(name: string, target: StoreTarget): void {
  describe(`the lineage graph on ${name}`, () => {
    let db: Database;
    let registry: Registry;
    let app: OpenAPIHono;
    const errors: unknown[] = [];
    let signedIn: Record<string, string>;
    const publish = async (files: ProductFile[]) =>
      registry.publish({
        files: files.filter((f) => !f.path.endsWith(".parquet") && !f.path.startsWith("data/")),
        publishedBy: "quanta-demo",
      });

    beforeAll(async () => {
      db = await target.open();
      registry = new Registry(db);
      // The reader before what it reads: its edges come when the upstream is published.
      for (const p of ["physical-risk", "weather-station-readings", "temperature", "precipitation", "sea-level"])
        await publish(await climate(p));
      const identity = new IdentityStore(db);
      app = createApp({ registry, identity, logError: (e) => errors.push(e) });
      signedIn = (await testIdentity(identity)).headers;
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      expect(errors).toEqual([]);
    });

    const get = async (query: Record<string, string>, headers = signedIn) => {
      const res = await app.request(`/api/lineage?${new URLSearchParams(query)}`, { headers });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const graph = async (query: Record<string, string>) => {
      const res = await get(query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    const ids = (g: Json) => g.nodes.map((n: Json) => n.id);

    /** The readings at 2.0.0: `temperature_c` renamed, announced in time. */
    const readingsV2 = async () =>
      (await climate("weather-station-readings")).map((f) => {
        if (f.path.endsWith(".odps.yaml"))
          return {
            ...f,
            text: f.text.replace(/^version: 1\.2\.0$/m, "version: 2.0.0").replace(/version: 1\.2\.0/, "version: 2.0.0"),
          };
        if (f.path.endsWith("readings.odcs.yaml"))
          return {
            ...f,
            text: f.text
              .replace(/^version: 1\.2\.0$/m, "version: 2.0.0")
              .replaceAll("temperature_c", "air_temperature_c")
              .concat('customProperties:\n  - property: breakingChangeAnnounced\n    value: "2026-01-05"\n'),
          };
        return f;
      });

    it("walks the declared ports from a source product down to what is built from it", async () => {
      const g = await graph({ node: "climate.weather-station-readings", direction: "downstream", depth: "4" });
      expect(g.node).toBe("product:climate.weather-station-readings");
      expect(g.truncated).toBe(false);
      const depthOf = (id: string) => g.nodes.find((n: Json) => n.id === id)?.depth;
      expect(depthOf("port:climate.weather-station-readings/readings")).toBe(1);
      for (const p of ["temperature", "precipitation", "sea-level"]) expect(depthOf(`product:climate.${p}`)).toBe(2);
      expect(depthOf("port:climate.temperature/daily-temperature")).toBe(3);
      // Published before its inputs, and still found: the inputs' publish drew its edges. Two hops
      // through the stations it reads itself, and from the daily products too.
      expect(depthOf("product:climate.physical-risk")).toBe(2);
      for (const p of ["temperature/daily-temperature", "sea-level/daily-sea-level"])
        expect(
          g.edges.some((e: Json) => e.from === `port:climate.${p}` && e.to === "product:climate.physical-risk"),
        ).toBe(true);
      const edge = g.edges.find((e: Json) => e.to === "product:climate.temperature" && e.from.endsWith("/readings"));
      expect(edge).toMatchObject({
        origin: "declared",
        details: { inputPort: "readings", contractId: "climate.weather-station-readings.readings" },
      });
      expect(Date.parse(edge.lastSeen)).toBeGreaterThan(Date.parse("2026-01-01"));
    });

    it("walks upstream from a port, and stops at the depth asked", async () => {
      const g = await graph({ node: "climate.physical-risk.regional-risk-scores", direction: "upstream", depth: "2" });
      expect(g.node).toBe("port:climate.physical-risk/regional-risk-scores");
      expect(ids(g)).toEqual(
        expect.arrayContaining(["product:climate.physical-risk", "port:climate.temperature/daily-temperature"]),
      );
      expect(ids(g)).not.toContain("product:climate.temperature");
      expect(Math.max(...g.nodes.map((n: Json) => n.depth))).toBe(2);
    });

    it("follows a run's column lineage from a column down to the columns derived from it", async () => {
      await recordPipelineLineage(
        db,
        "climate.temperature",
        1,
        [{ port: "daily-temperature", dataset: "daily_temperature", published: true }],
        {
          "daily-temperature": {
            columns: [
              {
                name: "mean_temperature_c",
                sources: [
                  {
                    table: "readings",
                    column: "temperature_c",
                    transformations: [{ type: "DIRECT", subtype: "AGGREGATION" }],
                  },
                ],
              },
            ],
            dataset: [
              {
                table: "readings",
                column: "quality_flag",
                transformations: [{ type: "INDIRECT", subtype: "FILTER" }],
              },
            ],
            issues: [],
          },
        } as never,
        {
          "daily-temperature": {
            readings: { product: "climate.weather-station-readings", port: "readings", dataset: "readings" },
          },
        },
      );
      const down = await graph({ node: "climate.weather-station-readings.readings.temperature_c", depth: "1" });
      expect(down.node).toBe(readingsColumn);
      const edge = down.edges.find((e: Json) => e.to === meanColumn && e.origin === "pipeline");
      expect(edge).toMatchObject({
        origin: "pipeline",
        details: { job: "quanta/climate.temperature.pipeline", transformations: [{ subtype: "AGGREGATION" }] },
      });
      const up = await graph({ node: meanColumn, direction: "upstream", depth: "1" });
      const fromRun = up.edges.filter((e: Json) => e.origin === "pipeline").map((e: Json) => e.from);
      expect(fromRun.sort()).toEqual(
        [readingsColumn, "column:climate.weather-station-readings/readings/readings.quality_flag"].sort(),
      );
      expect(
        up.edges.find((e: Json) => e.origin === "pipeline" && e.from.endsWith("quality_flag"))?.details.indirect,
      ).toBe(true);
    });

    it("knows a product's columns from its pipeline's SQL at publish, before any run", async () => {
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pipeline_runs");
      expect(rows[0]?.n).toBe(0);
      const g = await graph({ node: readingsColumn, depth: "5" });
      const declared = g.edges.filter((e: Json) => e.origin === "declared");
      const mean = declared.find((e: Json) => e.from === readingsColumn && e.to === meanColumn);
      expect(mean?.details.transformations.map((t: Json) => t.subtype)).toContain("AGGREGATION");
      // physical-risk was published before its inputs: their publish drew its column edges too.
      expect(ids(g)).toContain("column:climate.physical-risk/regional-risk-scores/regional_risk_scores.risk_score");
      expect(ids(g)).toContain("column:climate.physical-risk/asset-risk-scores/asset_risk_scores.risk_score");
      // The readings' temperature filters the hourly rows, so it decides every daily column;
      // asked for where values come from only, the station ids are not among them.
      const stationId = "column:climate.temperature/daily-temperature/daily_temperature.station_id";
      expect(ids(g)).toContain(stationId);
      const direct = await graph({ node: readingsColumn, depth: "5", direct: "true" });
      expect(ids(direct)).not.toContain(stationId);
      expect(ids(direct)).toContain(meanColumn);
      expect(ids(direct)).toContain(
        "column:climate.physical-risk/regional-risk-scores/regional_risk_scores.risk_score",
      );
      expect(
        direct.edges.every((e: Json) => e.details.indirect !== true || JSON.stringify(e.details).includes("DIRECT")),
      ).toBe(true);
    });

    it("shows who reads a port once their agreement is active, and not before", async () => {
      const identity = new IdentityStore(db);
      const consumer = await testIdentity(identity, { teams: [{ team: "insurance-pricing", role: "owner" }] });
      const { rows } = await db.query<{ team_id: string }>(
        "SELECT team_id FROM data_products WHERE id = 'climate.temperature'",
      );
      const owner = await testIdentity(identity, { teams: [{ team: rows[0]?.team_id as string, role: "owner" }] });
      const res = await app.request("/api/access-requests", {
        method: "POST",
        headers: { ...consumer.headers, "content-type": "application/json" },
        body: JSON.stringify({
          productId: "climate.temperature",
          port: "daily-temperature",
          consumerTeam: "insurance-pricing",
          purpose: "Price heat-stress cover",
        }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const request = (await res.json()) as Json;
      const reads = async () =>
        (await graph({ node: "climate.temperature.daily-temperature", depth: "1" })).edges.filter(
          (e: Json) => e.origin === "agreement",
        );
      // The port asks its owner: nothing is read until they approve.
      expect(request.state).toBe("requested");
      {
        expect(await reads()).toEqual([]);
        const approved = await app.request(`/api/access-requests/${request.id}/approve`, {
          method: "POST",
          headers: { ...owner.headers, "content-type": "application/json" },
          body: "{}",
        });
        expect(approved.status, await approved.clone().text()).toBe(200);
      }
      const [edge] = await reads();
      expect(edge).toMatchObject({
        from: "port:climate.temperature/daily-temperature",
        to: "team:insurance-pricing",
        details: { agreement: request.id, purpose: "Price heat-stress cover", state: "active" },
      });
      const up = await graph({ node: "team:insurance-pricing", direction: "upstream", depth: "2" });
      expect(ids(up)).toEqual(
        expect.arrayContaining(["port:climate.temperature/daily-temperature", "product:climate.temperature"]),
      );
    });

    it("tells everyone downstream of a breaking change, through the graph, when it is published", async () => {
      const files = await readingsV2();
      await publish(files);
      const { rows } = await db.query<{ payload: Json }>(
        "SELECT payload FROM events WHERE type = 'contract.breaking-change.downstream' ORDER BY id",
      );
      expect(rows).toHaveLength(1);
      const notice = rows[0]?.payload as Json;
      expect(notice).toMatchObject({
        productId: "climate.weather-station-readings",
        contractId: "climate.weather-station-readings.readings",
        version: "2.0.0",
        previousVersion: "1.2.0",
      });
      // The renamed column's downstream only: temperatures and the risk scores, not precipitation.
      expect(notice.products).toEqual(expect.arrayContaining(["climate.temperature", "climate.physical-risk"]));
      expect(notice.products).not.toContain("climate.precipitation");
      expect(notice.columns).toContain("climate.temperature.daily-temperature.daily_temperature.mean_temperature_c");
      expect(notice.columns).toContain("climate.physical-risk.regional-risk-scores.regional_risk_scores.risk_score");
      const teams = (
        await db.query<{ team_id: string }>(
          "SELECT DISTINCT team_id FROM data_products WHERE id IN ('climate.temperature', 'climate.physical-risk')",
        )
      ).rows.map((r) => r.team_id);
      expect(notice.teams).toEqual(expect.arrayContaining([...teams, "insurance-pricing"]));
    });

    it("drops the edge of an input a new version no longer reads", async () => {
      const before = await graph({ node: "climate.sea-level", direction: "upstream", depth: "1" });
      expect(ids(before)).toContain("port:climate.weather-station-readings/stations");
      const files = (await climate("sea-level"))
        .filter((f) => !f.path.endsWith("pipeline.yaml"))
        .map((f) => {
          if (!f.path.endsWith(".odps.yaml")) return f;
          const cut = f.text
            .replace(/^version: .*$/m, "version: 9.0.0")
            .replace(/\n {2}- name: stations\n(?: {4}.*\n)+/, "\n")
            .replace(/ {6}- id: climate\.weather-station-readings\.stations\n {8}version: .*\n/, "");
          expect(cut).not.toBe(f.text);
          return { ...f, text: cut };
        });
      await publish(files);
      const after = await graph({ node: "climate.sea-level", direction: "upstream", depth: "1" });
      expect(ids(after)).not.toContain("port:climate.weather-station-readings/stations");
      expect(ids(after)).toContain("port:climate.weather-station-readings/readings");
    });

    it("tells the readers of an output port a new version drops, and drops their edges from it", async () => {
      const stations = "port:climate.weather-station-readings/stations";
      expect(ids(await graph({ node: "climate.physical-risk", direction: "upstream", depth: "1" }))).toContain(
        stations,
      );
      const files = (await readingsV2())
        .filter((f) => !f.path.endsWith("stations.odcs.yaml"))
        .map((f) =>
          f.path.endsWith(".odps.yaml")
            ? {
                ...f,
                text: f.text
                  .replace(/^version: 2\.0\.0$/m, "version: 3.0.0")
                  .replace(/\n {2}- name: stations\n(?: {4}.*\n)+/, "\n"),
              }
            : f,
        );
      await publish(files);
      const { rows } = await db.query<{ payload: Json }>(
        "SELECT payload FROM events WHERE type = 'contract.breaking-change.downstream' AND payload ? 'removedPort'",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]?.payload).toMatchObject({
        removedPort: "stations",
        contractId: "climate.weather-station-readings.stations",
        truncated: false,
      });
      expect(rows[0]?.payload.products).toEqual(
        expect.arrayContaining(["climate.temperature", "climate.precipitation", "climate.physical-risk"]),
      );
      const after = await graph({ node: "climate.physical-risk", direction: "upstream", depth: "1" });
      expect(ids(after)).not.toContain(stations);
      const left = await db.query("SELECT 1 FROM lineage_edges WHERE from_node LIKE $1", [`${stations}%`]);
      expect(left.rows).toEqual([]);
    });

    it("draws the edges of products published before the graph existed, even after a later publish", async () => {
      // A store upgraded from before the graph: no edges, no backfill yet; then one product is published.
      await db.query("DELETE FROM lineage_edges");
      await db.query("DELETE FROM lineage_backfills");
      const files = (await climate("precipitation")).map((f) =>
        f.path.endsWith(".odps.yaml") ? { ...f, text: f.text.replace(/^version: .*$/m, "version: 1.9.0") } : f,
      );
      await publish(files);
      const g = await graph({ node: "climate.temperature", direction: "upstream", depth: "1" });
      expect(ids(g)).toContain("port:climate.weather-station-readings/readings");
      const again = await graph({ node: "climate.temperature", direction: "upstream", depth: "1" });
      expect(again.edges).toEqual(g.edges);
    });

    it("refuses a malformed question with the reason, and answers only the signed-in", async () => {
      expect((await get({ node: "climate.temperature" }, {})).status).toBe(401);
      for (const [query, status, message] of [
        [{ node: "climate.temperature", depth: "0" }, 400, ""],
        [{ node: "climate.temperature", depth: "11" }, 400, ""],
        [{ node: "climate.temperature", direction: "sideways" }, 400, ""],
        [{ node: "climate.temperature", direct: "yes" }, 400, ""],
        [{ node: "climate temperature; DROP TABLE x" }, 400, "is no node"],
        [{ node: "widget:x" }, 400, "no lineage node name"],
        [{ node: "climate.nowhere" }, 404, "no data product"],
        [{ node: "climate.temperature.no-such-port" }, 404, 'no output port "no-such-port"'],
        [{ node: "climate.temperature.daily-temperature.no_such_column" }, 404, 'no column "no_such_column"'],
        [{ node: "product:climate.nowhere" }, 404, "no data product"],
      ] as const) {
        const res = await get(query);
        expect(res.status, JSON.stringify([query, res.body])).toBe(status);
        if (message) expect(res.body.error?.message).toContain(message);
      }
    });
  });
}
