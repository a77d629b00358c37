import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { formatIssue } from "../../issues.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importFile,
  importText,
} from "../format-test-kit.test-helpers.js";

const here = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function shape(object: Obj): Obj {
  return {
    name: object.name,
    properties: (object.properties ?? []).map((p: Obj) => ({
      name: p.name,
      logicalType: p.logicalType,
      required: p.required ?? false,
      unique: p.unique ?? false,
      primaryKey: p.primaryKey ?? false,
      logicalTypeOptions: p.logicalTypeOptions,
    })),
  };
}

describe("Great Expectations import", () => {
  it("turns a GX 0.x suite into executable rules and constraints (golden)", async () => {
    const outcome = await importFile("great-expectations", here("orders.suite.json"));
    const text = expectCleanImport(outcome, ["gx-expectation-unknown"]);
    expectGolden(text, here("orders.odcs.yaml"));
    expect(outcome.issues.map(formatIssue)).toEqual([
      "packages/core/src/formats/great-expectations/testdata/orders.suite.json:18:7 warning gx-expectation-unknown Quanta does not run expect_column_kl_divergence_to_be_less_than; kept as a great-expectations rule",
    ]);
    expect((parseYaml(text) as Obj).schema[0].name).toBe("orders");
  });

  it("reads a GX 1.x suite the same way, and names the data asset with an option", async () => {
    const legacy = JSON.parse(readFileSync(here("orders.suite.json"), "utf8"));
    const modern = {
      name: "orders.warning",
      expectations: legacy.expectations.map((e: Obj) => ({ type: e.expectation_type, kwargs: e.kwargs, meta: e.meta })),
    };
    const a = parseYaml(
      expectCleanImport(await importFile("great-expectations", here("orders.suite.json")), ["gx-expectation-unknown"]),
    ) as Obj;
    const b = parseYaml(
      expectCleanImport(await importText("great-expectations", JSON.stringify(modern)), ["gx-expectation-unknown"]),
    ) as Obj;
    expect(b.schema).toEqual(a.schema);
    const named = await importText("great-expectations", JSON.stringify(modern), { data_asset: "sales_orders" });
    expect((parseYaml(named.text ?? "") as Obj).schema[0].name).toBe("sales_orders");
  });

  it("turns mostly into a percent threshold", async () => {
    const suite = {
      name: "t",
      expectations: [
        { type: "expect_column_values_to_be_in_set", kwargs: { column: "s", value_set: ["a"], mostly: 0.9 } },
        { type: "expect_column_values_to_be_unique", kwargs: { column: "s", mostly: 0.99 } },
      ],
    };
    const doc = parseYaml(expectCleanImport(await importText("great-expectations", JSON.stringify(suite)))) as Obj;
    expect(doc.schema[0].properties[0].quality).toEqual([
      {
        type: "library",
        metric: "invalidValues",
        arguments: { validValues: ["a"] },
        mustBeLessOrEqualTo: 10,
        unit: "percent",
      },
      { type: "library", metric: "duplicateValues", mustBeLessOrEqualTo: 1, unit: "percent" },
    ]);
  });

  it("refuses a suite of the wrong shape and names bad expectations at their line", async () => {
    const wrong = await importText("great-expectations", '{"suite": "x", "checks": []}', {}, "suite.json");
    expect(wrong.issues.map(formatIssue)).toEqual([
      "suite.json:1:1 error gx-not-suite not a Great Expectations suite: it needs `expectation_suite_name` (GX 0.x) or `name` (GX 1.x)",
    ]);
    const noList = await importText("great-expectations", '{"name": "x", "expectations": {}}', {}, "suite.json");
    expect(noList.issues.map(formatIssue)).toEqual([
      "suite.json:1:15 error gx-not-suite a Great Expectations suite needs an `expectations` list",
    ]);
    const bad = await importText(
      "great-expectations",
      `{
  "name": "x",
  "expectations": [
    { "type": "expect_column_values_to_not_be_null" },
    { "kwargs": {} },
    "expect_column_to_exist",
    { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "a", "mostly": 2 } },
    { "type": "expect_column_values_to_be_in_set", "kwargs": { "column": "a", "value_set": [1], "row_condition": "b > 1" } }
  ]
}`,
      {},
      "suite.json",
    );
    expect(bad.issues.map(formatIssue)).toEqual([
      "suite.json:4:5 warning gx-expectation-invalid expect_column_values_to_not_be_null needs `column` (and `mostly` from 0 to 1); kept as a great-expectations rule",
      "suite.json:5:5 warning gx-expectation-invalid an expectation needs `expectation_type` (GX 0.x) or `type` (GX 1.x); it was not converted",
      "suite.json:6:5 warning gx-expectation-invalid an expectation must be an object with a type and kwargs; it was not converted",
      "suite.json:7:81 warning gx-expectation-invalid mostly must be a number from 0 to 1",
      "suite.json:7:54 warning gx-expectation-invalid expect_column_values_to_not_be_null needs `column` (and `mostly` from 0 to 1); kept as a great-expectations rule",
      "suite.json:8:97 warning gx-expectation-unknown row_condition is not converted; kept as a great-expectations rule",
    ]);
  });
});

