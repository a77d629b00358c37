import type { CheckResult, ColumnProfile, DatasetProfile } from "@quanta/core";
import { describe, expect, it } from "vitest";
import { measurementPoints, numeric, profileForReader } from "./measurements.js";

const column = (name: string, over: Partial<ColumnProfile> = {}): ColumnProfile => ({
  name,
  type: "BIGINT",
  nulls: 0,
  nullRate: 0,
  distinct: 10,
  distinctApproximate: true,
  min: 1,
  max: 10,
  mean: 5.5,
  top: [{ value: "1", count: 1 }],
  ...over,
});

const check = (over: Partial<CheckResult> & Pick<CheckResult, "key" | "type" | "result">): CheckResult =>
  ({ name: over.key, dimension: "completeness", ...over }) as CheckResult;

describe("numeric", () => {
  it("keeps finite numbers, turns bigints and booleans into numbers, refuses NaN and infinities", () => {
    expect(numeric(42)).toBe(42);
    expect(numeric(-0.5)).toBe(-0.5);
    expect(numeric(12n)).toBe(12);
    expect(numeric(true)).toBe(1);
    expect(numeric(false)).toBe(0);
    expect(numeric(Number.NaN)).toBeNull();
    expect(numeric(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it("reads numbers in strings, as engines print decimals, and nothing else", () => {
    expect(numeric("12")).toBe(12);
    expect(numeric(" 12.50 ")).toBe(12.5);
    expect(numeric("-3")).toBe(-3);
    expect(numeric("+.5")).toBe(0.5);
    expect(numeric("5.")).toBe(5);
    expect(numeric("1e3")).toBe(1000);
    expect(numeric("1e400")).toBeNull();
    for (const s of ["", " ", "abc", "0x10", "12abc", "1,000", "NaN", "Infinity", "--1"])
      expect(numeric(s), JSON.stringify(s)).toBeNull();
  });

  it("reads dates and timestamps as epoch seconds, in UTC when they name no zone", () => {
    const at = Date.UTC(2026, 11, 4, 10, 30, 0) / 1000;
    expect(numeric("2026-12-04")).toBe(Date.UTC(2026, 11, 4) / 1000);
    expect(numeric("2026-12-04T10:30:00Z")).toBe(at);
    expect(numeric("2026-12-04 10:30:00")).toBe(at);
    expect(numeric("2026-12-04T10:30")).toBe(at);
    expect(numeric("2026-12-04 10:30:00.123456")).toBeCloseTo(at + 0.123, 6);
    expect(numeric("2026-12-04 12:30:00+02")).toBe(at);
    expect(numeric("2026-12-04 12:30:00+0200")).toBe(at);
    expect(numeric("2026-12-04T12:30:00+02:00")).toBe(at);
    expect(numeric("2026-12-04T08:30:00-02:00")).toBe(at);
    for (const s of ["2026-13-45", "2026-12-04T25:00:00", "04/12/2026", "2026-12-04T10"])
      expect(numeric(s), s).toBeNull();
  });

  it("has no number for objects, arrays, null and undefined", () => {
    for (const v of [null, undefined, {}, [1], () => 1]) expect(numeric(v)).toBeNull();
  });
});

describe("measurement points", () => {
  const profile: DatasetProfile = {
    dataset: "readings",
    rows: 200,
    columns: [
      column("reading_id"),
      column("measured_at", { type: "TIMESTAMP", min: "2026-12-01 00:00:00", mean: null }),
    ],
  };

  it("keeps each check's value, the profile's row count and per-column figures", () => {
    const points = measurementPoints(
      [
        check({ key: "readings.rowCount", type: "rowCount", schema: "readings", result: "passed", value: 200 }),
        check({ key: "readings.value.nulls", type: "required", schema: "readings", result: "failed", value: "3" }),
      ],
      [profile],
    );
    const by = (dataset: string, col: string, metric: string) =>
      points.find((p) => p.dataset === dataset && p.column === col && p.metric === metric)?.value;
    expect(by("readings", "", "check:readings.rowCount")).toBe(200);
    expect(by("readings", "", "check:readings.value.nulls")).toBe(3);
    expect(by("readings", "", "rowCount")).toBe(200);
    expect(by("readings", "reading_id", "nullRate")).toBe(0);
    expect(by("readings", "reading_id", "distinct")).toBe(10);
    expect(by("readings", "reading_id", "mean")).toBe(5.5);
    expect(by("readings", "measured_at", "min")).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(by("readings", "measured_at", "mean")).toBeNull();
    // One point per (dataset, column, metric): 2 checks, 1 row count, 5 metrics × 2 columns.
    expect(points).toHaveLength(13);
    expect(new Set(points.map((p) => `${p.dataset}/${p.column}/${p.metric}`)).size).toBe(points.length);
  });

  it("keeps a check that could not run as a null point, not as its value", () => {
    const points = measurementPoints(
      [
        check({ key: "a", type: "required", schema: "readings", result: "error", value: 5 }),
        check({ key: "b", type: "required", schema: "readings", result: "skipped", value: 5 }),
      ],
      undefined,
    );
    expect(points.map((p) => [p.metric, p.value])).toEqual([
      ["check:a", null],
      ["check:b", null],
    ]);
  });

  it("takes the row count from a rowCount check when no profile has it", () => {
    const rowCount = check({ key: "r", type: "rowCount", schema: "readings", result: "failed", value: 0 });
    const points = measurementPoints([rowCount], undefined);
    expect(points).toContainEqual({ dataset: "readings", column: "", metric: "rowCount", value: 0 });
    // An empty profile (the scan failed) is no profile either.
    const empty = measurementPoints([rowCount], [{ dataset: "readings", rows: null, columns: [] }]);
    expect(empty).toContainEqual({ dataset: "readings", column: "", metric: "rowCount", value: 0 });
    // A profile's count wins over the check's.
    const both = measurementPoints([rowCount], [{ ...profile, rows: 7 }]);
    expect(both.filter((p) => p.metric === "rowCount")).toEqual([
      { dataset: "readings", column: "", metric: "rowCount", value: 7 },
    ]);
    // A row count check that errored stands in for nothing.
    const errored = measurementPoints([{ ...rowCount, result: "error" }], undefined);
    expect(errored.some((p) => p.metric === "rowCount")).toBe(false);
  });

  it("gives the port's freshness as its stalest freshness check, ignoring ones that could not run", () => {
    const points = measurementPoints(
      [
        check({ key: "f1", type: "freshness", schema: "a", result: "passed", value: 60 }),
        check({ key: "f2", type: "freshness", schema: "b", result: "failed", value: "3600" }),
        check({ key: "f3", type: "freshness", schema: "c", result: "error", value: 999_999 }),
      ],
      undefined,
    );
    expect(points).toContainEqual({ dataset: "", column: "", metric: "freshnessSeconds", value: 3600 });
    expect(measurementPoints([], undefined)).toEqual([]);
  });
});

describe("a profile as a reader outside the owner team sees it", () => {
  it("keeps counts and rates, drops the data's own values, and says so", () => {
    const shown = profileForReader({ dataset: "d", rows: 5, columns: [column("x")] });
    expect(shown.columns[0]).toMatchObject({ nulls: 0, nullRate: 0, distinct: 10, min: null, max: null, mean: null });
    expect(shown.columns[0]?.top).toBeNull();
    expect(shown.rows).toBe(5);
    expect(shown.reason).toMatch(/owner team only/);
    expect(profileForReader({ dataset: "d", rows: 5, columns: [], reason: "partial" }).reason).toMatch(
      /^partial; .*owner team only/,
    );
    // An engine's message may quote the data: outside the owner team, only what failed is said.
    const failed = profileForReader({
      dataset: "d",
      rows: null,
      columns: [],
      reason:
        "the scan with the profile failed, checks ran alone: Could not convert string 'alice@example.com' to INT32",
    });
    expect(failed.reason).toMatch(/^the scan with the profile failed, checks ran alone \(the details are shown/);
    expect(failed.reason).not.toContain("alice");
  });
});
