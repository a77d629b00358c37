import { describe, expect, it } from "vitest";
import { createStepTable, fillStepTable, judgedStep, type ServedInput, stepRowsAsJson } from "./pipeline-sql.js";

const orders: ServedInput = {
  name: "orders",
  select: `SELECT "order_id", '***'::text AS "email" FROM "sales"."orders" WHERE (\nconsent\n)`,
  filtered: true,
};
const stations: ServedInput = { name: "stations", select: `SELECT "id" FROM "ref"."stations"`, filtered: false };
const step = { name: "daily", sql: "SELECT order_id FROM orders -- trailing comment;" };

describe("a step's statements in PostgreSQL", () => {
  it("makes the step's table from its plan alone, the step's text on lines of its own", () => {
    expect(createStepTable([orders, stations], step)).toMatchInlineSnapshot(`
      "CREATE TEMP TABLE "daily" ON COMMIT DROP AS WITH "orders" AS (
      SELECT "order_id", '***'::text AS "email" FROM "sales"."orders" WHERE (
      consent
      )
      OFFSET 0
      ),
      "stations" AS (
      SELECT "id" FROM "ref"."stations"
      )
      SELECT * FROM (
      SELECT order_id FROM orders -- trailing comment
      ) AS quanta_step
      WITH NO DATA"
    `);
  });

  it("fills the temporary table, which a READ ONLY transaction allows", () => {
    expect(fillStepTable([stations], { name: "totals", sql: "SELECT count(*) FROM daily" })).toMatchInlineSnapshot(`
      "WITH "stations" AS (
      SELECT "id" FROM "ref"."stations"
      )
      INSERT INTO pg_temp."totals"
      SELECT * FROM (
      SELECT count(*) FROM daily
      ) AS quanta_step"
    `);
  });

  it("plans a step over fences the step cannot name: every input and every earlier step", () => {
    const judged = judgedStep([orders], ["daily"], "SELECT * FROM daily JOIN orders USING (order_id)");
    const [fence0, fence1] = [...judged.fences].map((f) => f.replace("CTE ", ""));
    expect(judged.fences.size).toBe(2);
    expect(judged.sql).toMatch(/^EXPLAIN \(VERBOSE, FORMAT JSON\) WITH /);
    expect(judged.sql).toContain(`"${fence0}" AS MATERIALIZED (\n${orders.select}\n)`);
    expect(judged.sql).toContain(`"orders" AS (SELECT * FROM "${fence0}")`);
    expect(judged.sql).toContain(`"${fence1}" AS MATERIALIZED (\nSELECT * FROM pg_temp."daily"\n)`);
    expect(judged.sql).toContain(`"daily" AS (SELECT * FROM "${fence1}")`);
    // A new tag every time: the step's text cannot know it.
    expect(judgedStep([orders], [], "SELECT 1").fences).not.toEqual(judgedStep([orders], [], "SELECT 1").fences);
  });

  it("sends numeric values as JSON strings, so a reader does not round them through a double", () => {
    const columns = [
      { name: "id", type: "integer" },
      { name: "amount", type: "numeric(38,10)" },
      { name: "ratio", type: "numeric" },
    ];
    expect(stepRowsAsJson("totals", columns)).toBe(
      'SELECT row_to_json(quanta_row)::text FROM (SELECT "id", "amount"::text AS "amount", "ratio"::text AS "ratio" FROM pg_temp."totals") AS quanta_row',
    );
  });
});
