import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClimatePlatform, startClimatePlatform } from "../climate-platform.test-helpers.js";
import { consoleIn } from "../run-console.test-helpers.js";
import { lineageTree } from "./lineage.js";

let climate: ClimatePlatform;
beforeAll(async () => {
  climate = await startClimatePlatform();
}, 120_000);
afterAll(async () => {
  await climate?.close();
});

const quanta = (...args: string[]) => consoleIn(climate.work)(...args, "--server", climate.platform.url);
const today = new Date().toISOString().slice(0, 10);

describe("quanta lineage", () => {
  it("prints a column's downstream as a tree, with origins, days and transformations", async () => {
    const r = await quanta("lineage", "climate.weather-station-readings.readings.temperature_c", "--depth", "2");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.replaceAll(today, "DAY").trimEnd().split("\n");
    expect(lines[0]).toBe("column climate.weather-station-readings.readings.readings.temperature_c");
    const mean = lines.findIndex((l) =>
      /^├─ column climate\.temperature\.daily-temperature\.daily_temperature\.mean_temperature_c {2}\((declared, )?pipeline, last seen DAY\) {2}aggregation/.test(
        l,
      ),
    );
    expect(mean, r.out).toBeGreaterThan(0);
    // The next hop under it, indented: the risk score computed from the mean temperature.
    const risk = "column climate.physical-risk.regional-risk-scores.regional_risk_scores.risk_score  (";
    const under = lines.slice(mean + 1).findIndex((l) => !l.startsWith("│  "));
    expect(lines.slice(mean + 1, mean + 1 + under).some((l) => /^│ {2}[├└]─ /.test(l) && l.includes(risk))).toBe(true);
    // Also computed from the maximum: printed once, then referenced.
    const risks = lines.filter((l) => l.includes(risk));
    expect(risks.length).toBeGreaterThan(1);
    expect(risks.filter((l) => !l.endsWith("… (see above)"))).toHaveLength(1);
    expect(lines.slice(1).every((l) => /^[│ ]*[├└]─ \w+ \S+ {2}\(/.test(l))).toBe(true);
  });

  it("--direct leaves out the columns that only decide rows", async () => {
    const node = "climate.weather-station-readings.readings.temperature_c";
    const all = await quanta("lineage", node, "--depth", "1");
    const direct = await quanta("lineage", node, "--depth", "1", "--direct");
    expect(direct.code).toBe(0);
    const stationId = "daily_temperature.station_id  (";
    expect(all.out).toContain(stationId);
    expect(direct.out).not.toContain(stationId);
    expect(direct.out).toContain("daily_temperature.mean_temperature_c  (");
    expect(direct.out.split("\n").length).toBeLessThan(all.out.split("\n").length);
  });

  it("prints a product's upstream, and a node reached twice once", async () => {
    const r = await quanta("lineage", "climate.physical-risk", "--upstream", "--depth", "3");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe("product climate.physical-risk");
    expect(lines).toContain(`├─ port climate.temperature.daily-temperature  (declared, last seen ${today})`);
    // The readings feed the three daily products and physical-risk itself: listed once, then referenced.
    const readings = lines.filter((l) => l.includes("port climate.weather-station-readings.readings "));
    expect(readings.length).toBeGreaterThan(1);
    expect(readings.filter((l) => !l.endsWith("… (see above)"))).toHaveLength(1);
    expect(lines.every((l) => /^(product|[│ ]*[├└]─ )/.test(l))).toBe(true);
  });

  it("--format json prints the API's answer; the consumer team shows downstream of a port", async () => {
    const r = await quanta("lineage", "climate.temperature.daily-temperature", "--format", "json", "--depth", "1");
    expect(r.code).toBe(0);
    const graph = JSON.parse(r.out);
    expect(graph).toMatchObject({ node: "port:climate.temperature/daily-temperature", direction: "downstream" });
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ to: `team:${climate.consumerTeam}`, origin: "agreement" }),
    );
  });

  it("refuses both directions, a bad depth and an unknown node with the reason", async () => {
    const both = await quanta("lineage", "climate.temperature", "--upstream", "--downstream");
    expect(both).toMatchObject({ code: 2, out: "" });
    expect(both.err).toContain("--upstream or --downstream, not both");
    const depth = await quanta("lineage", "climate.temperature", "--depth", "11");
    expect(depth.code).toBe(2);
    expect(depth.err).toContain("--depth must be a whole number from 1 to 10");
    const unknown = await quanta("lineage", "climate.temperature.no-such-port");
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('no output port "no-such-port"');
  });

  it("prints a node reached again through a cycle once, then references it", () => {
    const edge = (from: string, to: string) => ({
      from,
      to,
      origin: "openlineage" as const,
      details: {},
      firstSeen: "2026-01-01T00:00:00.000Z",
      lastSeen: "2026-02-03T00:00:00.000Z",
    });
    const lines = lineageTree({
      node: "dataset:a/top",
      direction: "downstream",
      depth: 3,
      nodes: [],
      edges: [edge("dataset:a/top", "job:a/left"), edge("job:a/left", "dataset:a/top")],
      truncated: true,
    });
    expect(lines).toEqual([
      "dataset a/top",
      "└─ job a/left  (openlineage, last seen 2026-02-03)",
      "   └─ dataset a/top  (openlineage, last seen 2026-02-03)  … (see above)",
    ]);
  });
});
