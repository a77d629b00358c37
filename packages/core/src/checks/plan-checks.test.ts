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
        count(*) FILTER (WHERE "status" IS NULL) AS "p2",
        min("status") AS "p3",
        max("status") AS "p4",
        count(*) FILTER (WHERE "paid" IS NULL) AS "p5",
        count(*) FILTER (WHERE "paid") AS "p6",
        count(*) FILTER (WHERE "at" IS NULL) AS "p7",
        min("at") AS "p8",
        max("at") AS "p9",
        count(*) FILTER (WHERE "odd ""name""; with space å" IS NULL) AS "p10",
        min("odd ""name""; with space å") AS "p11",
        max("odd ""name""; with space å") AS "p12",
        CAST(avg("odd ""name""; with space å") AS DOUBLE PRECISION) AS "p13",
        count(*) FILTER (WHERE "tags" IS NULL) AS "p14",
        count(*) FILTER (WHERE "meta" IS NULL) AS "p15"
      FROM "orders""
    `);
  });

  it("reads exact distinct counts from a uniqueness check and top values of booleans", () => {
    const [plan] = planChecks(metricChecks, new DuckDbDialect(), relation, new Map([["orders", columns]]));
    if (plan?.profile === undefined) throw new Error("no profile planned");
    const row = { m0: 10, m1: 0, m2: 1, m3: 0, p0: 1, p1: 9, p2: 2, p3: "paid", p4: "shipped", p5: 1, p6: 6 };
    const [id, status, paid] = readProfile("orders", plan.profile.plan, row, 10).columns;
    expect(id).toMatchObject({ nulls: 0, nullRate: 0, distinct: 9, distinctApproximate: false, min: 1, mean: null });
    expect(status).toMatchObject({ nulls: 2, nullRate: 0.2, min: "paid", max: "shipped", distinct: null, top: null });
    expect(paid).toMatchObject({
      distinct: 2,
      top: [
        { value: "true", count: 6 },
        { value: "false", count: 3 },
      ],
    });
  });

  it("leaves out of the scan what the engine states exactly, and takes approximate figures it keeps", () => {
    const statistics = new Map([
      [
        "orders",
        new Map([
          ["id", { nulls: 0, range: { min: 1, max: 9 } }],
          ["status", { nulls: 2, distinct: -0.25, top: [{ value: "paid", share: 0.5 }] }],
          ["at", { range: { min: "2024-01-01 00:00:00", max: "2024-02-01 00:00:00" } }],
        ]),
      ],
    ]);
    const [plan] = planChecks(metricChecks, new DuckDbDialect(), relation, new Map([["orders", columns]]), statistics);
    if (plan?.profile === undefined) throw new Error("no profile planned");
    // The checks' own nullCount of id stays (shared, free); min/max of id and at, and the nulls of status, go.
    expect(
      plan.profile.items.map((i) => `${i.alias} ${i.metric.kind} ${"property" in i.metric ? i.metric.property : ""}`),
    ).toMatchInlineSnapshot(`
      [
        "p0 minValue status",
        "p1 maxValue status",
        "p2 nullCount paid",
        "p3 trueCount paid",
        "p4 nullCount at",
        "p5 nullCount odd "name"; with space å",
        "p6 minValue odd "name"; with space å",
        "p7 maxValue odd "name"; with space å",
        "p8 meanValue odd "name"; with space å",
        "p9 nullCount tags",
        "p10 nullCount meta",
      ]
    `);
    const profile = readProfile("orders", plan.profile.plan, { m0: 10, m1: 0, m2: 0, p0: "paid", p1: "x" }, 10);
    const [id, status, , at] = profile.columns;
    expect(id).toMatchObject({ nulls: 0, min: 1, max: 9, mean: null, distinct: 10, distinctApproximate: false });
    expect(status).toMatchObject({
      nulls: 2,
      nullRate: 0.2,
      distinct: 2,
      distinctApproximate: true,
      top: [{ value: "paid", count: 5 }],
    });
    expect(at).toMatchObject({ min: "2024-01-01 00:00:00", max: "2024-02-01 00:00:00" });
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
