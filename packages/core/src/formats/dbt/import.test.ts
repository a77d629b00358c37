import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import {
  expectCleanImport,
  expectGolden,
  importFile,
  importText,
  issuesWith,
} from "../format-test-kit.test-helpers.js";
import { detectImportFormat } from "../run-format.js";

const here = import.meta.dirname;
const manifestFile = join(here, "testdata/manifest.json");
const schemaFile = join(here, "testdata/schema.yml");

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function objectNamed(text: string, name: string): Obj {
  const found = (parse(text).schema as Obj[]).find((o) => o.name === name);
  if (!found) throw new Error(`no object ${name}`);
  return found;
}

function propertyOf(object: Obj, name: string): Obj {
  const found = (object.properties as Obj[]).find((p) => p.name === name);
  if (!found) throw new Error(`no property ${name}`);
  return found;
}

/** The line of the first occurrence of `needle` in a file (1-based), to check positions without hard-coding them. */
function lineOf(file: string, needle: string, after = ""): number {
  const text = readFileSync(file, "utf8");
  const from = after ? text.indexOf(after) : 0;
  const at = text.indexOf(needle, from);
  if (at < 0) throw new Error(`${needle} not in ${file}`);
  return text.slice(0, at).split("\n").length;
}

describe("dbt schema.yml", () => {
  it("imports models and sources with types, keys and data tests as executable quality", async () => {
    const outcome = await importFile("dbt", schemaFile);
    const text = expectCleanImport(outcome, ["dbt-test-unmapped"]);
    expectGolden(text, join(here, "testdata/schema.odcs.yaml"));
    const orders = objectNamed(text, "orders");
    expect(propertyOf(orders, "order_id")).toMatchObject({ primaryKey: true, required: true, unique: true });
    expect(propertyOf(orders, "customer_id").relationships).toEqual([
      { type: "foreignKey", to: "customers.customer_id" },
    ]);
    expect(propertyOf(orders, "priority").quality[0].arguments.validValues).toEqual([1, 2, 3]);
    expect(propertyOf(orders, "status").quality[0]).toMatchObject({ metric: "invalidValues", severity: "warning" });
    expect(orders.quality.map((q: Obj) => q.metric ?? q.type)).toEqual(["sql", "rowCount", "duplicateValues"]);
    expect(parse(text).slaProperties).toEqual([
      { property: "freshness", value: 1, unit: "d", element: "orders.ordered_at" },
    ]);
    // The source table shares its name with the model: it keeps its name as physicalName.
    expect(objectNamed(text, "raw_customers")).toMatchObject({ physicalName: "customers" });
  });

  it("warns at the line of a test it cannot convert", async () => {
    const outcome = await importFile("dbt", schemaFile);
    const [warning] = issuesWith(outcome.issues, "dbt-test-unmapped");
    expect(warning).toMatchObject({ line: lineOf(schemaFile, "dbt_utils.not_constant"), column: 13 });
    expect(warning?.message).toContain("dbt_utils.not_constant");
  });

  it("reads dbt 1.10 `arguments:`, `test_name:` tests and model-level constraints", async () => {
    const outcome = await importText(
      "dbt",
      `version: 2
models:
  - name: orders
    columns:
      - name: order_id
        data_type: varchar
  - name: lines
    constraints:
      - type: primary_key
        columns: [order_id, line_no]
      - type: foreign_key
        columns: [order_id]
        to: ref('orders')
        to_columns: [order_id]
    columns:
      - name: order_id
        data_type: varchar
      - name: line_no
        data_type: int
        data_tests:
          - accepted_values:
              arguments:
                values: [1, 2]
              config:
                where: "line_no > 0"
      - name: sku
        data_tests:
          - name: sku_shape
            test_name: dbt_expectations.expect_column_values_to_match_regex
            regex: "^SKU"
      - name: price
        data_type: double
        data_tests:
          - dbt_utils.accepted_range:
              min_value: 0
              inclusive: false
          - dbt_utils.expression_is_true:
              expression: "< 10000"
`,
      {},
      "schema.yml",
    );
    const text = expectCleanImport(outcome, ["dbt-test-where"]);
    const lines = objectNamed(text, "lines");
    expect(lines.properties.map((p: Obj) => [p.name, p.primaryKeyPosition ?? null])).toEqual([
      ["order_id", 1],
      ["line_no", 2],
      ["sku", null],
      ["price", null],
    ]);
    expect(propertyOf(lines, "order_id").relationships).toEqual([{ type: "foreignKey", to: "orders.order_id" }]);
    expect(propertyOf(lines, "line_no").quality[0].arguments.validValues).toEqual([1, 2]);
    // No data type: the pattern is a library rule, which runs whatever the type.
    expect(propertyOf(lines, "sku").quality).toEqual([
      { type: "library", metric: "invalidValues", arguments: { pattern: "^SKU" }, mustBe: 0 },
    ]);
    expect(propertyOf(lines, "price").logicalTypeOptions).toEqual({ exclusiveMinimum: 0 });
    expect(propertyOf(lines, "price").quality[0].query).toBe(
      "SELECT COUNT(*) FROM {object} WHERE NOT ({property} < 10000)",
    );
    expect(issuesWith(outcome.issues, "dbt-test-where").map(formatIssue)).toEqual([
      "schema.yml:21:13 warning dbt-test-where accepted_values tests only rows where line_no > 0; the contract checks every row",
    ]);
  });

  it("warns at unknown keys and refuses another version", async () => {
    const outcome = await importText(
      "dbt",
      "version: 2\nmodels:\n  - name: m\n    latest_version: 2\n    columns:\n      - name: a\n        granularity: day\n",
      {},
      "schema.yml",
    );
    expect(outcome.issues.filter((i) => i.code === "dbt-unmapped").map(formatIssue)).toEqual([
      "schema.yml:4:5 warning dbt-unmapped latest_version has no place in a data contract; it was dropped",
      "schema.yml:7:9 warning dbt-unmapped column granularity has no place in a data contract; it was dropped",
    ]);
    const v1 = await importText("dbt", "version: 1\nmodels: []\n", {}, "schema.yml");
    expect(v1.issues.map(formatIssue)).toEqual([
      "schema.yml:1:1 error dbt-version a dbt schema.yml has version: 2; found 1",
    ]);
  });
});

