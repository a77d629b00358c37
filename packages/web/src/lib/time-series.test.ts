import { describe, expect, it } from "vitest";
import type { MeasurementSeries, SloObjective } from "../api/types.js";
import {
  budgetRows,
  durationUnit,
  freshnessLines,
  freshnessObjectiveSeconds,
  linearScale,
  measuredPorts,
  niceTicks,
  parseDurationSeconds,
  rowCountLines,
  scaleLines,
  timeDomain,
  valueExtent,
  worstNullRates,
} from "./time-series.js";

const series = (
  port: string,
  metric: string,
  column: string | null,
  values: (number | null)[],
  dataset = "orders",
): MeasurementSeries => ({
  port,
  dataset,
  column,
  metric,
  points: values.map((value, i) => ({ at: new Date(Date.UTC(2026, 11, 1 + i)).toISOString(), runId: i + 1, value })),
});

const objective = (over: Partial<SloObjective>): SloObjective => ({
  port: "orders",
  property: "freshness",
  objective: "24h",
  target: 0.99,
  sli: 1,
  good: 10,
  total: 10,
  unit: "runs",
  budget: { allowed: 0.1, spent: 0, remaining: 1 },
  burnRate: { "1h": null, "6h": null, "24h": null },
  status: "met",
  reason: null,
  ...over,
});

describe("scales", () => {
  it("maps a domain onto a range, inverted for SVG's y", () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(100)).toBe(0);
    expect(y(25)).toBe(150);
  });

  it("puts a flat domain in the middle instead of dividing by zero", () => {
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });

  it("picks round ticks that cover the values", () => {
    expect(niceTicks(0, 1000, 4)).toEqual({ ticks: [0, 200, 400, 600, 800, 1000], domain: [0, 1000] });
    const t = niceTicks(3, 97, 4);
    expect(t.domain[0]).toBeLessThanOrEqual(3);
    expect(t.domain[1]).toBeGreaterThanOrEqual(97);
    expect(t.ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.042, 4).ticks).toEqual([0, 0.02, 0.04, 0.06]);
  });

  it("widens a single value so it is drawn inside the frame", () => {
    const t = niceTicks(1200, 1200);
    expect(t.domain[0]).toBeLessThan(1200);
    expect(t.domain[1]).toBeGreaterThan(1200);
    expect(niceTicks(0, 0).domain).toEqual([-1, 1]);
  });

  it("finds the time and value extents, objective included", () => {
    const lines = rowCountLines([series("orders", "rowCount", null, [10, null, 30])], "orders");
    expect(timeDomain(lines)).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 3)]);
    expect(valueExtent(lines)).toEqual([10, 30]);
    expect(valueExtent(lines, [50])).toEqual([10, 50]);
    expect(timeDomain([])).toBeUndefined();
    expect(valueExtent([{ key: "k", label: "l", points: [{ t: 1, v: null }] }])).toBeUndefined();
  });
});

describe("series shaping", () => {
  const all = [
    series("orders", "rowCount", null, [100, 110, 12]),
    series("orders", "freshnessSeconds", null, [60, 3600, 90000], ""),
    series("orders", "nullRate", "note", [0.5, 0.6, 0.7]),
    series("orders", "nullRate", "email", [0, 0.1, 0]),
    series("orders", "nullRate", "id", [0, 0, 0]),
    series("orders", "nullRate", "amount", [0.2, 0.2, 0.3]),
    series("returns", "rowCount", null, [5]),
  ];

  it("lists the measured ports in the order they come", () => {
    expect(measuredPorts(all)).toEqual(["orders", "returns"]);
  });

  it("draws the row count of each dataset of a port, oldest point first", () => {
    const shuffled = { ...all[0], points: [...(all[0]?.points ?? [])].reverse() } as MeasurementSeries;
    const lines = rowCountLines([shuffled], "orders");
    expect(lines.map((l) => l.label)).toEqual(["orders"]);
    expect(lines[0]?.points.map((p) => p.v)).toEqual([100, 110, 12]);
  });

  it("keeps the worst null rates, the worst now first, and counts the columns without nulls", () => {
    const n = worstNullRates(all, "orders", 2);
    expect(n.lines.map((l) => l.label)).toEqual(["orders.note", "orders.amount"]);
    expect(n.others).toBe(2);
    expect(n.clean).toBe(1);
    // A column that had nulls once still counts, after the ones that have them now.
    expect(worstNullRates(all, "orders", 5).lines.map((l) => l.label)).toEqual([
      "orders.note",
      "orders.amount",
      "orders.email",
    ]);
  });

  it("keeps a missing value as a gap, not a zero", () => {
    const lines = freshnessLines([series("orders", "freshnessSeconds", null, [60, null, 120], "")], "orders");
    expect(lines[0]?.label).toBe("age of the newest data");
    expect(lines[0]?.points.map((p) => p.v)).toEqual([60, null, 120]);
  });
});

