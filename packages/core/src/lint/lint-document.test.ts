import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SourceDocument } from "../spec/source.js";
import { lintDocument } from "./lint-document.js";

const head = `apiVersion: v3.1.0
kind: DataContract
id: orders-contract
version: 1.0.0
status: active
`;

/** Lints `head + body` and returns `line:column code` for the codes under test (line 6 = body line 1). */
function lint(body: string, codes?: string[]): string[] {
  const issues = lintDocument(SourceDocument.parse(head + body, "c.odcs.yaml"));
  return issues.filter((i) => !codes || codes.includes(i.code)).map((i) => `${i.line}:${i.column} ${i.code}`);
}

function messages(body: string, code: string): string[] {
  return lintDocument(SourceDocument.parse(head + body, "c.odcs.yaml"))
    .filter((i) => i.code === code)
    .map((i) => i.message);
}

const clean = `schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: integer
        primaryKey: true
        primaryKeyPosition: 1
        logicalTypeOptions: { minimum: 1, maximum: 100 }
        examples: [1, 42]
      - name: line_no
        logicalType: integer
        primaryKey: true
        primaryKeyPosition: 2
      - name: customer_id
        logicalType: string
        logicalTypeOptions: { minLength: 2, maxLength: 8, pattern: "^C[0-9]+$" }
        examples: ["C1", "C42"]
        relationships:
          - to: customers.id
        quality:
          - metric: invalidValues
            arguments: { pattern: "^C[0-9]+$" }
            mustBe: 0
      - name: ordered_on
        logicalType: date
        logicalTypeOptions: { minimum: "2020-01-01", maximum: "2030-12-31" }
        examples: ["2024-02-29"]
    quality:
      - metric: rowCount
        mustBeBetween: [1, 1000000]
      - metric: duplicateValues
        arguments: { properties: [order_id, line_no] }
        mustBe: 0
      - type: sql
        query: |
          SELECT COUNT(*) FROM {object}
          WHERE customer_id IS NULL
        mustBe: 0
  - name: customers
    properties:
      - name: id
        logicalType: string
`;

