import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import { lintDocument } from "../../lint/lint-document.js";
import { SourceDocument } from "../../spec/source.js";
import { formatLimits } from "../format.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importFile,
  importText,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";
import { parseHiveType, printHiveType } from "../glue/hive-types.js";
import type { ImportOutcome } from "../run-format.js";
import { sparkField } from "./spark-types.js";

const here = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function prop(p: Obj): Obj {
  return {
    name: p.name,
    logicalType: p.logicalType,
    required: p.required ?? false,
    primaryKey: p.primaryKey ?? false,
    primaryKeyPosition: p.primaryKeyPosition,
    partitioned: p.partitioned ?? false,
    relationships: p.relationships?.map((r: Obj) => r.to),
    description: p.description,
    properties: p.properties?.map(prop),
    items: p.items ? { logicalType: p.items.logicalType, properties: p.items.properties?.map(prop) } : undefined,
  };
}

/** What Unity Catalog holds: objects, columns, nesting, logical types, required, keys, partitions. */
function shape(yaml: string): Obj[] {
  return ((parse(yaml) as Obj).schema as Obj[]).map((o) => ({
    name: o.name,
    description: o.description,
    properties: (o.properties as Obj[]).map(prop),
  }));
}

/** A clean import but for the lint's note that a foreign key points at a table of another file. */
function expectImported(outcome: ImportOutcome): string {
  const unexpected = outcome.issues.filter((i) => i.severity !== "info" && i.code !== "relationship-target-external");
  expect(unexpected.map(formatIssue)).toEqual([]);
  const lint = lintDocument(SourceDocument.parse(outcome.text ?? "", "imported.odcs.yaml"));
  expect(
    lint.filter((i) => i.severity !== "info" && i.code !== "relationship-target-external").map(formatIssue),
  ).toEqual([]);
  return outcome.text ?? "";
}

const table = (columns: unknown[]) =>
  JSON.stringify({ name: "t", catalog_name: "c", schema_name: "s", columns }, null, 2);

describe("unity import", () => {
  it("reads a table: type_json first, NOT NULL, partitions, keys, the databricks server", async () => {
    const outcome = await importFile("unity", here("orders.table.json"));
    const yaml = expectImported(outcome);
    expectGolden(yaml, here("orders.odcs.yaml"));
    const contract = parse(yaml) as Obj;
    expect(contract.servers).toEqual([{ server: "databricks", type: "databricks", catalog: "main", schema: "shop" }]);
    const byName = Object.fromEntries((contract.schema[0].properties as Obj[]).map((p) => [p.name, p]));
    expect(byName.order_id).toMatchObject({ required: true, primaryKey: true, primaryKeyPosition: 1 });
    expect(byName.customer_id.relationships).toEqual([{ type: "foreignKey", to: "customers.customer_id" }]);
    // The VARCHAR Spark keeps in the field's metadata.
    expect(byName.status).toMatchObject({ physicalType: "varchar(10)", logicalTypeOptions: { maxLength: 10 } });
    // Nested NOT NULL and comments come from type_json.
    expect(byName.shipping_address.properties[1]).toMatchObject({
      name: "city",
      required: true,
      description: "City name.",
    });
    expect(byName.lines.items.properties[0]).toMatchObject({ name: "sku", required: true });
    // Without type_json, type_text.
    expect(byName.legacy).toMatchObject({ logicalType: "array", items: { logicalType: "integer" } });
    expect(byName.order_date).toMatchObject({ partitioned: true, partitionKeyPosition: 1 });
    expect(issuesWith(outcome.issues, "unity-not-kept").map((i) => i.message)).toContain(
      "owner is set by Unity Catalog; not kept",
    );
  });

  it("reports malformed JSON, and malformed type_json, at their lines", async () => {
    const broken = await importText(
      "unity",
      '{\n  "name": "t",\n  "columns": [\n    {"name": "a" "type_text": "int"}\n  ]\n}',
    );
    expect(broken.text).toBeUndefined();
    expect(broken.issues.find((i) => i.severity === "error")?.line).toBe(4);
    const typeJson = await importText("unity", table([{ name: "a", type_text: "int", type_json: "{not json" }]));
    const [error] = issuesWith(typeJson.issues, "unity-bad-type-json");
    expect(error?.line).toBe(9);
    expect(typeJson.text).toBeUndefined();
  });

  it("keeps an unknown type as the physical type, with a warning", async () => {
    const outcome = await importText("unity", table([{ name: "span", type_text: "interval day to second" }]));
    const [warning] = issuesWith(outcome.issues, "unity-unknown-type");
    expect(warning?.severity).toBe("warning");
    expect(warning?.line).toBe(8);
    const yaml = expectCleanImport(outcome, ["unity-unknown-type"]);
    expect((parse(yaml) as Obj).schema[0].properties[0]).toEqual({
      name: "span",
      physicalType: "interval day to second",
    });
  });

  it("refuses a type nested deeper than the limit", async () => {
    let type: unknown = "integer";
    for (let i = 0; i <= formatLimits.maxDepth; i++) type = { type: "array", elementType: type, containsNull: true };
    const outcome = await importText(
      "unity",
      table([
        {
          name: "a",
          type_text: "array<...>",
          type_json: JSON.stringify({ name: "a", type, nullable: true, metadata: {} }),
        },
      ]),
    );
    expect(outcome.text).toBeUndefined();
    expect(issuesWith(outcome.issues, "unity-bad-type")[0]?.message).toMatch(/nests more than 32 levels/);
  });

  it("refuses what is not a Unity table", async () => {
    const outcome = await importText("unity", '{"Table": {}}');
    expect(outcome.issues.map((i) => i.code)).toContain("unity-not-table");
  });
});

