import { describe, expect, it } from "vitest";
import {
  defaultVolumeSettings,
  hasDrift,
  judgeVolume,
  mad,
  madScale,
  mean,
  median,
  normalType,
  percentile,
  schemaDrift,
} from "./detect.js";

/** `n` daily points ending the day before `end`, with the values `value(i)` (i = 0 the oldest). */
const daily = (end: Date, n: number, value: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({
    at: new Date(end.getTime() - (n - i) * 86_400_000),
    value: value(i),
  }));

const monday = new Date("2026-11-30T06:00:00Z");

describe("robust statistics", () => {
  it("takes the median of odd and even counts, unsorted, and null of nothing", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNull();
  });

  it("measures the spread by the median absolute deviation, which one outlier does not move", () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(mad([10, 10, 10])).toBe(0);
    expect(mad([])).toBeNull();
    expect(madScale).toBeCloseTo(1.4826, 4);
  });

  it("takes nearest-rank percentiles and the mean", () => {
    const xs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(100);
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile([3], 95)).toBe(3);
    expect(percentile([], 50)).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNull();
  });
});

describe("volume against the port's own history", () => {
  const noisy = (i: number) => 1000 + ((i * 37) % 21) - 10; // 990..1010

  it("learns until minHistory points, whatever the value", () => {
    const history = daily(monday, 6, noisy);
    expect(judgeVolume(1, monday, history)).toEqual({ verdict: "learning", points: 6, needed: 7 });
    expect(judgeVolume(1, monday, [])).toEqual({ verdict: "learning", points: 0, needed: 7 });
    // Non-finite history points do not count toward it.
    expect(judgeVolume(1, monday, [...history, { at: monday, value: Number.NaN }])).toMatchObject({
      verdict: "learning",
      points: 6,
    });
  });

  it("judges the seventh day on: normal within the sensitivity, low and high beyond it", () => {
    const history = daily(monday, 7, noisy);
    const normal = judgeVolume(1004, monday, history);
    expect(normal).toMatchObject({ verdict: "normal", basis: "all", points: 7 });
    const low = judgeVolume(100, monday, history);
    expect(low).toMatchObject({ verdict: "low", value: 100, basis: "all" });
    if (low.verdict !== "learning") {
      expect(low.median).toBe(median(history.map((h) => h.value)));
      expect(low.score).toBeGreaterThan(defaultVolumeSettings.sensitivity);
    }
    expect(judgeVolume(5000, monday, history).verdict).toBe("high");
  });

  it("scores the distance in scaled MADs", () => {
    // Median 100, MAD 10: 150 is 50 / 14.826 = 3.37 scaled MADs away.
    const history = daily(monday, 7, (i) => [90, 110, 100, 90, 110, 100, 100][i] as number);
    const v = judgeVolume(150, monday, history);
    expect(v).toMatchObject({ verdict: "normal", median: 100, mad: 10 });
    if (v.verdict !== "learning") expect(v.score).toBeCloseTo(50 / (10 * madScale), 6);
  });

  it("takes the sensitivity from the settings: a lower one alarms sooner, a higher one later", () => {
    const history = daily(monday, 7, (i) => [90, 110, 100, 90, 110, 100, 100][i] as number);
    expect(judgeVolume(150, monday, history, { sensitivity: 2, minHistory: 7 }).verdict).toBe("high");
    expect(judgeVolume(200, monday, history, { sensitivity: 10, minHistory: 7 }).verdict).toBe("normal");
    expect(judgeVolume(150, monday, history, { sensitivity: 3.5, minHistory: 8 }).verdict).toBe("learning");
    expect(judgeVolume(150, monday, history.slice(0, 3), { sensitivity: 2, minHistory: 3 }).verdict).not.toBe(
      "learning",
    );
  });

  it("judges a constant series by a tenth of its value: a tenth of the rows is low, 5 % more is normal", () => {
    const history = daily(monday, 10, () => 200);
    expect(judgeVolume(200, monday, history)).toMatchObject({ verdict: "normal", score: 0, mad: 0 });
    expect(judgeVolume(210, monday, history)).toMatchObject({ verdict: "normal", score: 0 });
    const tenth = judgeVolume(20, monday, history);
    expect(tenth).toMatchObject({ verdict: "low", score: Number.POSITIVE_INFINITY, median: 200 });
    expect(judgeVolume(260, monday, history).verdict).toBe("high");
    // A series of zeros: zero is normal, anything else is not.
    const zeros = daily(monday, 7, () => 0);
    expect(judgeVolume(0, monday, zeros).verdict).toBe("normal");
    expect(judgeVolume(1, monday, zeros).verdict).toBe("high");
  });

  it("compares with the same weekday once it has minHistory of them: a quiet Sunday is no anomaly", () => {
    // 10 weeks of daily points: 1000 on weekdays, 100 on Sundays.
    const sunday = new Date("2026-12-06T06:00:00Z");
    expect(sunday.getUTCDay()).toBe(0);
    const history = daily(sunday, 70, () => 0).map((h) => ({ ...h, value: h.at.getUTCDay() === 0 ? 100 : 1000 }));
    const quiet = judgeVolume(100, sunday, history);
    expect(quiet).toMatchObject({ verdict: "normal", basis: "weekday", points: 10, median: 100 });
    // A Sunday as busy as a weekday is the anomaly there.
    expect(judgeVolume(1000, sunday, history)).toMatchObject({ verdict: "high", basis: "weekday" });
    // A weekday with Sunday's volume is low, against the weekdays.
    const mondayAfter = new Date("2026-12-07T06:00:00Z");
    expect(judgeVolume(100, mondayAfter, history)).toMatchObject({ verdict: "low", basis: "weekday" });
  });

  it("falls back to all days while the weekday has too few points", () => {
    const sunday = new Date("2026-12-06T06:00:00Z");
    // Two weeks: only 2 Sundays, fewer than minHistory.
    const history = daily(sunday, 14, () => 0).map((h) => ({ ...h, value: h.at.getUTCDay() === 0 ? 100 : 1000 }));
    const v = judgeVolume(100, sunday, history);
    expect(v).toMatchObject({ basis: "all", points: 14, median: 1000, verdict: "low" });
  });

  it("reads history times as Date or ISO strings, as the store answers them", () => {
    const history = daily(monday, 7, () => 50).map((h) => ({ at: h.at.toISOString(), value: h.value }));
    expect(judgeVolume(50, monday, history)).toMatchObject({ verdict: "normal", points: 7 });
  });
});