describe("freshness objective", () => {
  it("reads the durations SLAs are written with", () => {
    expect(parseDurationSeconds("24h")).toBe(86400);
    expect(parseDurationSeconds("1 day")).toBe(86400);
    expect(parseDurationSeconds("≤ 30 min")).toBe(1800);
    expect(parseDurationSeconds("PT6H")).toBe(21600);
    expect(parseDurationSeconds("P1DT12H")).toBe(129600);
    expect(parseDurationSeconds("newest data at most 2 hours old")).toBe(7200);
    expect(parseDurationSeconds("99.9 %")).toBeUndefined();
    expect(parseDurationSeconds(null)).toBeUndefined();
  });

  it("takes the port's freshness objective, a number in seconds when the API gives one", () => {
    expect(freshnessObjectiveSeconds([objective({})], "orders")).toBe(86400);
    expect(freshnessObjectiveSeconds([objective({ property: "availability" })], "orders")).toBeUndefined();
    expect(freshnessObjectiveSeconds([objective({ port: "other" })], "orders")).toBeUndefined();
    const numeric = { ...objective({ objective: "fresh" }), thresholdSeconds: 600 };
    expect(freshnessObjectiveSeconds([numeric], "orders")).toBe(600);
  });
});

describe("budgetRows", () => {
  it("puts the breached and most spent objectives first and says how much is left", () => {
    const rows = budgetRows(
      [
        objective({ property: "freshness", budget: { allowed: 1, spent: 0.2, remaining: 0.8 } }),
        objective({ property: "quality", status: "breached", budget: { allowed: 1, spent: 1.5, remaining: -0.5 } }),
        objective({ property: "availability", status: "unknown", budget: { allowed: 0, spent: 0, remaining: null } }),
        objective({ property: "latency", port: "other" }),
      ],
      "orders",
    );
    expect(rows.map((r) => [r.label, r.text])).toEqual([
      ["quality", "-50 % left"],
      ["availability", "no data"],
      ["freshness", "80 % left"],
    ]);
  });
});

describe("durationUnit and scaleLines", () => {
  it("draws ages in the largest unit the largest value spans twice", () => {
    expect(durationUnit(30).name).toBe("s");
    expect(durationUnit(119).name).toBe("s");
    expect(durationUnit(120).name).toBe("min");
    expect(durationUnit(3 * 3600).name).toBe("h");
    expect(durationUnit(86400).name).toBe("h");
    expect(durationUnit(2 * 86400).name).toBe("d");
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0]) expect(durationUnit(bad).name).toBe("s");
  });

  it("divides every value, keeping gaps", () => {
    const line = {
      key: "k",
      label: "l",
      points: [
        { t: 1, v: 7200 },
        { t: 2, v: null },
      ],
    };
    expect(scaleLines([line], 3600)[0]?.points).toEqual([
      { t: 1, v: 2 },
      { t: 2, v: null },
    ]);
    expect(scaleLines([line], 0)[0]).toBe(line);
  });
});