describe("dbt manifest.json", () => {
  it("imports models, sources and the test nodes attached to them", async () => {
    const outcome = await importFile("dbt", manifestFile);
    const text = expectCleanImport(outcome, ["dbt-test-unmapped", "dbt-unmapped"]);
    expectGolden(text, join(here, "testdata/manifest.odcs.yaml"));
    const doc = parse(text);
    expect(doc.id).toBe("webshop");
    expect(doc.schema.map((o: Obj) => o.name)).toEqual(["customers", "orders", "payments"]);
    const orders = objectNamed(text, "orders");
    expect(propertyOf(orders, "order_id")).toMatchObject({
      required: true,
      unique: true,
      logicalTypeOptions: { pattern: "^ORD-[0-9]{8}$" },
    });
    expect(propertyOf(orders, "total").logicalTypeOptions).toEqual({ minimum: 0, maximum: 100000 });
    // A test with severity warn stays a rule that warns, not `required`.
    expect(propertyOf(orders, "ordered_at").required).toBeUndefined();
    expect(propertyOf(orders, "ordered_at").quality).toEqual([
      { type: "library", metric: "nullValues", mustBe: 0, severity: "warning" },
    ]);
    expect(objectNamed(text, "payments")).toMatchObject({ physicalName: "payment" });
    expect(doc.slaProperties).toEqual([
      { property: "freshness", value: 12, unit: "h", element: "payments._loaded_at" },
    ]);
  });

  it("reports what it does not convert at the node's line", async () => {
    const outcome = await importFile("dbt", manifestFile);
    const lines = outcome.issues.filter((i) => i.severity !== "info").map((i) => [i.code, i.line]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ["dbt-unmapped", lineOf(manifestFile, '"seed.webshop.country_codes"')],
        ["dbt-test-unmapped", lineOf(manifestFile, '"test.webshop.assert_no_future_orders"')],
        ["dbt-test-unmapped", lineOf(manifestFile, '"test.webshop.dbt_utils_at_least_one_orders_total')],
      ]),
    );
    expect(lines).toHaveLength(3);
  });

  it("picks models with the model option and names the known ones otherwise", async () => {
    const picked = await importFile("dbt", manifestFile, { model: "orders, customers" });
    expect(
      parse(expectCleanImport(picked, ["dbt-test-unmapped", "dbt-unmapped"])).schema.map((o: Obj) => o.name),
    ).toEqual(["customers", "orders"]);
    const unknown = await importFile("dbt", manifestFile, { model: "order" });
    expect(unknown.issues.map((i) => [i.code, i.message])).toContainEqual([
      "dbt-model-unknown",
      "no model or source table named order; the file has customers, orders, payments",
    ]);
  });

  it.each(["v6", "v13"])("refuses a %s manifest at its version, naming the supported ones", async (v) => {
    const text = readFileSync(manifestFile, "utf8").replace("manifest/v12.json", `manifest/${v}.json`);
    const outcome = await importText("dbt", text, {}, "manifest.json");
    expect(outcome.issues.map(formatIssue)).toEqual([
      `manifest.json:${lineOf(manifestFile, '"dbt_schema_version"')}:5 error dbt-manifest-version manifest version "https://schemas.getdbt.com/dbt/manifest/${v}.json" is not supported; Quanta reads v7, v8, v9, v10, v11, v12 (https://schemas.getdbt.com/dbt/manifest/v12.json from dbt 1.8 on)`,
    ]);
  });
});

