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
  onlyText,
} from "../format-test-kit.test-helpers.js";

const here = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

/** Objects with their properties' names, logical types, required/unique and keys (what a round trip keeps). */
function shape(yaml: string): Obj[] {
  const doc = parseYaml(yaml) as Obj;
  return doc.schema.map((o: Obj) => ({
    name: o.name,
    properties: (o.properties ?? []).map((p: Obj) => ({
      name: p.name,
      logicalType: p.logicalType,
      required: p.required ?? false,
      unique: p.unique ?? false,
      primaryKey: p.primaryKey ?? false,
      relationships: p.relationships,
    })),
  }));
}

describe("SodaCL import", () => {
  it("turns a checks file into a contract whose checks are executable rules (golden)", async () => {
    const outcome = await importFile("sodacl", here("orders.sodacl.yaml"));
    const text = expectCleanImport(outcome, ["sodacl-not-executable"]);
    expectGolden(text, here("orders.odcs.yaml"));
    // Only the checks ODCS has no form for stay as soda rules, each with a warning at its line.
    expect(outcome.issues.map(formatIssue)).toEqual([
      'packages/core/src/formats/sodacl/testdata/orders.sodacl.yaml:37:5 warning sodacl-not-executable "change for row_count < 50%" has no ODCS equivalent; kept as a soda rule Quanta does not run',
      'packages/core/src/formats/sodacl/testdata/orders.sodacl.yaml:38:5 warning sodacl-not-executable "anomaly detection for row_count" has no ODCS equivalent; kept as a soda rule Quanta does not run',
    ]);
    const doc = parseYaml(text) as Obj;
    const custom = JSON.stringify(doc).match(/"type":"custom"/g) ?? [];
    expect(custom).toHaveLength(2);
  });

  it("reads thresholds: = != < <= > >= between, percentages, fail/warn conditions", async () => {
    const outcome = await importText(
      "sodacl",
      `checks for t:
  - row_count = 5
  - row_count != 5
  - row_count < 5
  - row_count <= 5
  - row_count > 5
  - row_count >= 5
  - row_count between 1 and 10
  - row_count not between 10 and 1
  - missing_percent(a) <= 2.5%
  - duplicate_count(a):
      fail: when > 3
  - invalid_count(a):
      valid values: [x]
      warn: when between 1 and 5
`,
    );
    const doc = parseYaml(expectCleanImport(outcome)) as Obj;
    const [t] = doc.schema;
    expect(t.quality.map((r: Obj) => Object.entries(r).find(([k]) => k.startsWith("must")))).toEqual([
      ["mustBe", 5],
      ["mustNotBe", 5],
      ["mustBeLessThan", 5],
      ["mustBeLessOrEqualTo", 5],
      ["mustBeGreaterThan", 5],
      ["mustBeGreaterOrEqualTo", 5],
      ["mustBeBetween", [1, 10]],
      ["mustNotBeBetween", [1, 10]],
    ]);
    expect(t.properties[0].quality).toEqual([
      { type: "library", metric: "nullValues", mustBeLessOrEqualTo: 2.5, unit: "percent" },
      // A fail condition says what fails: the rule states what passes.
      { type: "library", metric: "duplicateValues", mustBeLessOrEqualTo: 3 },
      {
        type: "library",
        metric: "invalidValues",
        arguments: { validValues: ["x"] },
        mustNotBeBetween: [1, 5],
        severity: "warning",
      },
    ]);
  });

  it("reads freshness as a pass threshold or as a fail condition", async () => {
    const outcome = await importText(
      "sodacl",
      "checks for t:\n  - freshness(ts) < 1d\n  - freshness(ts):\n      fail: when > 12h\n  - freshness(ts) <= 1d6h\n",
    );
    const doc = parseYaml(expectCleanImport(outcome)) as Obj;
    expect(doc.schema[0].properties[0].quality.map((r: Obj) => [r.mustBeLessThan, r.mustBeLessOrEqualTo])).toEqual([
      [86_400, undefined],
      [undefined, 43_200],
      [undefined, 108_000],
    ]);
  });

  it("is detected by its `checks for` sections, and refuses oversized input", async () => {
    const { detectImportFormat } = await import("../run-format.js");
    const input = (text: string) => ({ file: "checks.yml", bytes: new TextEncoder().encode(text) });
    expect(detectImportFormat(input("# soda\nchecks for orders:\n  - row_count > 0\n"))?.name).toBe("sodacl");
    const huge = await importText("sodacl", `checks for t:\n${"  - row_count > 0\n".repeat(600_000)}`);
    expect(huge.issues.map((i) => i.code)).toEqual(["file-too-large"]);
  });

  it("keeps what it cannot run as a soda rule, with a precise warning at the check", async () => {
    const outcome = await importText(
      "sodacl",
      `checks for t:
  - row_count >>> 5
  - missing_count(a) = lots
  - freshness(ts) > 1d
  - invalid_count(a) = 0
  - mystery_metric(a) > 1
  - [not, a, check]
  - row_count > 0:
      filter: a > 1
  - invalid_count(b) = 0:
      valid format: roman numeral
`,
      {},
      "checks.yml",
    );
    expect(outcome.issues.map(formatIssue)).toEqual([
      'checks.yml:2:5 warning sodacl-check-invalid cannot read the threshold ">>> 5" (use = != < <= > >= or between … and …); kept as a soda rule Quanta does not run',
      'checks.yml:3:5 warning sodacl-check-invalid the threshold value "lots" is not a number; kept as a soda rule Quanta does not run',
      'checks.yml:4:5 warning sodacl-not-executable freshness needs a maximum age such as `< 1d`; got "> 1d"; kept as a soda rule Quanta does not run',
      "checks.yml:5:5 warning sodacl-not-executable an invalid check needs valid values, valid format, valid regex, valid min/max or a valid length; kept as a soda rule Quanta does not run",
      'checks.yml:6:5 warning sodacl-not-executable Quanta does not know the SodaCL metric "mystery_metric" (and the check defines no `mystery_metric query`); kept as a soda rule Quanta does not run',
      "checks.yml:7:5 warning sodacl-check-invalid a check is a string or a mapping with one key (the check) and its configuration",
      "checks.yml:8:5 warning sodacl-not-executable a check with a filter is not converted; kept as a soda rule Quanta does not run",
      'checks.yml:10:5 warning sodacl-not-executable valid format "roman numeral" is not one Quanta checks (email, uuid, integer, positive integer, negative integer, decimal, date iso 8601, ip address, phone number); kept as a soda rule Quanta does not run',
    ]);
    const doc = parseYaml(outcome.text ?? "") as Obj;
    expect(doc.schema[0].quality).toHaveLength(8);
    expect(doc.schema[0].quality.every((r: Obj) => r.type === "custom" && r.engine === "soda")).toBe(true);
  });

  it("refuses a document that is not SodaCL, at its line", async () => {
    const notChecks = await importText("sodacl", "dataset: orders\nchecks: []\n", {}, "checks.yml");
    expect(notChecks.issues.map(formatIssue)).toEqual([
      'checks.yml:1:1 warning sodacl-unmapped "dataset" is not a `checks for <table>` section; it was not converted',
      'checks.yml:2:1 warning sodacl-unmapped "checks" is not a `checks for <table>` section; it was not converted',
      "checks.yml:1:1 error sodacl-not-checks no `checks for <table>:` section found",
    ]);
    const notList = await importText("sodacl", "checks for orders:\n  row_count: 1\n", {}, "checks.yml");
    expect(notList.issues.map(formatIssue)).toEqual([
      "checks.yml:1:1 error sodacl-not-checks the checks of a section must be a list",
    ]);
    const broken = await importText("sodacl", "checks for orders:\n  - row_count > 0\n - bad\n", {}, "checks.yml");
    expect(broken.issues[0]).toMatchObject({ severity: "error", line: 3 });
    const binary = await importText("sodacl", new Uint8Array([0, 159, 146, 150]), {}, "checks.yml");
    expect(binary.issues[0]).toMatchObject({ severity: "error", code: "file-not-text" });
  });
});

