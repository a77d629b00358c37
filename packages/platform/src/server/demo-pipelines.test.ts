import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateProductData } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProductFolders } from "../registry/product-folder.js";
import { examplesDir } from "../test-fixtures.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const built = [
  "climate.temperature",
  "climate.precipitation",
  "climate.sea-level",
  "climate.physical-risk",
  "sales.orders-analytical-consent",
  "customer.customer-cohorts",
];

/**
 * `quanta serve --demo` (issue 15, item 7): the demo mesh's aggregate and consumer-aligned products
 * are built by their pipelines from their inputs, upstream first, under their teams' agreements;
 * then the incident re-delivers the readings and one product's run fails its contract while its
 * previous version keeps serving. A second start plays nothing again.
 */
describe("the demo mesh built by its pipelines", () => {
  let root: string;
  let platform: RunningPlatform | undefined;
  let folders: string[];
  const lines: string[] = [];

  const start = () =>
    startPlatform({
      store: { dataDir: join(root, "store") },
      storageRoot: join(root, "lake"),
      port: 0,
      publishFolders: folders,
      demoIdentities: {},
      demoData: true,
      log: (l) => lines.push(l),
      warn: (l) => lines.push(`warning: ${l}`),
    });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "quanta-demo-pipelines-"));
    await cp(examplesDir, join(root, "mesh"), { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    folders = await findProductFolders(join(root, "mesh"));
    for (const folder of folders)
      if (existsSync(join(folder, "data", "generate.sql"))) await generateProductData(folder, { rowCount: 20_000 });
    platform = await start();
    expect(await platform.demoPipelines, lines.join("\n")).toBe("played");
  }, 240_000);

  afterAll(async () => {
    await platform?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const tokenOf = (team: string) => {
    const entry = Object.values(platform?.demoTokens ?? {}).find((t) => t.team?.endsWith(team));
    expect(entry, `a demo token of team ${team}`).toBeDefined();
    return { authorization: `Bearer ${entry?.token}` };
  };
  const admin = () => {
    const entry = Object.values(platform?.demoTokens ?? {}).find((t) => t.role === "admin");
    return { authorization: `Bearer ${entry?.token}` };
  };
  const get = async (path: string, headers = admin()) => {
    const res = await fetch(`${platform?.url}${path}`, { headers });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as Json;
  };

  it("ships generators only for the source-aligned products", async () => {
    const generated = folders.filter((f) => existsSync(join(f, "data", "generate.sql"))).map((f) => f.split("/").pop());
    expect(generated.sort()).toEqual(["orders", "weather-station-readings"]);
    for (const f of folders.filter((f) => !generated.includes(f.split("/").pop())))
      expect(existsSync(join(f, "pipeline.yaml")), f).toBe(true);
  });

  it("builds every aggregate from its inputs, with a run record and a current version", async () => {
    for (const id of built) {
      const { items: runs } = await get(`/api/products/${id}/pipeline/runs`);
      expect(
        runs.some((r: Json) => r.status === "succeeded"),
        `${id}: ${JSON.stringify(runs)}`,
      ).toBe(true);
      const discovery = await get(`/api/products/${id}/discover`);
      for (const port of discovery.ports.filter((p: Json) => p.direction === "output" && p.contractId))
        expect(port.data?.current?.source, `${id} ${port.name}`).toBe("pipeline");
    }
    // Upstream first: nothing was built before what it reads.
    const { rows } = await (platform as RunningPlatform).db.query<{ product_id: string; started: string }>(
      "SELECT product_id, min(started_at)::text AS started FROM pipeline_runs GROUP BY product_id",
    );
    const first = (id: string) => rows.find((r) => r.product_id === id)?.started ?? "";
    for (const input of ["climate.temperature", "climate.precipitation", "climate.sea-level"])
      expect(first("climate.physical-risk") > first(input), input).toBe(true);
    expect(first("customer.customer-cohorts") > first("sales.orders-analytical-consent")).toBe(true);
  });

  it("serves daily temperatures computed from the station readings", async () => {
    const res = await fetch(`${platform?.url}/api/products/climate.temperature/consume`, {
      method: "POST",
      headers: { ...tokenOf("climate-analytics"), "content-type": "application/json" },
      body: JSON.stringify({
        port: "daily-temperature",
        sql: "SELECT station_id, measurement_date, mean_temperature_c, reading_count FROM daily_temperature ORDER BY measurement_date DESC, station_id LIMIT 5",
      }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const served = (JSON.parse(text) as Json).rows as Json[];
    expect(served).toHaveLength(5);
    // The same figures straight from the readings file the demo published (a reading's time is the
    // end of its hour; suspect readings do not count).
    const readings = join(
      folders.find((f) => f.endsWith("weather-station-readings")) as string,
      "data/readings.parquet",
    );
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    try {
      for (const row of served) {
        const reader = await conn.runAndReadAll(
          `SELECT round(avg(temperature_c), 1) AS mean, count(temperature_c)::INTEGER AS n FROM read_parquet('${readings}')
           WHERE station_id = $1 AND CAST(reading_ts - INTERVAL 1 HOUR AS DATE) = CAST($2 AS DATE)
             AND quality_flag <> 'suspect'`,
          [row.station_id, String(row.measurement_date)],
        );
        const [mean, n] = reader.getRows()[0] as [number, number];
        expect({ station: row.station_id, mean: row.mean_temperature_c, n: row.reading_count }).toEqual({
          station: row.station_id,
          mean,
          n,
        });
      }
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  });

  it("keeps the previous version serving when the incident's run fails its contract", async () => {
    const failed: Json[] = [];
    for (const id of built) {
      const { items: runs } = await get(`/api/products/${id}/pipeline/runs`);
      failed.push(...runs.filter((r: Json) => r.status === "failed").map((r: Json) => ({ ...r, productId: id })));
    }
    expect(failed.map((r) => r.productId)).toHaveLength(1);
    const run = failed[0] as Json;
    const detail = await get(`/api/products/${run.productId}/pipeline/runs/${run.id}`);
    const output = detail.outputs[0];
    expect(output.published).toBe(false);
    expect(output.tests.status).toBe("failed");
    expect(output.tests.checks.some((c: Json) => c.status === "failed")).toBe(true);
    expect(detail.reason).toMatch(/stays current/);
    // Consumers read the version the run before it made current.
    const discovery = await get(`/api/products/${run.productId}/discover`);
    const port = discovery.ports.find((p: Json) => p.name === output.port);
    expect(port.data.current.version).toBe(output.previous);
    expect(lines.some((l) => l.startsWith("demo incident:"))).toBe(true);
  });

  it("yields column lineage from the station readings down to the physical risk scores", async () => {
    const from = "climate.weather-station-readings.readings.temperature_c";
    const down = await get(`/api/lineage?${new URLSearchParams({ node: from, direction: "downstream", depth: "5" })}`);
    const columns = down.nodes.filter((n: Json) => n.kind === "column").map((n: Json) => n.id);
    expect(columns).toContain("column:climate.temperature/daily-temperature/daily_temperature.mean_temperature_c");
    expect(columns).toContain("column:climate.physical-risk/regional-risk-scores/regional_risk_scores.risk_score");
    expect(columns).toContain("column:climate.physical-risk/asset-risk-scores/asset_risk_scores.risk_score");
    // Declared at publish from the SQL, and seen again by the run that built it.
    const into = down.edges.filter((e: Json) => e.to.endsWith("daily_temperature.mean_temperature_c"));
    expect(into.map((e: Json) => e.origin).sort()).toEqual(["declared", "pipeline"]);
    const mean = into.find((e: Json) => e.origin === "pipeline");
    expect(mean).toMatchObject({ origin: "pipeline", details: { job: "quanta/climate.temperature.pipeline" } });
    expect(mean.details.transformations.map((t: Json) => t.subtype)).toContain("AGGREGATION");
    // And back: the risk score reads the readings' temperatures through the daily product.
    const up = await get(
      `/api/lineage?${new URLSearchParams({
        node: "climate.physical-risk.regional-risk-scores.risk_score",
        direction: "upstream",
        depth: "5",
      })}`,
    );
    expect(up.nodes.map((n: Json) => n.id)).toContain(
      "column:climate.weather-station-readings/readings/readings.temperature_c",
    );
  });

  it("plays nothing again on a later start", async () => {
    const before = await (platform as RunningPlatform).db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pipeline_runs",
    );
    const agreements = async () =>
      (
        await (platform as RunningPlatform).db.query<{ id: string; state: string }>(
          "SELECT id, state FROM agreements ORDER BY id",
        )
      ).rows;
    const agreed = await agreements();
    expect(agreed.length).toBeGreaterThanOrEqual(7);
    // The owner team ends one: a later start leaves it ended, asking nothing again.
    await (platform as RunningPlatform).db.query("UPDATE agreements SET state = 'terminated' WHERE id = $1", [
      agreed[0]?.id,
    ]);
    await platform?.close();
    platform = await start();
    expect(await platform.demoPipelines).toBe("skipped");
    const after = await platform.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pipeline_runs");
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    expect(await agreements()).toEqual(agreed.map((a, i) => (i === 0 ? { ...a, state: "terminated" } : a)));
  }, 120_000);
});
