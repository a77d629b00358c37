import { describe, expect, it } from "vitest";
import { formatIssue } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { importText } from "../format-test-kit.test-helpers.js";
import { importDcs } from "./import.js";

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function convert(yaml: string): { value: Obj; lines: string[] } {
  const { value, issues } = importDcs(SourceDocument.parse(yaml, "dc.yaml"));
  return {
    value,
    lines: issues.filter((i) => !i.code.startsWith("schema-") && i.severity !== "info").map(formatIssue),
  };
}

const dcs = (body: string, version = "1.2.1") =>
  `dataContractSpecification: ${version}\nid: test\ninfo:\n  title: Test\n  version: 1.0.0\n${body}`;

describe("DCS SodaCL and Great Expectations rules become executable ODCS rules", () => {
  it("converts a field's SodaCL checks to rules on that property", () => {
    const { value, lines } = convert(
      dcs(`models:
  orders:
    fields:
      status:
        type: string
        quality:
          - type: sodacl
            specification:
              - invalid_count(status) = 0:
                  valid values: [new, paid]
              - missing_percent(status) < 5%
              - row_count > 10
              - duplicate_count(id) = 0
`),
    );
    expect(value.schema[0].properties[0].quality).toEqual([
      { type: "library", metric: "invalidValues", arguments: { validValues: ["new", "paid"] }, mustBe: 0 },
      { type: "library", metric: "nullValues", mustBeLessThan: 5, unit: "percent" },
      // A row count under a field is said in SQL (rowCount belongs to the object).
      { type: "sql", query: "SELECT COUNT(*) FROM {object}", mustBeGreaterThan: 10 },
      // A check on another column names it.
      { type: "library", metric: "duplicateValues", arguments: { properties: ["id"] }, mustBe: 0 },
    ]);
    expect(lines).toEqual([]);
  });

  it("converts a model's Great Expectations rule (custom + engine) to rules on the object", () => {
    const { value, lines } = convert(
      dcs(`models:
  orders:
    fields:
      id: { type: string }
    quality:
      - type: custom
        engine: great-expectations
        implementation:
          - expectation_type: expect_column_values_to_not_be_null
            kwargs: { column: id }
          - expectation_type: expect_column_values_to_be_in_set
            kwargs: { column: id, value_set: [a, b], mostly: 0.9 }
          - expectation_type: expect_table_row_count_to_equal
            kwargs: { value: 3 }
          - expectation_type: expect_column_values_to_match_regex
            kwargs: { column: id, regex: "^[a-z]$" }
          - expectation_type: expect_the_moon
            kwargs: {}
`),
    );
    expect(value.schema[0].quality).toEqual([
      {
        type: "sql",
        description: "expect_column_values_to_not_be_null",
        query: 'SELECT COUNT(*) FROM {object} WHERE "id" IS NULL',
        mustBe: 0,
      },
      {
        type: "sql",
        description: "expect_column_values_to_be_in_set",
        query:
          "SELECT CASE WHEN COUNT(*) = 0 THEN 0 ELSE 100.0 * SUM(CASE WHEN \"id\" NOT IN ('a', 'b') THEN 1 ELSE 0 END) / COUNT(*) END FROM {object}",
        mustBeLessOrEqualTo: 10,
        unit: "percent",
      },
      { type: "library", metric: "rowCount", mustBe: 3 },
      // A regular expression on the object has no portable SQL: kept as written, not run.
      {
        type: "custom",
        engine: "great-expectations",
        implementation: {
          expectation_type: "expect_column_values_to_match_regex",
          kwargs: { column: "id", regex: "^[a-z]$" },
        },
      },
      { type: "custom", engine: "great-expectations", implementation: { type: "expect_the_moon" } },
    ]);
    expect(lines).toEqual([
      "dc.yaml:22:13 warning gx-expectation-unknown Quanta does not run expect_the_moon; kept as a great-expectations rule",
      "dc.yaml:20:13 warning quality-not-portable this check on id can only run under that property (a regular expression has no portable SQL); kept as a rule Quanta does not run",
    ]);
  });

  it("converts DCS 0.9 top-level SodaCL text per model, with warnings at their line in the text", () => {
    const { value, lines } = convert(
      dcs(
        `models:
  orders:
    fields:
      id: { type: string }
      amount: { type: decimal }
quality:
  type: SodaCL
  specification: |
    checks for orders:
      - row_count between 1 and 100
      - missing_count(id) = 0
      - invalid_count(amount) = 0:
          valid min: 0
      - avg(amount) > 1
      - row_count ~ 5
      - freshness(ts::datetime) < 2d
`,
        "0.9.3",
      ),
    );
    expect(value.schema[0].quality).toEqual([
      { type: "library", metric: "rowCount", mustBeBetween: [1, 100] },
      {
        type: "sql",
        description: "missing_count(id) = 0",
        query: 'SELECT COUNT(*) FROM {object} WHERE "id" IS NULL',
        mustBe: 0,
      },
      {
        type: "sql",
        description: "invalid_count(amount) = 0",
        query: 'SELECT COUNT(*) FROM {object} WHERE "amount" IS NOT NULL AND ("amount" < 0)',
        mustBe: 0,
        customProperties: [{ property: "sodaCheck", value: { "invalid_count(amount) = 0": { "valid min": 0 } } }],
      },
      {
        type: "sql",
        description: "avg(amount) > 1",
        query: 'SELECT CAST(AVG("amount") AS DOUBLE PRECISION) FROM {object}',
        mustBeGreaterThan: 1,
        customProperties: [{ property: "sodaCheck", value: "avg(amount) > 1" }],
      },
      { type: "custom", engine: "soda", implementation: { "checks for orders": ["row_count ~ 5"] } },
      {
        type: "sql",
        description: "freshness(ts::datetime) < 2d",
        dimension: "timeliness",
        query: 'SELECT EXTRACT(EPOCH FROM (now() - CAST(MAX("ts") AS TIMESTAMPTZ))) FROM {object}',
        mustBeLessThan: 172800,
        customProperties: [{ property: "sodaCheck", value: "freshness(ts::datetime) < 2d" }],
      },
    ]);
    expect(lines).toEqual([
      'dc.yaml:20:9 warning sodacl-check-invalid cannot read the threshold "~ 5" (use = != < <= > >= or between … and …); kept as a soda rule Quanta does not run',
    ]);
  });

  it("reads a DCS 0.9 top-level Great Expectations specification per model", () => {
    const { value, lines } = convert(
      dcs(
        `models:
  orders:
    fields:
      id: { type: string }
quality:
  type: great-expectations
  specification:
    orders: |
      [{"expectation_type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}]
`,
        "0.9.3",
      ),
    );
    expect(lines).toEqual([]);
    expect(value.schema[0].quality).toEqual([{ type: "library", metric: "rowCount", mustBeGreaterOrEqualTo: 1 }]);
  });

  it("names a specification that is not YAML", () => {
    const { lines } = convert(
      dcs(`models:
  orders:
    quality:
      - type: sodacl
        specification: "checks for orders: [row_count > 0"
`),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dc\.yaml:10:9 warning dcs-quality-invalid the specification is not YAML: /);
  });

  it("gives contracts that lint clean: converted rules sit where ODCS allows them", async () => {
    const outcome = await importText(
      "dcs",
      dcs(
        `models:
  orders:
    fields:
      id:
        type: string
        quality:
          - type: sodacl
            specification: ["row_count > 1", "missing_count(id) = 0", "duplicate_count(id) = 0"]
    quality:
      - type: custom
        engine: great-expectations
        implementation: { expectation_type: expect_column_values_to_be_unique, kwargs: { column: id } }
quality:
  type: SodaCL
  specification:
    checks for orders:
      - invalid_count(id) = 0:
          valid values: [a]
      - duplicate_count(id, id) = 0
`,
        "0.9.3",
      ),
    );
    const problems = outcome.issues.filter((i) => i.severity === "error" || i.code.startsWith("import-output"));
    expect(problems.map(formatIssue)).toEqual([]);
    expect(outcome.text).toBeDefined();
  });
});
