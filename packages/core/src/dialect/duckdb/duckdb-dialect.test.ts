import { describe, expect, it } from "vitest";
import type { Metric } from "../../checks/check.js";
import { BaseDialect } from "../base-dialect.js";
import { DuckDbDialect } from "./duckdb-dialect.js";

const duck = new DuckDbDialect();
const base = new BaseDialect();
const metrics: Metric[] = [
  { kind: "rowCount" },
  { kind: "nullCount", property: "a" },
  { kind: "missingCount", property: "a", values: [null, "", "n/a"] },
  { kind: "invalidCount", property: "s", validValues: ["x", "y"], pattern: "^[a-z]+$" },
  { kind: "duplicateCount", properties: ["id"] },
  { kind: "duplicateCount", properties: ["a", "b"] },
  { kind: "violationCount", property: "n", violation: { kind: "lessThan", value: 0, exclusive: false } },
  { kind: "violationCount", property: "n", violation: { kind: "notMultipleOf", value: 0.01 } },
  { kind: "violationCount", property: "tags", violation: { kind: "moreItemsThan", count: 3 } },
  { kind: "ageSeconds", property: "at", of: "max" },
  { kind: "invalidSample", property: "s", validValues: ["x", "y"], pattern: "^[a-z]+$", limit: 6 },
];

