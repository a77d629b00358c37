import { describe, expect, it } from "vitest";
import { buildChecks } from "../../checks/build-checks.js";
import type { MetricCheck } from "../../checks/check.js";
import { planChecks } from "../../checks/plan-checks.js";
import { stringFormats } from "../../checks/string-formats.js";
import { PostgresDialect } from "./postgres-dialect.js";

const d = new PostgresDialect();

const contract = {
  apiVersion: "v3.1.0",
  kind: "DataContract",
  schema: [
    {
      name: "orders",
      properties: [
        { name: "order_id", logicalType: "integer", physicalType: "bigint", required: true, unique: true },
        { name: "email", logicalType: "string", logicalTypeOptions: { format: "email", maxLength: 120 } },
        { name: "shipped_on", logicalType: "string", logicalTypeOptions: { format: "date" } },
        {
          name: "amount",
          logicalType: "number",
          logicalTypeOptions: { minimum: 0, exclusiveMaximum: 1e6, multipleOf: 0.01 },
          quality: [{ metric: "nullValues", mustBeLessOrEqualTo: 5, unit: "percent" }],
        },
        {
          name: 'sta"tus; DROP TABLE x;--',
          logicalType: "string",
          quality: [
            { metric: "invalidValues", arguments: { validValues: ["new", "it's paid", "back\\slash"] } },
            { metric: "missingValues", arguments: { missingValues: ["", "n/a"] } },
          ],
        },
        { name: "tags", logicalType: "array", logicalTypeOptions: { minItems: 1 } },
        { name: "created_at", logicalType: "timestamp" },
      ],
      quality: [
        { metric: "rowCount", mustBeBetween: [1, 1000000] },
        { metric: "duplicateValues", arguments: { properties: ["order_id", "created_at"] }, mustBe: 0 },
      ],
    },
  ],
  slaProperties: [{ property: "latency", value: 1, unit: "d", element: "orders.created_at" }],
};