describe("Great Expectations export", () => {
  it("writes one suite per object for the rich contract (golden)", async () => {
    const result = await exportFile("great-expectations", fixtures.rich);
    expect(result.files.map((f) => f.path)).toEqual(["customers.json", "orders.json"]);
    for (const f of result.files) expectGolden(String(f.content), here(`rich.${f.path}`));
    expect(result.issues.map((i) => `${i.line} ${i.message}`)).toEqual([
      "120 expectations check columns; the nested fields of shipping_address were not exported",
      "132 expectations check columns; the nested fields of tags were not exported",
      "136 expectations check columns; the nested fields of lines were not exported",
      "67 a sql rule has no expectation; it was not exported",
      "60 Great Expectations has no expectation for foreign keys; relationships were not exported",
    ]);
  });

  it("writes GX 0.x suites with version=0", async () => {
    const result = await exportFile("great-expectations", fixtures.rich, { version: "0", schema: "customers" });
    const suite = JSON.parse(String(result.files[0]?.content));
    expect(suite.expectation_suite_name).toBe("customers");
    expect(suite.expectations[0]).toEqual({
      expectation_type: "expect_column_to_exist",
      kwargs: { column: "customer_id" },
      meta: { logicalType: "integer" },
    });
  });

  it("round-trips ODCS → GX → ODCS (both versions): objects, properties, types, required, unique, keys", async () => {
    const rich = parseYaml(readFileSync(fixtures.rich, "utf8")) as Obj;
    for (const version of ["1", "0"]) {
      const result = await exportFile("great-expectations", fixtures.rich, { version });
      for (const [i, file] of result.files.entries()) {
        const once = expectCleanImport(await importText("great-expectations", String(file.content)));
        expect(shape((parseYaml(once) as Obj).schema[0])).toEqual(shape(rich.schema[i]));
        const again = await exportText("great-expectations", once, { version });
        expect(String(again.files[0]?.content)).toBe(String(file.content));
      }
    }
  });

  it("carries hostile names unchanged", async () => {
    const result = await exportFile("great-expectations", fixtures.hostile);
    expect(result.files.map((f) => f.path)).toEqual(["select.json", "order_items.json"]);
    const back = parseYaml(
      expectCleanImport(await importText("great-expectations", String(result.files[0]?.content))),
    ) as Obj;
    expect(back.schema[0].name).toBe("select");
    expect(back.schema[0].properties.map((p: Obj) => p.name)).toContain('a"b');
    expect(back.schema[0].properties.map((p: Obj) => p.name)).toContain("a;drop table x");
  });
});

describe("Great Expectations detection", () => {
  it("recognises GX 0.x and 1.x suites when no format is named", async () => {
    const { detectImportFormat } = await import("../run-format.js");
    const bytes = (text: string) => ({ file: "suite.json", bytes: new TextEncoder().encode(text) });
    expect(detectImportFormat(bytes(readFileSync(here("orders.suite.json"), "utf8")))?.name).toBe("great-expectations");
    const modern = '{"name": "s", "expectations": [{"type": "expect_column_to_exist", "kwargs": {"column": "a"}}]}';
    expect(detectImportFormat(bytes(modern))?.name).toBe("great-expectations");
  });
});
