import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClimatePlatform, climateDir, startClimatePlatform } from "../climate-platform.test-helpers.js";
import { consoleIn } from "../run-console.test-helpers.js";

let climate: ClimatePlatform;
let dir: string;

beforeAll(async () => {
  climate = await startClimatePlatform();
  dir = join(climate.work, "readings");
  mkdirSync(dir);
  const old = readFileSync(join(climateDir, "weather-station-readings/contracts/readings.odcs.yaml"), "utf8");
  writeFileSync(join(dir, "old.odcs.yaml"), old);
  // The column rename of the done-when: temperature_c becomes temperature_celsius.
  const renamed = old.replace("        name: temperature_c\n", "        name: temperature_celsius\n");
  expect(renamed).not.toBe(old);
  writeFileSync(join(dir, "renamed.odcs.yaml"), renamed);
  const product = readFileSync(join(climateDir, "weather-station-readings/weather-station-readings.odps.yaml"), "utf8");
  writeFileSync(join(dir, "old.odps.yaml"), product);
  // A new version without the stations port, which the four products built on the readings read too.
  const cut = product.replace(/ {2}- name: stations\n(?: {4}.*\n)+/, "");
  expect(cut).not.toBe(product);
  writeFileSync(join(dir, "cut.odps.yaml"), cut);
  // Config without a login: "no server" must come from the absence, not from the tester's home.
  process.env.XDG_CONFIG_HOME = join(climate.work, "config");
}, 120_000);
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  await climate?.close();
});

const run = (...args: string[]) => consoleIn(dir)(...args);
const server = () => ["--server", climate.platform.url];

describe("downstream impact in quanta breaking and quanta diff", () => {
  it("names the products, columns and teams a column rename in readings would hurt", async () => {
    const r = await run("breaking", "old.odcs.yaml", "renamed.odcs.yaml", ...server());
    expect(r.code).toBe(1);
    expect(r.err).toBe("");
    const section = r.out.slice(r.out.indexOf("Downstream impact"));
    expect(section).toContain("  products (2):");
    expect(section).toMatch(
      / {4}climate\.temperature {2}.*team climate-quantum-climate-analytics, owners .*amara\.okafor@climate-quantum\.example.*; 1 hop/,
    );
    expect(section).toMatch(/ {4}climate\.physical-risk {2}.*; 2 hop/);
    expect(section).toContain("    climate.weather-station-readings.readings  (changed)");
    expect(section).toContain(
      "    climate.temperature.daily-temperature.daily_temperature.mean_temperature_c  aggregation",
    );
    expect(section).toMatch(
      /\n {4}climate\.physical-risk\.regional-risk-scores\.regional_risk_scores\.risk_score {2}.*aggregation/,
    );
    expect(section).toContain(
      `    ${climate.consumerTeam} (ines@insurer.example): agreement on climate.temperature.daily-temperature`,
    );
    expect(section).toContain("owns climate.physical-risk");
    // Not built from the temperature: untouched by its rename.
    expect(section).not.toContain("climate.precipitation");
  });

  it("follows a removed output port of a data product to the products reading it", async () => {
    const r = await run("breaking", "--format", "json", "old.odps.yaml", "cut.odps.yaml", ...server());
    expect(r.code).toBe(1);
    const { impact } = JSON.parse(r.out);
    expect(impact.targets).toEqual(["port:climate.weather-station-readings/stations"]);
    const products = impact.products.map((p: { id: string }) => p.id);
    expect(products.sort()).toEqual(
      ["climate.physical-risk", "climate.precipitation", "climate.sea-level", "climate.temperature"].sort(),
    );
    expect(impact.ports[0]).toEqual({ product: "climate.weather-station-readings", port: "stations", depth: 0 });
    expect(impact.columns).toEqual([]);
  });

  it("adds impact to the JSON of breaking and diff; diff keeps exit 0", async () => {
    const b = await run("breaking", "--format", "json", "old.odcs.yaml", "renamed.odcs.yaml", ...server());
    const json = JSON.parse(b.out);
    expect(json.breaking).toBe(true);
    expect(json.impact.targets).toEqual(["column:climate.weather-station-readings/readings/readings.temperature_c"]);
    expect(json.impact.products.map((p: { id: string }) => p.id)).toEqual([
      "climate.temperature",
      "climate.physical-risk",
    ]);
    const d = await run("diff", "--format", "json", "old.odcs.yaml", "renamed.odcs.yaml", ...server());
    expect(d.code).toBe(0);
    expect(JSON.parse(d.out).impact.teams.map((t: { team: string }) => t.team)).toContain(climate.consumerTeam);
    const text = await run("diff", "old.odcs.yaml", "renamed.odcs.yaml", ...server());
    expect(text.out).toContain("Downstream impact");
  });

  it("keeps the local verdict when the platform is down, unknown or skipped, and says so once", async () => {
    const down = await run("breaking", "old.odcs.yaml", "renamed.odcs.yaml", "--server", "http://127.0.0.1:9");
    expect(down.code).toBe(1);
    expect(down.out).not.toContain("Downstream impact");
    expect(down.err.trim().split("\n")).toHaveLength(1);
    expect(down.err).toMatch(/^downstream impact unknown: cannot reach the Quanta server at http:\/\/127\.0\.0\.1:9/);
    const none = await run("breaking", "--format", "json", "old.odcs.yaml", "renamed.odcs.yaml");
    expect(none.code).toBe(1);
    expect(JSON.parse(none.out).impact).toBeNull();
    expect(none.err).toContain("downstream impact unknown: no server");
    const skipped = await run("breaking", "old.odcs.yaml", "renamed.odcs.yaml", "--no-impact", ...server());
    expect(skipped).toMatchObject({ code: 1, err: "" });
    expect(skipped.out).not.toContain("Downstream impact");
    // A change that breaks nothing asks nothing.
    const same = await run("breaking", "old.odcs.yaml", "old.odcs.yaml");
    expect(same).toMatchObject({ code: 0, err: "" });
  });

  it("asks the platform through $QUANTA_SERVER too", async () => {
    process.env.QUANTA_SERVER = climate.platform.url;
    try {
      const r = await run("breaking", "old.odcs.yaml", "renamed.odcs.yaml");
      expect(r.out).toContain("Downstream impact");
    } finally {
      delete process.env.QUANTA_SERVER;
    }
  });
});