describe("PostgresDialect", () => {
  it("plans one aggregate scan for every count-style check of a dataset", () => {
    const metrics = buildChecks(contract).filter((c): c is MetricCheck => c.kind === "metric");
    const plans = planChecks(metrics, d, (s) => `${d.quoteIdentifier("public")}.${d.quoteIdentifier(s)}`);
    expect(plans).toHaveLength(1);
    expect(plans[0]?.sql).toMatchInlineSnapshot(`
      "SELECT
        count(*) AS "m0",
        count(*) FILTER (WHERE "order_id" IS NULL) AS "m1",
        count("order_id") - count(DISTINCT "order_id") AS "m2",
        count(*) FILTER (WHERE "email" IS NOT NULL AND NOT (CAST("email" AS TEXT) ~ E'^[^@[:space:]]+@[^@[:space:]]+\\\\.[^@[:space:]]+$')) AS "m3",
        count(*) FILTER (WHERE "email" IS NOT NULL AND length(CAST("email" AS TEXT)) > 120) AS "m4",
        count(*) FILTER (WHERE "shipped_on" IS NOT NULL AND (CASE WHEN NOT (CAST("shipped_on" AS TEXT) ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$') THEN TRUE ELSE CAST(substr(CAST("shipped_on" AS TEXT), 9, 2) AS INTEGER) > CASE substr(CAST("shipped_on" AS TEXT), 6, 2) WHEN '02' THEN CASE WHEN (CAST(substr(CAST("shipped_on" AS TEXT), 1, 4) AS INTEGER) % 4 = 0 AND CAST(substr(CAST("shipped_on" AS TEXT), 1, 4) AS INTEGER) % 100 <> 0) OR CAST(substr(CAST("shipped_on" AS TEXT), 1, 4) AS INTEGER) % 400 = 0 THEN 29 ELSE 28 END WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END END)) AS "m5",
        count(*) FILTER (WHERE "amount" IS NOT NULL AND "amount" < 0) AS "m6",
        count(*) FILTER (WHERE "amount" IS NOT NULL AND "amount" >= 1000000) AS "m7",
        count(*) FILTER (WHERE "amount" IS NOT NULL AND abs((CAST("amount" AS DOUBLE PRECISION) / 0.01) - round((CAST("amount" AS DOUBLE PRECISION) / 0.01))) > 1e-9) AS "m8",
        count(*) FILTER (WHERE "amount" IS NULL) AS "m9",
        count(*) FILTER (WHERE "sta""tus; DROP TABLE x;--" IS NOT NULL AND (NOT ("sta""tus; DROP TABLE x;--" IN ('new', 'it''s paid', E'back\\\\slash')))) AS "m10",
        count(*) FILTER (WHERE "sta""tus; DROP TABLE x;--" IS NULL OR "sta""tus; DROP TABLE x;--" IN ('', 'n/a')) AS "m11",
        count(*) FILTER (WHERE "tags" IS NOT NULL AND cardinality("tags") < 1) AS "m12",
        count(*) - count(DISTINCT ("order_id", "created_at")) AS "m13",
        CAST(EXTRACT(EPOCH FROM (now() - CAST(max("created_at") AS TIMESTAMPTZ))) AS DOUBLE PRECISION) AS "m14"
      FROM "public"."orders""
    `);
    // The offending values of a failed valid-values rule: asked only after it failed, in one more query.
    const sample = [...(plans[0]?.sampleOf.values() ?? [])][0];
    expect(sample).toBeDefined();
    if (sample)
      expect(d.aggregateQuery('"public"."orders"', [{ alias: "sample", metric: sample }])).toMatchInlineSnapshot(`
      "SELECT
        CAST(to_json((array_agg(DISTINCT CAST("sta""tus; DROP TABLE x;--" AS TEXT) COLLATE "C" ORDER BY CAST("sta""tus; DROP TABLE x;--" AS TEXT) COLLATE "C") FILTER (WHERE "sta""tus; DROP TABLE x;--" IS NOT NULL AND (NOT ("sta""tus; DROP TABLE x;--" IN ('new', 'it''s paid', E'back\\\\slash')))))[1:6]) AS TEXT) AS "sample"
      FROM "public"."orders""
    `);
  });

  it("quotes hostile identifiers and escapes literals whatever standard_conforming_strings says", () => {
    expect(d.quoteIdentifier('a"b; DROP TABLE t;--\nnäme 🦆')).toBe('"a""b; DROP TABLE t;--\nnäme 🦆"');
    expect(d.literal("O'Brien")).toBe("'O''Brien'");
    expect(d.literal("\\'; DROP TABLE t; --")).toBe("E'\\\\''; DROP TABLE t; --'");
    expect(d.literal(null)).toBe("NULL");
    expect(d.literal(true)).toBe("TRUE");
    expect(d.literal(-1.5)).toBe("-1.5");
    expect(() => d.literal("a\0b")).toThrow(/NUL/);
    expect(() => d.quoteIdentifier("a\0b")).toThrow(/NUL/);
  });

  it("keeps plain regex checks for formats without a calendar", () => {
    expect(d.violation('"id"', { kind: "notMatching", pattern: stringFormats.uuid as string })).toMatchInlineSnapshot(
      `"NOT (CAST("id" AS TEXT) ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')"`,
    );
  });

  it.each([
    ["integer", "integer", true],
    ["integer", "bigint", true],
    ["number", "integer", true],
    ["number", "numeric(10,2)", true],
    ["number", "double precision", true],
    ["integer", "numeric", false],
    ["string", "character varying(20)", true],
    ["string", "uuid", true],
    ["string", "integer", false],
    ["date", "date", true],
    ["date", "timestamp without time zone", false],
    ["timestamp", "timestamp(3) with time zone", true],
    ["time", "time with time zone", true],
    ["boolean", "boolean", true],
    ["object", "jsonb", true],
    ["array", "text[]", true],
    ["array", "_int4", true],
    ["array", "jsonb", true],
    ["array", "text", false],
    ["string", "tsvector", undefined],
  ] as const)("logicalType %s accepts %s: %s", (logical, physical, expected) => {
    expect(d.logicalTypeAccepts(logical, physical)).toBe(expected);
  });

  it.each([
    ["bigint", "bigint", true],
    ["int8", "bigint", true],
    ["serial", "integer", true],
    ["bigserial", "bigint", true],
    ["INT", "integer", true],
    ["float", "double precision", true],
    ["float4", "real", true],
    ["varchar(10)", "character varying(10)", true],
    ["varchar(10)", "character varying(20)", false],
    ["varchar", "character varying(20)", true],
    ["decimal(10,2)", "numeric(10,2)", true],
    ["numeric(10, 2)", "numeric(12,2)", false],
    ["timestamptz", "timestamp with time zone", true],
    ["timestamp", "timestamp with time zone", false],
    ["text[]", "text[]", true],
    ["text[]", "text", false],
    ["integer[]", "_int4", true],
    ["text", "character varying", true],
    ["varchar", "text", true],
    ["varchar(10)", "text", false],
    ["text", "character varying(10)", false],
    ["geography", "text", undefined],
  ] as const)("physicalType %s matches %s: %s", (declared, actual, expected) => {
    expect(d.physicalTypeMatches(declared, actual)).toBe(expected);
  });
});
