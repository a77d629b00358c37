import { describe, expect, it } from "vitest";
import { buildChecks } from "./build-checks.js";
import { describeThreshold, satisfies } from "./evaluate.js";
import { resolvePlaceholders } from "./placeholders.js";

const line = (c: ReturnType<typeof buildChecks>[number]) =>
  `${c.key} [${c.kind}/${c.type}/${c.dimension}/${c.severity}]${"reason" in c ? ` ${c.reason}` : ""}${"threshold" in c ? ` ${describeThreshold(c.threshold, c.unit)}` : ""}${c.id ? ` id=${c.id}` : ""}`;

describe("buildChecks", () => {
  it("turns rules it cannot read into error checks with the reason, never throws", () => {
    const checks = buildChecks({
      schema: [
        {
          name: "t",
          properties: [
            {
              name: "c",
              logicalTypeOptions: {
                minimum: "lots",
                minLength: -1,
                pattern: 3,
                multipleOf: 0,
                format: "color",
                maximum: 5,
              },
              quality: [
                { metric: "median", mustBe: 1 },
                { metric: "nullValues", mustBe: 0, mustBeLessThan: 3 },
                { metric: "invalidValues", mustBe: 0 },
                { metric: "nullValues", mustBeBetween: [5] },
                { type: "sql", mustBe: 0 },
                { type: "sql", query: "SELECT 1" },
                { type: "dbt" },
                { id: "q1", rule: "nullCheck", severity: "Warning", dimension: "completeness" },
                "not a rule",
              ],
            },
          ],
          quality: [{ metric: "duplicateValues", mustBe: 0 }, { metric: "nullValues" }],
        },
        { properties: [] },
        "junk",
      ],
      slaProperties: [
        { property: "latency", value: "soon", unit: "d", element: "t.c" },
        { property: "retention", value: 3, unit: "fortnight", element: "t.c" },
        { property: "freshness", value: 3, unit: "h", element: "c" },
        { property: "latency", value: 3, element: "nowhere.c, t.c" },
      ],
    });
    expect(checks.map(line)).toMatchInlineSnapshot(`
      [
        "t.objectExists [schema/objectExists/completeness/error]",
        "t.c.propertyExists [schema/propertyExists/completeness/error]",
        "t.c.minimum [metric/minimum/accuracy/error] = 0",
        "t.c.minLength [invalid/minLength/conformity/error] logicalTypeOptions.minLength: expected a non-negative integer, got -1",
        "t.c.pattern [invalid/pattern/conformity/error] logicalTypeOptions.pattern: pattern must be a string, got 3",
        "t.c.multipleOf [invalid/multipleOf/accuracy/error] logicalTypeOptions.multipleOf: multipleOf must be a positive number, got 0",
        "t.c.format [skipped/format/conformity/error] format "color" is not checked (known: email, uuid, uri, date, date-time, time, ipv4, hostname)",
        "t.c.maximum [metric/maximum/accuracy/error] = 0",
        "t.c.quality.0.median [invalid/custom/accuracy/error] unknown metric "median" (known: nullValues, missingValues, invalidValues, duplicateValues, rowCount)",
        "t.c.quality.1.nullValues [invalid/nullValues/completeness/error] more than one operator: mustBe, mustBeLessThan",
        "t.c.quality.2.invalidValues [invalid/invalidValues/conformity/error] invalidValues needs arguments.validValues or arguments.pattern",
        "t.c.quality.3.nullValues [invalid/nullValues/completeness/error] mustBeBetween needs two numbers, got [5]",
        "t.c.quality.4.sql [invalid/sql/accuracy/error] sql rule has no query",
        "t.c.quality.5.sql [invalid/sql/accuracy/error] sql rule states no operator (mustBe, mustBeLessThan …)",
        "t.c.quality.6.unknown [invalid/custom/accuracy/error] unknown quality rule type "dbt"",
        "t.c.quality.q1.nullValues [metric/nullValues/completeness/warning] = 0 id=q1",
        "t.c.quality.8.metric [invalid/custom/accuracy/error] library rule has no metric",
        "t.quality.0.duplicateValues [invalid/duplicateValues/uniqueness/error] duplicateValues on a schema object needs arguments.properties",
        "t.quality.1.nullValues [invalid/nullValues/completeness/error] nullValues needs a property (put the rule under a property)",
        "sla.latency.t.c [invalid/freshness/latency/error] latency value must be a non-negative number, got "soon"",
        "sla.retention.t.c [invalid/retention/retention/error] unknown unit "fortnight" (use s, m, h, d, w, mo, y)",
        "sla.freshness.c [metric/freshness/freshness/error] <= 10800",
        "sla.latency.nowhere.c [metric/freshness/latency/error] <= 259200",
        "sla.latency.t.c.2 [metric/freshness/latency/error] <= 259200",
      ]
    `);
  });

  it("filters by schema object", () => {
    const contract = { schema: [{ name: "a", physicalName: "a_tbl" }, { name: "b" }] };
    expect(buildChecks(contract, { schema: "a" }).map((c) => c.key)).toEqual(["a_tbl.objectExists"]);
    expect(buildChecks(contract, { schema: "b" }).map((c) => c.key)).toEqual(["b.objectExists"]);
  });
});

describe("operators and placeholders", () => {
  it("evaluates numbers returned as text and refuses to order text", () => {
    expect(satisfies({ operator: "mustBe", value: 0 }, "0")).toBe(true);
    expect(satisfies({ operator: "mustBeLessThan", value: 1 }, "0.5")).toBe(true);
    expect(satisfies({ operator: "mustBeLessThan", value: 1 }, "abc")).toBeUndefined();
    expect(satisfies({ operator: "mustBe", value: "ok" }, "ok")).toBe(true);
    expect(satisfies({ operator: "mustNotBeBetween", value: [1, 2] }, 3)).toBe(true);
  });

  it("resolves every placeholder convention", () => {
    const q =
      "SELECT {property}, ${column}, {field}, { column } FROM {object} JOIN ${table} JOIN {model} JOIN ${model}";
    expect(resolvePlaceholders(q, { relation: '"t"', column: '"c"' })).toMatchInlineSnapshot(`
      {
        "sql": "SELECT "c", "c", "c", "c" FROM "t" JOIN "t" JOIN "t" JOIN "t"",
      }
    `);
    expect(resolvePlaceholders("SELECT ${column} FROM {object}", { relation: '"t"' })).toMatchInlineSnapshot(`
      {
        "error": "\${column} is used in a rule that is not under a property",
      }
    `);
  });
});
