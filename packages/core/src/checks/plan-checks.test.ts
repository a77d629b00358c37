import { describe, expect, it } from "vitest";
import { DuckDbDialect } from "../dialect/duckdb/duckdb-dialect.js";
import { PostgresDialect } from "../dialect/postgres/postgres-dialect.js";
import { buildChecks } from "./build-checks.js";
import type { MetricCheck } from "./check.js";
import type { ColumnInfo } from "./connection.js";
import { planChecks } from "./plan-checks.js";
import { profiledColumnLimit, readProfile } from "./profile.js";

const contract = {
  apiVersion: "v3.1.0",
  kind: "DataContract",
  id: "plan",
  version: "1.0.0",
  status: "active",
  schema: [
    {
      name: "orders",
      properties: [
        { name: "id", logicalType: "integer", required: true, unique: true },
        {
          name: "status",
          logicalType: "string",
          quality: [{ metric: "invalidValues", arguments: { validValues: ["paid", "shipped"] }, mustBe: 0 }],
        },
      ],
    },
  ],
};
const columns: ColumnInfo[] = [
  { name: "id", type: "BIGINT" },
  { name: "status", type: "VARCHAR" },
  { name: "paid", type: "BOOLEAN" },
  { name: "at", type: "TIMESTAMP" },
  { name: 'odd "name"; with space å', type: "DECIMAL(12,2)" },
  { name: "tags", type: "VARCHAR[]" },
  { name: "meta", type: "STRUCT(a INTEGER)" },
];
const metricChecks = buildChecks(contract).filter((c): c is MetricCheck => c.kind === "metric");
const relation = (s: string) => `"${s}"`;

describe("planChecks with a profile", () => {
  it("adds the profile's aggregates to the dataset's one query, reusing what the checks compute", () => {
    const [plan] = planChecks(metricChecks, new DuckDbDialect(), relation, new Map([["orders", columns]]));
    if (plan?.profile === undefined) throw new Error("no profile planned");
    // The checks' own query is unchanged; the statement that runs is the longer one.
    expect(plan.sql).toBe(planChecks(metricChecks, new DuckDbDialect(), relation)[0]?.sql);
    expect(plan.profile.sql).toMatchInlineSnapshot(`
      "SELECT
        count(*) AS "m0",
        count(*) FILTER (WHERE "id" IS NULL) AS "m1",
        count("id") - count(DISTINCT "id") AS "m2",
        count(*) FILTER (WHERE "status" IS NOT NULL AND (NOT ("status" IN ('paid', 'shipped')))) AS "m3",
        min("id") AS "p0",
        max("id") AS "p1",
        CAST(avg("id") AS DOUBLE PRECISION) AS "p2",
        count(*) FILTER (WHERE "status" IS NULL) AS "p3",
        min("status") AS "p4",
        max("status") AS "p5",
        count(*) FILTER (WHERE "status" = 'paid') AS "p6",
        count(*) FILTER (WHERE "status" = 'shipped') AS "p7",
        count(*) FILTER (WHERE "paid" IS NULL) AS "p8",
        count(*) FILTER (WHERE "paid") AS "p9",
        count(*) FILTER (WHERE "at" IS NULL) AS "p10",
        min("at") AS "p11",
        max("at") AS "p12",
        count(*) FILTER (WHERE "odd ""name""; with space å" IS NULL) AS "p13",
        min("odd ""name""; with space å") AS "p14",
        max("odd ""name""; with space å") AS "p15",
        CAST(avg("odd ""name""; with space å") AS DOUBLE PRECISION) AS "p16",
        count(*) FILTER (WHERE "tags" IS NULL) AS "p17",
        count(*) FILTER (WHERE "meta" IS NULL) AS "p18"
      FROM "orders""
    `);
  });

  it("reads exact distinct counts and top values from the checks' aggregates", () => {
    const [plan] = planChecks(metricChecks, new DuckDbDialect(), relation, new Map([["orders", columns]]));
    if (plan?.profile === undefined) throw new Error("no profile planned");
    const row = { m0: 10, m1: 0, m2: 1, m3: 0, p0: 1, p1: 9, p2: 5, p3: 2, p4: "paid", p5: "shipped", p6: 5, p7: 3 };
    const [id, status, paid] = readProfile("orders", plan.profile.plan, { ...row, p8: 1, p9: 6 }, 10).columns;
    expect(id).toMatchObject({ nulls: 0, nullRate: 0, distinct: 9, distinctApproximate: false, min: 1, mean: 5 });
    expect(status).toMatchObject({
      nulls: 2,
      distinct: 2,
      top: [
        { value: "paid", count: 5 },
        { value: "shipped", count: 3 },
      ],
    });
    expect(paid).toMatchObject({
      distinct: 2,
      top: [
        { value: "true", count: 6 },
        { value: "false", count: 3 },
      ],
    });
    // A value outside the listed ones: the counted values are not the whole picture, so no top.
    const outside = readProfile("orders", plan.profile.plan, { ...row, m3: 1 }, 10).columns[1];
    expect(outside).toMatchObject({ top: null, distinct: null });
  });

  it("profiles on PostgreSQL only what its types can aggregate", () => {
    const pgColumns: ColumnInfo[] = [
      { name: "n", type: "numeric(12,2)" },
      { name: "u", type: "uuid" },
      { name: "o", type: "oid" },
      { name: "t", type: "character varying(20)" },
      { name: "x", type: "xml" },
      { name: "a", type: "integer[]" },
    ];
    const [plan] = planChecks([], new PostgresDialect(), relation, new Map([["t", pgColumns]]));
    expect(plan?.profile?.sql).toMatchInlineSnapshot(`
      "SELECT
        count(*) AS "m0",
        count(*) FILTER (WHERE "n" IS NULL) AS "p0",
        min("n") AS "p1",
        max("n") AS "p2",
        CAST(avg("n") AS DOUBLE PRECISION) AS "p3",
        count(*) FILTER (WHERE "u" IS NULL) AS "p4",
        count(*) FILTER (WHERE "o" IS NULL) AS "p5",
        min("o") AS "p6",
        max("o") AS "p7",
        count(*) FILTER (WHERE "t" IS NULL) AS "p8",
        min("t") AS "p9",
        max("t") AS "p10",
        count(*) FILTER (WHERE "x" IS NULL) AS "p11",
        count(*) FILTER (WHERE "a" IS NULL) AS "p12"
      FROM "t""
    `);
  });

  it(`aggregates the first ${profiledColumnLimit} columns and lists the others`, () => {
    const wide = Array.from({ length: 250 }, (_, i) => ({ name: `c${i}`, type: "INTEGER" }));
    const [plan] = planChecks([], new DuckDbDialect(), relation, new Map([["wide", wide]]));
    if (plan?.profile === undefined) throw new Error("no profile planned");
    expect(plan.profile.items).toHaveLength(profiledColumnLimit * 4);
    const profile = readProfile("wide", plan.profile.plan, {}, 0);
    expect(profile.columns).toHaveLength(250);
    expect(profile.reason).toBe("profiled the first 200 of 250 columns; the others are listed without figures");
  });

  it("plans no profile unless asked", () => {
    const [plan] = planChecks(metricChecks, new DuckDbDialect(), relation);
    expect(plan?.profile).toBeUndefined();
  });
});