describe("dbt input that is not dbt", () => {
  it("is detected only for manifests and schema.yml files", () => {
    const detect = (text: string) => detectImportFormat({ file: "x", bytes: new TextEncoder().encode(text) })?.name;
    expect(detect(readFileSync(manifestFile, "utf8"))).toBe("dbt");
    expect(detect(readFileSync(schemaFile, "utf8"))).toBe("dbt");
    expect(detect("apiVersion: v3.1.0\nkind: DataContract\n")).not.toBe("dbt");
  });

  it("refuses more models and columns than a contract holds", async () => {
    const columns = Array.from({ length: 20_001 }, (_, i) => `      - name: c${i}`).join("\n");
    const outcome = await importText(
      "dbt",
      `version: 2\nmodels:\n  - name: wide\n    columns:\n${columns}\n`,
      {},
      "wide.yml",
    );
    expect(outcome.issues.map((i) => [i.code, i.message])).toEqual([
      [
        "dbt-too-large",
        "20002 models, sources and columns; a contract holds at most 20000 (pick some with --option model=)",
      ],
    ]);
  });

  it.each([
    ["a binary file", new Uint8Array([0x50, 0x41, 0x52, 0x31, 0, 0, 0xff, 0xfe]), "file-not-text"],
    ["a YAML list", "- a\n- b\n", "import-wrong-type"],
    ["another document", "name: x\n", "dbt-not-dbt"],
    ["a schema.yml without models", "version: 2\nmacros: []\n", "dbt-not-dbt"],
    ["broken JSON", '{"metadata": {', "yaml-"],
  ])("refuses %s with a precise error", async (_what, input, code) => {
    const outcome = await importText("dbt", input, {}, "in.yml");
    const errors = outcome.issues.filter((i) => i.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.code.startsWith(code)).toBe(true);
    expect(outcome.text).toBeUndefined();
  });
});

describe("DCS 0.9 with a dbt schema", () => {
  const spec = {
    version: 2,
    models: [
      {
        name: "orders",
        description: "One row per order.",
        columns: [
          { name: "order_id", data_type: "varchar", data_tests: ["not_null", "unique"] },
          {
            name: "status",
            data_type: "varchar",
            data_tests: [{ accepted_values: { values: ["placed", "shipped"] } }, "dbt_utils.not_constant"],
          },
        ],
      },
    ],
  };
  const dcs = (specification: string) =>
    `dataContractSpecification: 0.9.0
id: orders
info:
  title: Orders
  version: 1.0.0
  owner: sales
schema:
  type: dbt
  specification: ${specification}
`;

  it.each([
    ["an object", JSON.stringify(spec)],
    ["a YAML string", `|\n${JSON.stringify(spec, null, 2).replace(/^/gm, "    ")}`],
  ])("imports its models when the specification is %s", async (_what, specification) => {
    const outcome = await importText("dcs", dcs(specification), {}, "orders.dcs.yaml");
    const text = expectCleanImport(outcome, ["dbt-test-unmapped"]);
    const orders = objectNamed(text, "orders");
    expect(propertyOf(orders, "order_id")).toMatchObject({ required: true, unique: true, logicalType: "string" });
    expect(propertyOf(orders, "status").quality[0].arguments.validValues).toEqual(["placed", "shipped"]);
    expect(parse(text).customProperties).toBeUndefined();
    const [warning] = issuesWith(outcome.issues, "dbt-test-unmapped");
    expect(warning?.file).toBe("orders.dcs.yaml");
    expect(warning?.line).toBeGreaterThanOrEqual(9);
  });

  it("points into the specification's text when it is a literal block", async () => {
    const text = dcs(
      `|\n    version: 2\n    models:\n      - name: orders\n        columns:\n          - name: a\n            data_tests: [dbt_utils.not_constant]\n`,
    );
    const outcome = await importText("dcs", text, {}, "orders.dcs.yaml");
    expect(issuesWith(outcome.issues, "dbt-test-unmapped").map(formatIssue)).toEqual([
      "orders.dcs.yaml:15:26 warning dbt-test-unmapped data test dbt_utils.not_constant has no executable ODCS equivalent; not converted",
    ]);
  });

  it("says when the specification is missing", async () => {
    const outcome = await importText("dcs", dcs("null"), {}, "orders.dcs.yaml");
    expect(issuesWith(outcome.issues, "dbt-required").map(formatIssue)).toEqual([
      "orders.dcs.yaml:9:3 error dbt-required a dbt schema needs its schema.yml as specification",
    ]);
  });
});

describe("dbt columns listed twice", () => {
  it("keeps the first and warns at the second, so the contract lints clean", async () => {
    const { importText, expectCleanImport } = await import("../format-test-kit.test-helpers.js");
    const yml =
      "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_type: integer\n      - name: id\n        data_type: bigint\n";
    const out = await importText("dbt", yml, {}, "schema.yml");
    expect(out.issues.filter((i) => i.code === "dbt-column-twice").map((i) => i.line)).toEqual([7]);
    expectCleanImport(out, ["dbt-column-twice"]);
  });
});
