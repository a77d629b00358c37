import type { Incident } from "@quanta/platform";
import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { driftedColumns, type Observation, observationLines, seconds } from "./observe.js";

const plain = pc.createColors(false);

const incident = (over: Partial<Incident>): Incident => ({
  id: 7,
  productId: "climate.weather-station-readings",
  port: "readings",
  kind: "schema-drift",
  key: "readings",
  severity: "medium",
  state: "open",
  title: "the schema of readings drifted",
  detail: {},
  startedAt: "2026-12-04T18:00:00.000Z",
  detectedAt: "2026-12-04T18:00:00.000Z",
  notifiedAt: null,
  acknowledgedAt: null,
  resolvedAt: null,
  resolvedBy: null,
  occurrences: 1,
  lastSeenAt: "2026-12-04T18:00:00.000Z",
  ttdSeconds: 0,
  ttnSeconds: null,
  ttrSeconds: null,
  ...over,
});

/** A schema-drift incident's detail as detection writes it: against the contract and the last run. */
const drift = incident({
  detail: {
    dataset: "readings",
    contract: { added: [{ name: "firmware", type: "VARCHAR" }], removed: [], retyped: [] },
    lastRun: {
      runId: 3,
      added: [],
      removed: [{ name: "sea_level_m", type: "DOUBLE" }],
      retyped: [{ name: "pressure_hpa", from: "DOUBLE", to: "VARCHAR" }],
    },
  },
});

describe("quanta observe's output", () => {
  it("finds the drifted columns in detection's detail, for the incident's dataset only", () => {
    expect([...driftedColumns([drift], "readings", "readings")]).toEqual([
      ["firmware", "added"],
      ["sea_level_m", "removed"],
      ["pressure_hpa", "type changed"],
    ]);
    expect(driftedColumns([drift], "readings", "stations").size).toBe(0);
    expect(driftedColumns([drift], "stations", "readings").size).toBe(0);
    expect(driftedColumns([{ ...drift, state: "resolved" }], "readings", "readings").size).toBe(0);
    // Flat details and keys naming the column are read too.
    expect([...driftedColumns([incident({ key: "readings.wind", detail: {} })], "readings", "readings")]).toEqual([
      ["wind", "drift"],
    ]);
  });

  it("marks drift in the profile, and lists a column the data has that the profile does not", () => {
    const o: Observation = {
      productId: "climate.weather-station-readings",
      slos: { productId: "climate.weather-station-readings", windowDays: 30, objectives: [] },
      incidents: [drift],
      profile: {
        productId: "climate.weather-station-readings",
        ports: [
          {
            port: "readings",
            runId: 12,
            at: "2026-12-04T18:00:00.000Z",
            datasets: [
              {
                dataset: "readings",
                rows: 20_000,
                columns: [
                  {
                    name: "pressure_hpa",
                    type: "VARCHAR",
                    nulls: 0,
                    nullRate: 0,
                    distinct: 812,
                    distinctApproximate: true,
                    min: null,
                    max: null,
                    mean: null,
                    top: null,
                  },
                ],
              },
            ],
          },
        ],
      },
      serviceLevels: {
        productId: "climate.weather-station-readings",
        windowDays: 30,
        incidents: 1,
        ttd: { p50: 0.4, p95: 1.2, mean: 0.6 },
        ttn: { p50: null, p95: null, mean: null },
        ttr: { p50: 5400, p95: 7200, mean: 6300 },
      },
    };
    expect(observationLines(o, plain).join("\n")).toMatchInlineSnapshot(`
      "climate.weather-station-readings

      Service level objectives (30-day window)
        none: the contracts declare no SLA properties

      Active incidents (1)
        #7  medium  open  schema-drift  climate.weather-station-readings/readings  the schema of readings drifted  (opened 2026-12-04 18:00Z)

      Latest profile
        readings (test run 12, 2026-12-04T18:00:00.000Z)
          readings: 20,000 rows
            column        type     null rate  distinct
            pressure_hpa  VARCHAR  0 %        ~812      drift: type changed
            firmware      –        –          –         drift: added
            sea_level_m   –        –          –         drift: removed

      Service levels (30 days, 1 incident)
        time to detect  p50 400 ms  p95 1.2 s  mean 600 ms
        time to notify  p50 –       p95 –      mean –
        time to repair  p50 1.5 h   p95 2.0 h  mean 1.8 h"
    `);
  });

  it("says durations as people read them", () => {
    expect([null, 0.25, 42, 600, 7200, 5 * 86_400].map(seconds)).toEqual([
      "–",
      "250 ms",
      "42 s",
      "10.0 min",
      "2.0 h",
      "5.0 d",
    ]);
  });
});
