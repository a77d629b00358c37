import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { readProductFolder } from "../registry/product-folder.js";
import { type ProductFile, readPublishFolder } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { examplesDir } from "../test-fixtures.js";
import { declaredColumnLineage } from "./declared-columns.js";
import { impactOf } from "./impact.js";
import { LineageStore } from "./lineage-store.js";
import { nodeId } from "./node-id.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const metadata = (files: ProductFile[]) =>
  files.filter((f) => !f.path.endsWith(".parquet") && !f.path.startsWith("data/"));
const climate = async (name: string) => metadata(await readProductFolder(join(examplesDir, "climate", name)));
const readings = { product: "climate.weather-station-readings", port: "readings" };

/**
 * The column edges the climate pipelines' SQL declares, stored as a run would store them: the
 * real column lineage of the demo, without running the pipelines.
 */
async function storeDemoColumnLineage(db: Database): Promise<void> {
  const store = new LineageStore(db);
  for (const p of ["temperature", "precipitation", "sea-level", "physical-risk"]) {
    const productId = `climate.${p}`;
    const found = await declaredColumnLineage(db, readPublishFolder(await climate(p)));
    const edges = found.flatMap((c) =>
      c.sources.map((s) => ({
        from: nodeId({ kind: "column", product: s.product, port: s.port, dataset: s.dataset, column: s.column }),
        to: nodeId({ kind: "column", product: productId, port: c.port, dataset: c.dataset, column: c.column }),
        origin: "pipeline" as const,
        details: { job: `quanta/${productId}.pipeline`, transformations: s.transformations },
      })),
    );
    const unique = new Map(edges.map((e) => [`${e.from} ${e.to}`, e]));
    await store.upsert([...unique.values()]);
  }
}

/**
 * Impact analysis (issue 16) on PGlite: the climate mesh published, its pipelines' column lineage
 * stored, an agreement on the daily temperature; impactOf directly and through POST /api/lineage/impact.
 */