describe("schema drift", () => {
  const contract = [
    { name: "id", type: "BIGINT" },
    { name: "station", type: "varchar(20)" },
    { name: "value", type: "DOUBLE" },
    { name: "measured_at", type: "" },
  ];

  it("finds nothing when the data has the declared columns, in any case and order, with alias types", () => {
    const data = [
      { name: "MEASURED_AT", type: "TIMESTAMP" },
      { name: "Value", type: "float8" },
      { name: "station", type: "VARCHAR" },
      { name: "id", type: "int8" },
    ];
    const d = schemaDrift(contract, data);
    expect(d).toEqual({ added: [], removed: [], retyped: [] });
    expect(hasDrift(d)).toBe(false);
  });

  it("finds columns added, removed and retyped, naming them as each side spells them", () => {
    const data = [
      { name: "id", type: "VARCHAR" },
      { name: "station", type: "VARCHAR" },
      { name: "measured_at", type: "TIMESTAMP" },
      { name: "humidity", type: "DOUBLE" },
    ];
    const d = schemaDrift(contract, data);
    expect(d).toEqual({
      added: [{ name: "humidity", type: "DOUBLE" }],
      removed: [{ name: "value", type: "DOUBLE" }],
      retyped: [{ name: "id", from: "BIGINT", to: "VARCHAR" }],
    });
    expect(hasDrift(d)).toBe(true);
  });

  it("never retypes a column whose type either side does not name", () => {
    expect(schemaDrift([{ name: "measured_at", type: "" }], [{ name: "measured_at", type: "DATE" }]).retyped).toEqual(
      [],
    );
    expect(schemaDrift([{ name: "id", type: "BIGINT" }], [{ name: "id", type: "" }]).retyped).toEqual([]);
  });

  it("compares with the last run the same way: a column gone since then", () => {
    const last = [
      { name: "a", type: "INTEGER" },
      { name: "b", type: "INTEGER" },
    ];
    expect(schemaDrift(last, [{ name: "a", type: "int4" }])).toEqual({
      added: [],
      removed: [{ name: "b", type: "INTEGER" }],
      retyped: [],
    });
  });

  it("folds the types engines spell differently, and keeps different types apart", () => {
    const same: [string, string][] = [
      ["VARCHAR(20)", "text"],
      ["character varying(255)", "STRING"],
      ["INT8", "BIGINT"],
      ["long", "bigint"],
      ["int", "INTEGER"],
      ["int4", "int32"],
      ["DOUBLE PRECISION", "float8"],
      ["bool", "BOOLEAN"],
      ["numeric(10,2)", "DECIMAL(18, 3)"],
      ["timestamp without time zone", "TIMESTAMP_NS"],
      ["TIMESTAMP WITH TIME ZONE", "timestamptz"],
      [" date ", "DATE"],
    ];
    for (const [a, b] of same) expect(normalType(a), `${a} ~ ${b}`).toBe(normalType(b));
    const different: [string, string][] = [
      ["BIGINT", "INTEGER"],
      ["TIMESTAMP", "TIMESTAMPTZ"],
      ["DOUBLE", "DECIMAL"],
      ["DATE", "TIMESTAMP"],
      ["VARCHAR", "BLOB"],
    ];
    for (const [a, b] of different) expect(normalType(a), `${a} ≠ ${b}`).not.toBe(normalType(b));
  });
});
