import { describe, expect, test } from "vitest";
import { SourceDocument } from "../../spec/source.js";
import { lintDocument } from "../lint-document.js";
import { readLifecycleDates, retentionCutoff } from "./lifecycle-dates.js";

const contract = (sla: string) => `apiVersion: v3.1.0
kind: DataContract
id: orders-contract
version: 1.0.0
status: active
slaProperties:
${sla}`;

const product = (custom: string) => `apiVersion: v1.0.0
kind: DataProduct
id: sales.orders
name: Orders
version: 1.0.0
status: active
customProperties:
${custom}`;

const codes = ["lifecycle-date-invalid", "lifecycle-dates-out-of-order"];

/** `file:line:column severity code: message` of the lifecycle issues. */
function lint(text: string, file: string): string[] {
  return lintDocument(SourceDocument.parse(text, file))
    .filter((i) => codes.includes(i.code))
    .map((i) => `${i.file}:${i.line}:${i.column} ${i.severity} ${i.code}: ${i.message}`);
}

describe("lifecycle dates in a contract's slaProperties", () => {
  test("dates in order and a retention: no issue", () => {
    expect(
      lint(
        contract(`  - property: generalAvailability
    value: "2024-01-01"
  - property: endOfSupport
    value: "2030-01-01T00:00:00Z"
  - property: endOfLife
    value: 2031-06-30
  - property: retention
    value: 3
    unit: y
    element: orders.order_ts
`),
        "c.odcs.yaml",
      ),
    ).toEqual([]);
  });

  test("a malformed date is an error at the value's line", () => {
    expect(
      lint(
        contract(`  - property: endOfSupport
    value: "2030-02-30"
  - property: endOfLife
    value: next year
`),
        "c.odcs.yaml",
      ),
    ).toEqual([
      'c.odcs.yaml:8:12 error lifecycle-date-invalid: endOfSupport: "2030-02-30" is not a valid date: 2030-02 has 28 days, not 30',
      'c.odcs.yaml:10:12 error lifecycle-date-invalid: endOfLife: "next year" is not an ISO 8601 date; write e.g. "2032-05-12" or "2032-05-12T09:30:00Z"',
    ]);
  });

  test("a retention without a whole value, a known unit or an object.column element is an error", () => {
    expect(
      lint(
        contract(`  - property: retention
    value: -1
    unit: y
  - property: retention
    value: 3
    unit: fortnights
  - property: retention
    value: 3
    unit: d
    element: order_ts
`),
        "c.odcs.yaml",
      ),
    ).toEqual([
      'c.odcs.yaml:8:12 error lifecycle-date-invalid: retention: the value is a whole number of units greater than 0, such as 3 with unit y, or "3 y" (got -1)',
      'c.odcs.yaml:12:11 error lifecycle-date-invalid: retention: unit "fortnights" is not one of d, w, month, y (or day(s), week(s), month(s), year(s))',
      'c.odcs.yaml:16:14 error lifecycle-date-invalid: retention: element "order_ts" does not name a column as object.column (e.g. readings.reading_ts)',
    ]);
  });

  test("end of life before end of support is an error", () => {
    const issues = lint(
      contract(`  - property: endOfSupport
    value: "2031-01-01"
  - property: endOfLife
    value: "2030-01-01"
`),
      "c.odcs.yaml",
    );
    expect(issues).toEqual([
      "c.odcs.yaml:7:3 error lifecycle-dates-out-of-order: endOfLife (2030-01-01T00:00:00.000Z) is before endOfSupport (2031-01-01T00:00:00.000Z); put the dates in order: general availability, end of support, end of life",
    ]);
  });
});

describe("lifecycle dates in a product's customProperties", () => {
  test("malformed and out of order, with the product file's positions", () => {
    expect(
      lint(
        product(`  - property: generalAvailability
    value: "2030-01-01"
  - property: endOfSupport
    value: "2029-01-01"
  - property: endOfLife
    value: "2032-13-01"
`),
        "p.odps.yaml",
      ),
    ).toEqual([
      "p.odps.yaml:8:3 error lifecycle-dates-out-of-order: endOfSupport (2029-01-01T00:00:00.000Z) is before generalAvailability (2030-01-01T00:00:00.000Z); put the dates in order: general availability, end of support, end of life",
      'p.odps.yaml:13:12 error lifecycle-date-invalid: endOfLife: "2032-13-01" is not a valid date: month 13 does not exist',
    ]);
  });
});

describe("readLifecycleDates", () => {
  test("reads dates as UTC instants, whatever the case of the property", () => {
    const { dates, problems } = readLifecycleDates([
      { property: "EndOfSupport", value: "2030-01-01 12:00" },
      { property: "endOfLife", value: "2030-06-01T00:00:00+02:00" },
      { property: "retention", value: "30", unit: "days" },
      { property: "freshness", value: 1, unit: "d" },
    ]);
    expect(problems).toEqual([]);
    expect(dates.endOfSupport?.toISOString()).toBe("2030-01-01T12:00:00.000Z");
    expect(dates.endOfLife?.toISOString()).toBe("2030-05-31T22:00:00.000Z");
    expect(dates.retention).toEqual({ value: 30, unit: "day", element: undefined });
  });

  test('a product\'s retention is written without a unit field: "3 y" or { value, unit, element }', () => {
    expect(readLifecycleDates([{ property: "retention", value: "3 y" }]).dates.retention).toEqual({
      value: 3,
      unit: "year",
      element: undefined,
    });
    expect(
      readLifecycleDates([{ property: "retention", value: { value: 30, unit: "days", element: "orders.order_ts" } }])
        .dates.retention,
    ).toEqual({ value: 30, unit: "day", element: "orders.order_ts" });
    expect(readLifecycleDates([{ property: "retention", value: "3 fortnights" }]).problems[0]?.message).toBe(
      'retention: unit "fortnights" is not one of d, w, month, y (or day(s), week(s), month(s), year(s))',
    );
  });

  test("hostile values are problems, never exceptions", () => {
    const hostile = [null, 1, { a: 1 }, ["x"], "", "9999-99-99", "2030-01-01T25:00:00Z", "x".repeat(10_000)];
    for (const value of hostile) {
      const { dates, problems } = readLifecycleDates([{ property: "endOfLife", value }]);
      expect(dates.endOfLife).toBeUndefined();
      expect(problems).toHaveLength(1);
    }
    expect(readLifecycleDates("not a list").problems).toEqual([]);
  });

  test("the retention cutoff counts calendar units back from now", () => {
    const now = new Date("2030-03-31T10:00:00Z");
    expect(retentionCutoff({ value: 1, unit: "month", element: undefined }, now).toISOString()).toBe(
      "2030-03-03T10:00:00.000Z",
    );
    expect(retentionCutoff({ value: 2, unit: "week", element: undefined }, now).toISOString()).toBe(
      "2030-03-17T10:00:00.000Z",
    );
    expect(retentionCutoff({ value: 3, unit: "year", element: undefined }, now).toISOString()).toBe(
      "2027-03-31T10:00:00.000Z",
    );
  });
});