describe("lintDocument", () => {
  test("a clean contract has no issue", () => {
    expect(lint(clean)).toEqual([]);
  });

  test("duplicate object and property names point at the second, naming the first's line", () => {
    const body = `schema:
  - name: orders
    properties:
      - name: id
      - name: id
  - name: orders
`;
    expect(lint(body, ["duplicate-object-name", "duplicate-property-name"])).toEqual([
      "10:15 duplicate-property-name",
      "11:11 duplicate-object-name",
    ]);
    expect(messages(body, "duplicate-object-name")).toEqual([
      'schema object "orders" is defined twice; the first is on line 7',
    ]);
  });

  test("nested properties are checked for duplicates too", () => {
    const body = `schema:
  - name: orders
    properties:
      - name: address
        logicalType: object
        properties:
          - name: city
          - name: city
`;
    expect(lint(body, ["duplicate-property-name"])).toEqual(["13:19 duplicate-property-name"]);
  });

  test("relationship targets that do not exist, by shorthand and by id", () => {
    const body = `schema:
  - id: orders_obj
    name: orders
    relationships:
      - from: [orders.customer_id, orders.region]
        to: [customers.id]
      - from: orders.customer_id
        to: schema/customers_obj/properties/nope
    properties:
      - id: customer_prop
        name: customer_id
        relationships:
          - to: customer.id
      - name: region
  - id: customers_obj
    name: customers
    properties:
      - id: id_prop
        name: id
`;
    const codes = ["relationship-target-missing", "relationship-target-external", "relationship-arity-mismatch"];
    // `customer.id` names no object of this contract: another contract's object (RFC 0009a), a warning.
    expect(lint(body, codes)).toEqual([
      "11:9 relationship-arity-mismatch",
      "13:13 relationship-target-missing",
      "18:17 relationship-target-external",
    ]);
    const ok = body
      .replace("properties/nope", "properties/id_prop")
      .replace("to: customer.id", "to: customers.id")
      .replace("to: [customers.id]", "to: [customers.id, customers.id]");
    expect(lint(ok, codes)).toEqual([]);
    // A missing property of an object this contract has is a mistake, whatever the other contracts.
    expect(lint(body.replace("to: customer.id", "to: customers.nope"), codes)).toContain(
      "18:17 relationship-target-missing",
    );
  });

  test("primary key positions: duplicate, gap, not a key, missing in a composite key", () => {
    const body = `schema:
  - name: a
    properties:
      - { name: x, primaryKey: true, primaryKeyPosition: 1 }
      - { name: y, primaryKey: true, primaryKeyPosition: 1 }
      - { name: z, primaryKeyPosition: 2 }
  - name: b
    properties:
      - { name: x, primaryKey: true, primaryKeyPosition: 1 }
      - { name: y, primaryKey: true, primaryKeyPosition: 3 }
  - name: c
    properties:
      - { name: x, primaryKey: true, primaryKeyPosition: 1 }
      - { name: y, primaryKey: true }
`;
    expect(lint(body, ["primary-key-position", "primary-key-position-missing"])).toEqual([
      "10:58 primary-key-position",
      "11:20 primary-key-position",
      "15:58 primary-key-position",
      "19:20 primary-key-position-missing",
    ]);
    expect(messages(body, "primary-key-position")[0]).toBe('"y" and "x" (line 9) both have primaryKeyPosition 1');
  });

  test("quality metrics in the wrong place, unknown, and with unfit arguments", () => {
    const body = `schema:
  - name: orders
    quality:
      - metric: duplicateValues
        mustBe: 0
      - metric: nullValues
        mustBe: 0
      - metric: rowcount
        mustBeGreaterThan: 0
    properties:
      - name: id
        quality:
          - metric: rowCount
            mustBeGreaterThan: 0
          - metric: nullValues
            mustBe: 0
            arguments:
              validValues: [a]
          - metric: invalidValues
            mustBe: 0
          - metric: missingValues
            mustBe: 0
            arguments:
              missingValues: "n/a"
`;
    expect(lint(body, ["quality-metric-placement", "quality-metric-unknown", "quality-arguments-invalid"])).toEqual([
      "9:17 quality-metric-placement",
      "11:17 quality-metric-placement",
      "13:17 quality-metric-unknown",
      "18:21 quality-metric-placement",
      "23:15 quality-arguments-invalid",
      "24:21 quality-arguments-invalid",
      "29:30 quality-arguments-invalid",
    ]);
    expect(messages(body, "quality-metric-unknown")).toEqual([
      'unknown metric "rowcount"; did you mean "rowCount"? (known: nullValues, missingValues, invalidValues, duplicateValues, rowCount)',
    ]);
  });

  test("quality operators that do not fit, and reversed bounds", () => {
    const body = `schema:
  - name: orders
    quality:
      - metric: rowCount
        mustBeBetween: [5]
      - metric: rowCount
        unit: percent
        mustBe: 0
      - metric: rowCount
        mustBeGreaterThan: 1
        mustBeLessThan: 9
      - metric: rowCount
        description: no operator
      - metric: rowCount
        mustNotBeBetween: [100, 10]
`;
    expect(lint(body, ["quality-operator-invalid", "quality-bounds-reversed"])).toEqual([
      "10:24 quality-operator-invalid",
      "12:15 quality-operator-invalid",
      "16:9 quality-operator-invalid",
      "17:9 quality-operator-invalid",
      "20:27 quality-bounds-reversed",
    ]);
  });

  test("logical type options that contradict or do not fit the type", () => {
    const body = `schema:
  - name: t
    properties:
      - name: n
        logicalType: integer
        logicalTypeOptions:
          maxLength: 3
          minimum: 10
          maximum: 5
      - name: s
        logicalType: string
        logicalTypeOptions: { minLength: 4, maxLength: 2 }
      - name: e
        logicalType: integer
        logicalTypeOptions: { exclusiveMinimum: 1, exclusiveMaximum: 2 }
      - name: d
        logicalType: date
        logicalTypeOptions: { minimum: "2024-05-01", maximum: "2024-01-01" }
`;
    expect(lint(body, ["logical-type-option-mismatch", "logical-type-options-contradict"])).toEqual([
      "12:11 logical-type-option-mismatch",
      "14:20 logical-type-options-contradict",
      "17:56 logical-type-options-contradict",
      "20:70 logical-type-options-contradict",
      "23:63 logical-type-options-contradict",
    ]);
    expect(messages(body, "logical-type-option-mismatch")).toEqual([
      "maxLength does not apply to logicalType integer; it applies to string (integer takes: minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, format)",
    ]);
  });

  test("patterns that are not regular expressions", () => {
    const body = `schema:
  - name: t
    properties:
      - name: s
        logicalType: string
        logicalTypeOptions:
          pattern: "^(a"
        quality:
          - metric: invalidValues
            arguments: { pattern: "[z-a]" }
            mustBe: 0
`;
    expect(lint(body, ["invalid-pattern"])).toEqual(["12:20 invalid-pattern", "15:35 invalid-pattern"]);
    expect(messages(body, "invalid-pattern")[0]).toBe(
      'pattern "^(a" is not a valid regular expression: Unterminated group',
    );
  });

  test("examples that do not match the logical type or its options", () => {
    const body = `schema:
  - name: t
    properties:
      - name: n
        logicalType: integer
        examples: [1, "2", 3.5]
      - name: d
        logicalType: date
        examples: ["2024-01-01", "01/02/2024"]
      - name: s
        logicalType: string
        logicalTypeOptions: { maxLength: 3 }
        examples: [abc, abcd]
`;
    expect(lint(body, ["example-type-mismatch"])).toEqual([
      "11:23 example-type-mismatch",
      "11:28 example-type-mismatch",
      "14:34 example-type-mismatch",
      "18:25 example-type-mismatch",
    ]);
  });

  test("dates that do not exist on the calendar", () => {
    const body = `contractCreatedTs: "2024-02-30T10:00:00Z"
schema:
  - name: t
    properties:
      - name: d
        logicalType: date
        examples: ["2023-02-29", "2024-02-29", "2024-13-01"]
`;
    expect(lint(body, ["invalid-date"])).toEqual(["6:20 invalid-date", "12:20 invalid-date", "12:48 invalid-date"]);
    expect(messages(body, "invalid-date")[0]).toBe(
      '"2024-02-30T10:00:00Z" is not a valid date: 2024-02 has 29 days, not 30',
    );
  });

  test("a version that is not semantic", () => {
    const src = SourceDocument.parse(head.replace("version: 1.0.0", "version: v1.2"), "c.odcs.yaml");
    const issues = lintDocument(src).filter((i) => i.code === "version-not-semver");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      '4:10 version "v1.2" is not a semantic version (expected MAJOR.MINOR.PATCH, e.g. 1.0.0)',
    ]);
  });

  test("unknown document kinds name what was expected", () => {
    for (const [text, found] of [
      ["- a\n- b\n", "a list"],
      ["hello\n", "a string scalar"],
      ["kind: Deployment\n", 'kind: "Deployment"'],
      ["name: x\n", "a mapping with name but no kind"],
    ] as const) {
      const issues = lintDocument(SourceDocument.parse(text, "x.yaml"));
      expect(issues.map((i) => `${i.line}:${i.column} ${i.code}`)).toEqual(["1:1 unknown-document-kind"]);
      expect(issues[0]?.message).toContain(`found ${found}`);
      expect(issues[0]?.message).toContain("kind: DataContract");
    }
  });

  test("wrong types never crash a rule; they are left to the schema", () => {
    const body = `schema:
  - name: 5
    properties: nope
    quality: { metric: rowCount }
  - 7
  - properties:
      - logicalType: [integer]
        logicalTypeOptions: 3
        examples: 5
        relationships: [1, { to: 5 }, { to: [null] }]
        quality: [null, { metric: 9, mustBeBetween: "x" }, { type: sql, query: 7 }]
`;
    const issues = lintDocument(SourceDocument.parse(head + body, "c.odcs.yaml"));
    expect(issues.filter((i) => i.code === "lint-internal-error")).toEqual([]);
  });
});

describe("official ODCS and ODPS examples", () => {
  const root = join(import.meta.dirname, "../../../../../shared/standards");
  const files = ["odcs/examples", "odps/examples"].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => join(dir, f)),
  );
  test.each(files)("%s lints without errors", (file) => {
    const issues = lintDocument(SourceDocument.parse(readFileSync(join(root, file), "utf8"), file));
    const errors = issues.filter((i) => i.severity === "error").map((i) => `${i.line}:${i.column} ${i.code}`);
    expect(errors).toEqual([]);
  });

  test("their two oddities are warnings that say what Quanta reads", () => {
    const at = (file: string) =>
      lintDocument(SourceDocument.parse(readFileSync(join(root, file), "utf8"), file))
        .filter((i) => i.severity === "warning")
        .map((i) => `${i.line}:${i.column} ${i.code} ${i.message}`);
    expect(at("odcs/examples/all/full-example.odcs.yaml")).toContainEqual(
      expect.stringMatching(/^217:17 relationship-target-external .*receiver_types\.type_code.*external/),
    );
    expect(at("odps/examples/simple-data-product.odps.yaml")).toContainEqual(
      expect.stringMatching(/^6:10 version-prefixed .*write 1\.0\.0/),
    );
  });
});