describe("DuckDbDialect", () => {
  it("computes every metric of a dataset in one aggregate query", () => {
    const sql = duck.aggregateQuery(
      duck.quoteIdentifier("orders"),
      metrics.map((metric, i) => ({ alias: `m${i}`, metric })),
    );
    expect(sql).toMatchInlineSnapshot(`
      "SELECT
        count(*) AS "m0",
        count(*) FILTER (WHERE "a" IS NULL) AS "m1",
        count(*) FILTER (WHERE "a" IS NULL OR "a" IN ('', 'n/a')) AS "m2",
        count(*) FILTER (WHERE "s" IS NOT NULL AND (NOT ("s" IN ('x', 'y')) OR NOT regexp_matches(CAST("s" AS VARCHAR), '^[a-z]+$'))) AS "m3",
        count("id") - count(DISTINCT "id") AS "m4",
        count(*) - count(DISTINCT ("a", "b")) AS "m5",
        count(*) FILTER (WHERE "n" IS NOT NULL AND "n" < 0) AS "m6",
        count(*) FILTER (WHERE "n" IS NOT NULL AND abs((CAST("n" AS DOUBLE PRECISION) / 0.01) - round((CAST("n" AS DOUBLE PRECISION) / 0.01))) > 1e-9) AS "m7",
        count(*) FILTER (WHERE "tags" IS NOT NULL AND len("tags") > 3) AS "m8",
        (epoch(current_timestamp) - epoch(CAST(max("at") AS TIMESTAMPTZ))) AS "m9",
        CAST(to_json(min(DISTINCT CAST("s" AS VARCHAR), 6) FILTER (WHERE "s" IS NOT NULL AND (NOT ("s" IN ('x', 'y')) OR NOT regexp_matches(CAST("s" AS VARCHAR), '^[a-z]+$')))) AS VARCHAR) AS "m10"
      FROM "orders""
    `);
  });

  it("differs from the PostgreSQL-flavoured base only in its hooks", () => {
    const differing = metrics
      .filter((m) => duck.metric(m, "r") !== base.metric(m, "r"))
      .map((m) => base.metric(m, "r"));
    expect(differing).toMatchInlineSnapshot(`
      [
        "count(*) FILTER (WHERE "s" IS NOT NULL AND (NOT ("s" IN ('x', 'y')) OR NOT (CAST("s" AS TEXT) ~ '^[a-z]+$')))",
        "count(*) FILTER (WHERE "tags" IS NOT NULL AND cardinality("tags") > 3)",
        "EXTRACT(EPOCH FROM (now() - CAST(max("at") AS TIMESTAMPTZ)))",
        "CAST(to_json((array_agg(DISTINCT CAST("s" AS TEXT) COLLATE "C" ORDER BY CAST("s" AS TEXT) COLLATE "C") FILTER (WHERE "s" IS NOT NULL AND (NOT ("s" IN ('x', 'y')) OR NOT (CAST("s" AS TEXT) ~ '^[a-z]+$'))))[1:6]) AS TEXT)",
      ]
    `);
  });

  it("quotes hostile identifiers and literals", () => {
    const hostile = ['a"b', "x; DROP TABLE t; --", "new\nline", "ünï—code", "'", "\\", '""'];
    expect(hostile.map((h) => [duck.quoteIdentifier(h), duck.literal(h)])).toMatchInlineSnapshot(`
      [
        [
          ""a""b"",
          "'a"b'",
        ],
        [
          ""x; DROP TABLE t; --"",
          "'x; DROP TABLE t; --'",
        ],
        [
          ""new
      line"",
          "'new
      line'",
        ],
        [
          ""ünï—code"",
          "'ünï—code'",
        ],
        [
          ""'"",
          "''''",
        ],
        [
          ""\\"",
          "'\\'",
        ],
        [
          """""""",
          "'""'",
        ],
      ]
    `);
    expect(() => duck.literal("nul\0byte")).toThrowErrorMatchingInlineSnapshot(
      `[InputError: text contains a NUL character: "nul\\u0000byte"]`,
    );
    expect(() => duck.literal(Number.NaN)).toThrowErrorMatchingInlineSnapshot(`[InputError: not a finite number: NaN]`);
  });

  it("without FILTER or row-value DISTINCT, falls back to portable SQL", () => {
    class Plain extends BaseDialect {
      override readonly capabilities = {
        ...new BaseDialect().capabilities,
        filterClause: false,
        countDistinctTuple: false,
      };
    }
    const plain = new Plain();
    expect([
      plain.metric({ kind: "nullCount", property: "a" }, "t"),
      plain.metric({ kind: "duplicateCount", properties: ["a", "b"] }, "t"),
    ]).toMatchInlineSnapshot(`
      [
        "coalesce(sum(CASE WHEN "a" IS NULL THEN 1 ELSE 0 END), 0)",
        "count(*) - (SELECT count(*) FROM (SELECT DISTINCT "a", "b" FROM t) AS d)",
      ]
    `);
  });

  it("maps engine types to logical types and compares physical types", () => {
    const cases: [string, string][] = [
      ["integer", "BIGINT"],
      ["number", "DECIMAL(12,2)"],
      ["number", "INTEGER"],
      ["integer", "DOUBLE"],
      ["string", "VARCHAR"],
      ["timestamp", "TIMESTAMP WITH TIME ZONE"],
      ["date", "TIMESTAMP"],
      ["array", "VARCHAR[]"],
      ["object", "STRUCT(a INTEGER, b VARCHAR)"],
      ["boolean", "BOOLEAN"],
    ];
    expect(cases.map(([l, t]) => `${l} ← ${t}: ${duck.logicalTypeAccepts(l, t)}`)).toMatchInlineSnapshot(`
      [
        "integer ← BIGINT: true",
        "number ← DECIMAL(12,2): true",
        "number ← INTEGER: true",
        "integer ← DOUBLE: false",
        "string ← VARCHAR: true",
        "timestamp ← TIMESTAMP WITH TIME ZONE: true",
        "date ← TIMESTAMP: false",
        "array ← VARCHAR[]: true",
        "object ← STRUCT(a INTEGER, b VARCHAR): true",
        "boolean ← BOOLEAN: true",
      ]
    `);
    const physical: [string, string][] = [
      ["int8", "BIGINT"],
      ["varchar(255)", "VARCHAR"],
      ["decimal(12,2)", "DECIMAL(12,2)"],
      ["decimal(10,2)", "DECIMAL(12,2)"],
      ["text", "VARCHAR"],
      ["int", "BIGINT"],
      ["table", "VARCHAR"],
    ];
    expect(physical.map(([p, t]) => `${p} ~ ${t}: ${duck.physicalTypeMatches(p, t)}`)).toMatchInlineSnapshot(`
      [
        "int8 ~ BIGINT: true",
        "varchar(255) ~ VARCHAR: true",
        "decimal(12,2) ~ DECIMAL(12,2): true",
        "decimal(10,2) ~ DECIMAL(12,2): false",
        "text ~ VARCHAR: true",
        "int ~ BIGINT: false",
        "table ~ VARCHAR: undefined",
      ]
    `);
  });
});