describe("unity export", () => {
  it("writes the rich contract with type_text, type_name and type_json in agreement", async () => {
    const result = await exportFile("unity", fixtures.rich, { catalog: "main", database: "shop" });
    expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
    for (const f of result.files) expectGolden(String(f.content), here(`rich.${f.path}`));
    for (const f of result.files) {
      const t = JSON.parse(String(f.content)) as Obj;
      for (const c of t.columns as Obj[]) {
        const field = sparkField(JSON.parse(c.type_json));
        expect(field.name).toBe(c.name);
        expect(printHiveType(field.type)).toBe(c.type_text);
        expect(printHiveType(parseHiveType(c.type_text))).toBe(c.type_text);
        expect(JSON.parse(c.type_json).nullable).toBe(c.nullable);
      }
    }
    const orders = JSON.parse(String(result.files[1]?.content)) as Obj;
    expect(orders.table_constraints).toEqual([
      { primary_key_constraint: { name: "orders_pk", child_columns: ["order_id"] } },
      {
        foreign_key_constraint: {
          name: "orders_fk1",
          child_columns: ["customer_id"],
          parent_table: "main.shop.customers",
          parent_columns: ["customer_id"],
        },
      },
    ]);
  });

  it("writes hostile names as they are, backquoted inside struct types", async () => {
    const result = await exportFile("unity", fixtures.hostile);
    for (const f of result.files) expectGolden(String(f.content), here(`hostile.${f.path}`));
    const select = JSON.parse(String(result.files[0]?.content)) as Obj;
    expect(select.columns.map((c: Obj) => c.name)).toContain("a;drop table x");
    const back = expectImported(await importText("unity", String(result.files[1]?.content)));
    expect(shape(back)[0]?.name).toBe("order items");
  });

  it("round-trips the rich contract: export, import, same columns, types, required, keys", async () => {
    const result = await exportFile("unity", fixtures.rich, { catalog: "main", database: "shop" });
    const original = await importText("odcs", onlyText(await exportFile("odcs", fixtures.rich)));
    for (const [i, f] of result.files.entries()) {
      const back = expectImported(await importText("unity", String(f.content), {}, f.path));
      const want = shape(original.text ?? "")[i] as Obj;
      expect(shape(back)[0]).toEqual({
        ...want,
        properties: want.properties.map((p: Obj) => (p.logicalType === "time" ? { ...p, logicalType: "string" } : p)),
      });
    }
  });

  it("import → export → import keeps the table", async () => {
    const first = expectImported(await importFile("unity", here("orders.table.json")));
    const exported = onlyText(await exportText("unity", first));
    const t = JSON.parse(exported) as Obj;
    expect([t.catalog_name, t.schema_name, t.table_type, t.data_source_format]).toEqual([
      "main",
      "shop",
      "MANAGED",
      "DELTA",
    ]);
    const second = expectImported(await importText("unity", exported));
    expect(shape(second)).toEqual(shape(first));
  });
});
