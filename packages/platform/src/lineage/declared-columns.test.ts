import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProductFolder } from "../registry/product-folder.js";
import { type ProductFile, readPublishFolder } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { examplesDir } from "../test-fixtures.js";
import { type DeclaredColumnLineage, declaredColumnLineage, declaredLineage } from "./declared-columns.js";

const metadata = (files: ProductFile[]) =>
  files.filter((f) => !f.path.endsWith(".parquet") && !f.path.startsWith("data/"));
const climate = async (name: string) => metadata(await readProductFolder(join(examplesDir, "climate", name)));
const column = (found: DeclaredColumnLineage[], port: string, name: string) => {
  const c = found.find((x) => x.port === port && x.column === name);
  if (!c) throw new Error(`no column ${port}.${name} in ${found.map((x) => `${x.port}.${x.column}`).join(", ")}`);
  return c;
};
const names = (c: DeclaredColumnLineage) => c.sources.map((s) => `${s.product}.${s.port}.${s.dataset}.${s.column}`);

describe("declared column lineage of a folder's pipeline, on PGlite with the climate mesh", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    const registry = new Registry(db);
    for (const p of ["weather-station-readings", "temperature", "precipitation", "sea-level", "physical-risk"])
      await registry.publish({ files: await climate(p), publishedBy: "quanta-demo" });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it("follows the daily temperature back to the hourly readings, as an aggregation", async () => {
    const found = await declaredColumnLineage(db, readPublishFolder(await climate("temperature")));
    const mean = column(found, "daily-temperature", "mean_temperature_c");
    expect(mean.dataset).toBe("daily_temperature");
    expect(mean.sources).toEqual([
      {
        product: "climate.weather-station-readings",
        port: "readings",
        dataset: "readings",
        column: "temperature_c",
        transformations: [{ type: "DIRECT", subtype: "AGGREGATION", masking: false }],
      },
    ]);
    // The province comes from the station register through the join.
    expect(names(column(found, "daily-temperature", "region_code"))).toEqual([
      "climate.weather-station-readings.stations.stations.region_code",
    ]);
    // The filter on the quality flag and the join on the station decide the rows of every column.
    const indirect = mean.indirect.map((s) => `${s.port}.${s.column}`);
    expect(indirect).toContain("readings.quality_flag");
    expect(indirect).toContain("stations.station_id");
  });

  it("follows the risk scores of physical-risk to the temperature, precipitation and sea-level columns", async () => {
    const found = await declaredColumnLineage(db, readPublishFolder(await climate("physical-risk")));
    const score = column(found, "regional-risk-scores", "risk_score");
    expect(score.dataset).toBe("regional_risk_scores");
    expect(names(score).sort()).toEqual([
      "climate.precipitation.daily-precipitation.daily_precipitation.total_precipitation_mm",
      "climate.sea-level.daily-sea-level.daily_sea_level.anomaly_m",
      "climate.temperature.daily-temperature.daily_temperature.max_temperature_c",
      "climate.temperature.daily-temperature.daily_temperature.mean_temperature_c",
    ]);
    expect(score.sources.every((s) => s.transformations.some((t) => t.subtype === "AGGREGATION"))).toBe(true);
    // The asset scores read the stations as well; a constant column has no source.
    const assets = column(found, "asset-risk-scores", "risk_score");
    expect(names(assets)).toContain("climate.temperature.daily-temperature.daily_temperature.max_temperature_c");
    expect(column(found, "asset-risk-scores", "model_version").sources).toEqual([]);
    const hashed = column(found, "asset-risk-scores", "asset_id").sources;
    expect(hashed.map((s) => s.column)).toEqual(["station_id"]);
  });

  it("names what it cannot follow as issues and keeps the rest", async () => {
    const files = await climate("temperature");
    const pipeline = files.find((f) => f.path === "pipeline.yaml") as ProductFile;
    const broken = pipeline.text
      .replace("round(min(h.temperature_c), 1)", "round(min(h.temprature_c), 1)")
      .replace("FROM readings", "FROM readings WHERE");
    const folder = readPublishFolder(files.map((f) => (f === pipeline ? { ...f, text: broken } : f)));
    const found = await declaredLineage(db, folder);
    expect(found.columns).toEqual([]);
    expect(found.issues).toHaveLength(1);
    expect(found.issues[0]).toMatchObject({ port: "daily-temperature", step: null });
    expect(found.issues[0]?.message).toMatch(/^no column lineage: /);

    const typo = readPublishFolder(
      files.map((f) =>
        f === pipeline ? { ...f, text: pipeline.text.replace("min(h.temperature_c)", "min(h.temprature_c)") } : f,
      ),
    );
    const partial = await declaredLineage(db, typo);
    expect(partial.issues.map((i) => i.message).join("; ")).toMatch(/temprature_c/);
    expect(column(partial.columns, "daily-temperature", "mean_temperature_c").sources).toHaveLength(1);
  });

  it("has nothing to say about a product without a pipeline, or whose input is not published", async () => {
    expect(await declaredColumnLineage(db, readPublishFolder(await climate("weather-station-readings")))).toEqual([]);
    const fresh = await openDatabase({ memory: true });
    try {
      const found = await declaredLineage(fresh, readPublishFolder(await climate("temperature")));
      expect(found.issues.map((i) => i.message)).toContain(
        "input port readings: contract climate.weather-station-readings.readings is not published, so its columns are unknown",
      );
      // Unknown inputs: the columns are there, with their sources unknown.
      expect(column(found.columns, "daily-temperature", "mean_temperature_c").sources).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