describe("SodaCL export", () => {
  it("writes the rich contract's checks (golden)", async () => {
    const result = await exportFile("sodacl", fixtures.rich);
    expectGolden(onlyText(result), here("rich.sodacl.yaml"));
    expect(result.issues.map((i) => `${i.line} ${i.message}`)).toEqual([
      "120 SodaCL checks columns; the nested fields of shipping_address were not exported",
      "132 SodaCL checks columns; the nested fields of tags were not exported",
      "136 SodaCL checks columns; the nested fields of lines were not exported",
    ]);
  });

  it("quotes hostile names so they read back unchanged (golden)", async () => {
    const text = onlyText(await exportFile("sodacl", fixtures.hostile));
    expectGolden(text, here("hostile.sodacl.yaml"));
    const back = parseYaml(expectCleanImport(await importText("sodacl", text))) as Obj;
    expect(back.schema.map((o: Obj) => o.name)).toEqual(["select", "order items"]);
    expect(back.schema[0].properties.map((p: Obj) => p.name)).toEqual([
      "from",
      "order date",
      "class",
      "größe",
      'a"b',
      "x'y",
      "1st",
      "type",
      "ключ",
      "a;drop table x",
      "Order Date",
    ]);
    expect(back.schema[0].properties[7].quality[0].arguments.validValues).toEqual(["it's", 'say "hi"', "a\\b"]);
  });

  it("round-trips ODCS → SodaCL → ODCS: objects, properties, types, required, unique, keys", async () => {
    const once = expectCleanImport(await importText("sodacl", onlyText(await exportFile("sodacl", fixtures.rich))));
    const rich = parseYaml((await import("node:fs")).readFileSync(fixtures.rich, "utf8")) as Obj;
    const expected = shape(JSON.stringify(rich)).map((o) => ({
      ...o,
      // Nested fields stay in the contract; SodaCL checks the top-level columns.
      properties: o.properties,
    }));
    expect(shape(once)).toEqual(expected);
    const again = expectCleanImport(await importText("sodacl", onlyText(await exportText("sodacl", once))));
    expect(again).toBe(once);
  });

  it("exports one object with --option schema and names an unknown one", async () => {
    const text = onlyText(await exportFile("sodacl", fixtures.rich, { schema: "customers" }));
    expect(Object.keys(parseYaml(text))).toEqual(["checks for customers"]);
    const none = await exportFile("sodacl", fixtures.rich, { schema: "nope" });
    expect(none.issues.map((i) => i.message)).toEqual(['no schema object "nope"']);
  });
});

describe("sodacl checks a reviewer found", () => {
  it("gives a multi-column duplicate_count its columns", async () => {
    const { importText, expectCleanImport } = await import("../format-test-kit.test-helpers.js");
    const text = expectCleanImport(await importText("sodacl", "checks for t:\n  - duplicate_count(a, b) = 0\n"));
    expect(text).toContain("name: a");
    expect(text).toContain("name: b");
    expect(text).toContain("duplicateValues");
  });

  it("warns about an empty value set instead of writing a rule every value breaks", async () => {
    const { importText } = await import("../format-test-kit.test-helpers.js");
    const out = await importText("sodacl", "checks for t:\n  - invalid_count(a) = 0:\n      valid values: []\n");
    expect(out.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(out.issues.some((i) => i.message.includes("valid values is empty") && i.line === 2)).toBe(true);
  });
});