describe("impact of a change, downstream through the lineage graph", () => {
  let db: Database;
  let app: OpenAPIHono;
  let signedIn: Record<string, string>;
  let analytics: string;
  const errors: unknown[] = [];

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    const registry = new Registry(db);
    for (const p of ["weather-station-readings", "temperature", "precipitation", "sea-level", "physical-risk"])
      await registry.publish({ files: await climate(p), publishedBy: "quanta-demo" });
    await storeDemoColumnLineage(db);
    const identity = new IdentityStore(db);
    app = createApp({ registry, identity, logError: (e) => errors.push(e) });
    signedIn = (await testIdentity(identity)).headers;
    const { rows } = await db.query<{ team_id: string }>(
      "SELECT team_id FROM data_products WHERE id = 'climate.temperature'",
    );
    analytics = rows[0]?.team_id as string;
    // An agreement on the daily temperature, through the API as a consumer asks for it.
    const consumer = await testIdentity(identity, {
      username: "ines@insurer.example",
      teams: [{ team: "insurance-pricing", role: "owner" }],
    });
    const owner = await testIdentity(identity, { teams: [{ team: analytics, role: "owner" }] });
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
    if (request.state === "requested") {
      const approved = await app.request(`/api/access-requests/${request.id}/approve`, {
        method: "POST",
        headers: { ...owner.headers, "content-type": "application/json" },
        body: "{}",
      });
      expect(approved.status, await approved.clone().text()).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    expect(errors).toEqual([]);
  });

  it("names the products, columns and teams a change to readings.temperature_c would hurt", async () => {
    const impact = await impactOf(db, [{ ...readings, column: "temperature_c" }]);
    expect(impact.targets).toEqual(["column:climate.weather-station-readings/readings/readings.temperature_c"]);
    expect(impact.products.map((p) => [p.id, p.depth])).toEqual([
      ["climate.temperature", 1],
      ["climate.physical-risk", 2],
    ]);
    const temperature = impact.products[0];
    expect(temperature?.team).toBe(analytics);
    expect(temperature?.owners).toContain("amara.okafor@climate-quantum.example");
    expect(temperature?.name).toBeTruthy();
    const mean = impact.columns.find((c) => c.product === "climate.temperature" && c.column === "mean_temperature_c");
    expect(mean).toMatchObject({ port: "daily-temperature", dataset: "daily_temperature", depth: 1 });
    expect(mean?.transformations).toContain("aggregation");
    // Not derived from the temperature: the precipitation product and its columns stay out.
    expect(impact.columns.some((c) => c.product === "climate.precipitation")).toBe(false);
    expect(impact.columns.some((c) => c.product === "climate.physical-risk" && c.depth === 2)).toBe(true);
    expect(impact.ports).toEqual(
      expect.arrayContaining([
        { product: "climate.weather-station-readings", port: "readings", depth: 0 },
        { product: "climate.temperature", port: "daily-temperature", depth: 1 },
      ]),
    );
    const teams = Object.fromEntries(impact.teams.map((t) => [t.team, t]));
    expect(teams[analytics]?.reasons).toContain("owns climate.temperature");
    expect(teams["insurance-pricing"]).toEqual({
      team: "insurance-pricing",
      owners: ["ines@insurer.example"],
      reasons: ["agreement on climate.temperature.daily-temperature"],
    });
    expect(Object.keys(teams)).toContain(impact.products[1]?.team);
    // The product changing is not one it hurts.
    expect(impact.products.some((p) => p.id === "climate.weather-station-readings")).toBe(false);
    expect(impact.truncated).toBe(false);
  });

  it("follows the declared ports from a port, a product or a contract, and stops at the depth", async () => {
    const port = await impactOf(db, [readings]);
    expect(port.targets).toEqual(["port:climate.weather-station-readings/readings"]);
    expect(port.products.map((p) => p.id).sort()).toEqual(
      ["climate.physical-risk", "climate.precipitation", "climate.sea-level", "climate.temperature"].sort(),
    );
    expect(port.columns).toEqual([]);
    const contract = await impactOf(db, [{ contract: "climate.weather-station-readings.readings" }]);
    expect(contract.targets).toEqual(port.targets);
    const product = await impactOf(db, [{ product: "climate.weather-station-readings" }], 2);
    expect(product.products.map((p) => p.depth)).toEqual(product.products.map(() => 2));
    expect(product.ports.find((p) => p.port === "daily-temperature")).toBeUndefined();
    const deeper = await impactOf(db, [{ product: "climate.weather-station-readings" }], 3);
    expect(deeper.ports).toContainEqual({ product: "climate.temperature", port: "daily-temperature", depth: 3 });
    const shallow = await impactOf(db, [{ ...readings, column: "temperature_c" }], 1);
    expect(shallow.products.map((p) => p.id)).toEqual(["climate.temperature"]);
  });

  it("answers POST /api/lineage/impact for the signed-in, and refuses bad targets with the reason", async () => {
    const post = async (body: unknown, headers = signedIn) => {
      const res = await app.request("/api/lineage/impact", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const ok = await post({ targets: [{ ...readings, column: "temperature_c" }], depth: 3 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.products.map((p: Json) => p.id)).toEqual(["climate.temperature", "climate.physical-risk"]);
    expect((await post({ targets: [readings] }, {})).status).toBe(401);
    for (const [body, status, message] of [
      [{ targets: [] }, 400, ""],
      [{ targets: Array.from({ length: 201 }, () => readings) }, 400, ""],
      [{ targets: [readings], depth: 11 }, 400, ""],
      [{ targets: [{ port: "readings" }] }, 400, "give a product or a contract"],
      [{ targets: [{ product: "climate temperature; DROP" }] }, 400, ""],
      [{ targets: [{ ...readings, bogus: 1 }] }, 400, ""],
      ["{not json", 400, ""],
      [{ targets: [{ product: "climate.temperature", column: "mean_temperature_c" }] }, 400, "name its port"],
      [{ targets: [{ product: "climate.nowhere" }] }, 404, "climate.nowhere"],
      [{ targets: [{ contract: "climate.no-contract" }] }, 404, "climate.no-contract"],
      [{ targets: [{ product: "climate.temperature", port: "no-such-port" }] }, 404, '"no-such-port"'],
      [{ targets: [{ ...readings, column: "no_such_column" }] }, 404, '"no_such_column"'],
      [{ targets: [{ ...readings, dataset: "no_dataset", column: "temperature_c" }] }, 404, '"no_dataset"'],
    ] as const) {
      const res = await post(body);
      expect(res.status, JSON.stringify([body, res.body]).slice(0, 300)).toBe(status);
      if (message) expect(res.body.error?.message).toContain(message);
    }
  });
});
