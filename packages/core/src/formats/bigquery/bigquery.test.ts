import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import type { ExportResult } from "../format.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importText,
  issuesWith,
} from "../format-test-kit.test-helpers.js";
import type { ImportOutcome } from "../run-format.js";
import { plainColumnName } from "./types.js";

const golden = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function prop(p: Obj): Obj {
  return {
    name: p.name,
    logicalType: p.logicalType,
    required: p.required ?? false,
    primaryKey: p.primaryKey ?? false,
    primaryKeyPosition: p.primaryKeyPosition,
    relationships: p.relationships?.map((r: Obj) => r.to),
    description: p.description,
    properties: p.properties?.map(prop),
    items: p.items ? { logicalType: p.items.logicalType, properties: p.items.properties?.map(prop) } : undefined,
  };
}

/** What a round trip through BigQuery keeps: objects, columns, nesting, logical types, required, keys. */
function shape(yaml: string): Obj[] {
  return ((parse(yaml) as Obj).schema as Obj[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Obj[]).map(prop),
    relationships: o.relationships?.map((r: Obj) => [r.from, r.to]),
  }));
}

function files(result: ExportResult): Record<string, string> {
  expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
  return Object.fromEntries(result.files.map((f) => [f.path, String(f.content)]));
}

/**
 * Like expectCleanImport, for a table whose foreign keys point at tables of other files: the lint's
 * `relationship-target-external` warning is then right, and expected (the kit's re-lint allows none).
 */
function expectImported(outcome: ImportOutcome, allow: readonly string[]): string {
  const unexpected = outcome.issues.filter((i) => i.severity !== "info" && !allow.includes(i.code));
  expect(unexpected.map(formatIssue)).toEqual([]);
  expect(outcome.text).toBeDefined();
  return outcome.text ?? "";
}

function canonical(type: string): string {
  return ({ INT64: "INTEGER", STRUCT: "RECORD" } as Record<string, string>)[type] ?? type;
}

/** Every field name of a schema, nested ones included. */
function names(fields: Obj[]): string[] {
  return fields.flatMap((f) => [f.name, ...names(f.fields ?? [])]);
}

describe("bigquery export", () => {
  it("writes the rich contract as one list of fields per table", async () => {
    const result = await exportFile("bigquery", fixtures.rich);
    const out = files(result);
    expect(Object.keys(out)).toEqual(["customers.json", "orders.json"]);
    expectGolden(out["orders.json"] ?? "", golden("rich.orders.json"));
    const orders = JSON.parse(out["orders.json"] ?? "") as Obj[];
    expect(orders.find((f) => f.name === "total")).toEqual({
      name: "total",
      type: "NUMERIC",
      mode: "REQUIRED",
      precision: "12",
      scale: "2",
    });
    expect(orders.find((f) => f.name === "lines")?.mode).toBe("REPEATED");
    expect(issuesWith(result.issues, "bigquery-keys").map((i) => `${i.line}:${i.column}`)).toEqual(["26:5", "60:5"]);
  });

  it("writes a table resource with description and keys with shape=table", async () => {
    const out = files(await exportFile("bigquery", fixtures.rich, { shape: "table" }));
    expectGolden(out["orders.json"] ?? "", golden("rich.orders.table.json"));
    const orders = JSON.parse(out["orders.json"] ?? "") as Obj;
    expect(orders.tableReference).toEqual({ tableId: "orders" });
    expect(orders.tableConstraints).toEqual({
      primaryKey: { columns: ["order_id"] },
      foreignKeys: [
        {
          name: "fk_orders_customer_id",
          referencedTable: { tableId: "customers" },
          columnReferences: [{ referencingColumn: "customer_id", referencedColumn: "customer_id" }],
        },
      ],
    });
  });

  it("renames hostile column names to ones BigQuery accepts and keeps the contract's name", async () => {
    const result = await exportFile("bigquery", fixtures.hostile, { shape: "table" });
    const out = files(result);
    expect(Object.keys(out)).toEqual(["select.json", "order items.json"]);
    expectGolden(out["select.json"] ?? "", golden("hostile.select.table.json"));
    const select = JSON.parse(out["select.json"] ?? "") as Obj;
    const written = names(select.schema.fields);
    for (const name of written) expect(name).toMatch(plainColumnName);
    expect(new Set(written.map((n) => n.toLowerCase())).size).toBe(written.length);
    expect(select.schema.fields.find((f: Obj) => f.name === "a_drop_table_x").description).toBe(
      "ODCS name: a;drop table x",
    );
    expect(issuesWith(result.issues, "bigquery-renamed").map((i) => `${i.line} ${i.message}`)).toContain(
      "19 order date is written as order_date: BigQuery column names allow letters, digits and _",
    );
  });
});

describe("bigquery import", () => {
  const resource = `{
  "kind": "bigquery#table",
  "tableReference": { "projectId": "shop-prod", "datasetId": "sales", "tableId": "orders" },
  "description": "One row per order.",
  "numRows": "42",
  "schema": {
    "fields": [
      { "name": "order_id", "type": "STRING", "mode": "REQUIRED", "maxLength": "20" },
      { "name": "customer_id", "type": "INT64", "mode": "REQUIRED" },
      { "name": "total", "type": "NUMERIC", "precision": "12", "scale": "2" },
      { "name": "big", "type": "BIGNUMERIC" },
      { "name": "placed_at", "type": "TIMESTAMP", "description": "When it was placed" },
      { "name": "local", "type": "DATETIME", "defaultValueExpression": "CURRENT_DATETIME()" },
      { "name": "tags", "type": "STRING", "mode": "REPEATED" },
      { "name": "lines", "type": "RECORD", "mode": "REPEATED", "fields": [
        { "name": "sku", "type": "STRING", "mode": "REQUIRED" },
        { "name": "qty", "type": "INTEGER" }
      ] },
      { "name": "address", "type": "STRUCT", "fields": [ { "name": "city", "type": "STRING" } ] },
      { "name": "extra", "type": "JSON" }
    ]
  },
  "tableConstraints": {
    "primaryKey": { "columns": ["order_id"] },
    "foreignKeys": [ { "name": "fk_customer", "referencedTable": { "projectId": "shop-prod", "datasetId": "sales", "tableId": "customers" },
      "columnReferences": [ { "referencingColumn": "customer_id", "referencedColumn": "id" } ] } ]
  },
  "timePartitioning": { "type": "DAY", "field": "placed_at" },
  "clustering": { "fields": ["customer_id"] }
}
`;

  it("reads a table resource with keys, nesting, partitioning and precision", async () => {
    const outcome = await importText("bigquery", resource, {}, "orders.json");
    expectImported(outcome, ["bigquery-unmapped", "relationship-target-external"]);
    expect(issuesWith(outcome.issues, "bigquery-unmapped").map(formatIssue)).toEqual([
      "orders.json:2:3 warning bigquery-unmapped kind is not kept: ODCS has no place for it",
      "orders.json:5:3 warning bigquery-unmapped numRows is not kept: ODCS has no place for it",
    ]);
    const contract = outcome.value as Obj;
    expect(contract.servers).toEqual([
      { server: "bigquery", type: "bigquery", project: "shop-prod", dataset: "sales" },
    ]);
    const [orders] = contract.schema as [Obj];
    expect(orders.name).toBe("orders");
    expect(orders.description).toBe("One row per order.");
    const byName = Object.fromEntries((orders.properties as Obj[]).map((p) => [p.name, p]));
    expect(byName.order_id).toEqual({
      name: "order_id",
      logicalType: "string",
      physicalType: "STRING",
      logicalTypeOptions: { maxLength: 20 },
      required: true,
      primaryKey: true,
      primaryKeyPosition: 1,
    });
    expect(byName.customer_id.relationships).toEqual([
      { type: "foreignKey", to: "customers.id", customProperties: [{ property: "name", value: "fk_customer" }] },
    ]);
    expect(byName.total).toMatchObject({ logicalType: "number", physicalType: "NUMERIC(12,2)" });
    expect(byName.big).toMatchObject({ logicalType: "number", physicalType: "BIGNUMERIC" });
    expect(byName.placed_at).toMatchObject({ logicalType: "timestamp", partitioned: true, partitionKeyPosition: 1 });
    expect(byName.local.customProperties).toEqual([
      { property: "defaultValueExpression", value: "CURRENT_DATETIME()" },
    ]);
    expect(byName.tags).toMatchObject({ logicalType: "array", items: { logicalType: "string" } });
    expect(byName.lines.items.properties.map((p: Obj) => [p.name, p.required ?? false])).toEqual([
      ["sku", true],
      ["qty", false],
    ]);
    expect(byName.address).toMatchObject({ logicalType: "object", physicalType: "RECORD" });
    expect(byName.extra).toMatchObject({ logicalType: "object", physicalType: "JSON" });
    expect(orders.customProperties).toEqual([
      { property: "timePartitioning", value: { type: "DAY", field: "placed_at" } },
      { property: "clusteringFields", value: ["customer_id"] },
    ]);
  });

  it("writes a table resource back with its keys, partitioning and clustering", async () => {
    const contract = expectImported(await importText("bigquery", resource, {}, "orders.json"), [
      "bigquery-unmapped",
      "relationship-target-external",
    ]);
    const out = files(await exportText("bigquery", contract, { shape: "table" }));
    const again = JSON.parse(out["orders.json"] ?? "") as Obj;
    const original = JSON.parse(resource) as Obj;
    expect(again.tableReference).toEqual(original.tableReference);
    expect(again.timePartitioning).toEqual(original.timePartitioning);
    expect(again.clustering).toEqual(original.clustering);
    expect(again.tableConstraints.primaryKey).toEqual(original.tableConstraints.primaryKey);
    expect(again.schema.fields.map((f: Obj) => [f.name, f.type, f.mode])).toEqual(
      original.schema.fields.map((f: Obj) => [f.name, canonical(f.type), f.mode ?? "NULLABLE"]),
    );
  });

  it("reads the list of fields bq show --schema prints, named after the file", async () => {
    const outcome = await importText(
      "bigquery",
      '[{"name":"id","type":"INTEGER","mode":"REQUIRED"}]',
      {},
      "dir/events.json",
    );
    expectCleanImport(outcome);
    expect((outcome.value as Obj).schema[0].name).toBe("events");
    const named = await importText("bigquery", '{"fields":[{"name":"id","type":"INTEGER"}]}', { name: "clicks" });
    expect((named.value as Obj).schema[0].name).toBe("clicks");
  });

  it("gives precise errors for malformed JSON, unknown types, bad modes and deep nesting", async () => {
    const broken = await importText("bigquery", '[\n  {"name": "id" "type": "INTEGER"}\n]', {}, "b.json");
    expect(broken.issues.filter((i) => i.severity === "error").map((i) => `${i.line}:${i.column}`)[0]).toBe("2:17");
    const unknown = await importText("bigquery", '[\n  {"name": "id", "type": "BIGINT"}\n]', {}, "u.json");
    expect(unknown.issues.map(formatIssue)).toEqual([
      "u.json:2:18 error bigquery-unknown-type BIGINT is not a BigQuery type (known: STRING, BYTES, INTEGER, FLOAT, NUMERIC, BIGNUMERIC, BOOLEAN, TIMESTAMP, DATETIME, DATE, TIME, GEOGRAPHY, JSON, RECORD, INTERVAL, RANGE)",
    ]);
    const mode = await importText("bigquery", '[{"name": "id", "type": "INTEGER", "mode": "OPTIONAL"}]', {}, "m.json");
    expect(issuesWith(mode.issues, "bigquery-mode").map((i) => `${i.line}:${i.column}`)).toEqual(["1:36"]);
    let deep = '{"name": "leaf", "type": "STRING"}';
    for (let i = 0; i < 40; i++) deep = `{"name": "n${i}", "type": "RECORD", "fields": [${deep}]}`;
    const tooDeep = await importText("bigquery", `[${deep}]`, {}, "d.json");
    expect(issuesWith(tooDeep.issues, "bigquery-too-deep")).toHaveLength(1);
    expect(tooDeep.text).toBeUndefined();
    const notSchema = await importText("bigquery", '{"type": "struct"}', {}, "n.json");
    expect(notSchema.issues.map((i) => i.code)).toEqual(["bigquery-not-schema"]);
  });
});

describe("bigquery round trips", () => {
  for (const [fixture, file] of [
    ["rich", fixtures.rich],
    ["hostile", fixtures.hostile],
  ] as const) {
    it(`keeps the ${fixture} contract from contract to table resources and back`, async () => {
      const out = files(await exportFile("bigquery", file, { shape: "table" }));
      const original = shape(readFileSync(file, "utf8"));
      const back = await Promise.all(
        Object.entries(out).map(async ([path, text], i) => {
          const outcome = await importText("bigquery", text, { name: original[i]?.name }, path);
          return shape(expectImported(outcome, ["relationship-target-external"]))[0];
        }),
      );
      expect(back).toEqual(original);
    });
  }

  it("keeps a BigQuery schema from BigQuery to contract to BigQuery", async () => {
    const fields = `[
  {"name": "id", "type": "INTEGER", "mode": "REQUIRED", "description": "Key"},
  {"name": "amount", "type": "NUMERIC", "precision": "10", "scale": "3"},
  {"name": "at", "type": "DATETIME"},
  {"name": "geo", "type": "GEOGRAPHY"},
  {"name": "raw", "type": "BYTES", "maxLength": "16"},
  {"name": "r", "type": "RECORD", "mode": "REPEATED", "fields": [{"name": "x", "type": "FLOAT", "mode": "REQUIRED"}]}
]`;
    const contract = expectCleanImport(await importText("bigquery", fields, {}, "t.json"));
    const again = files(await exportText("bigquery", contract));
    expect(JSON.parse(again["t.json"] ?? "")).toEqual([
      { name: "id", type: "INTEGER", mode: "REQUIRED", description: "Key" },
      { name: "amount", type: "NUMERIC", mode: "NULLABLE", precision: "10", scale: "3" },
      { name: "at", type: "DATETIME", mode: "NULLABLE" },
      { name: "geo", type: "GEOGRAPHY", mode: "NULLABLE" },
      { name: "raw", type: "BYTES", mode: "NULLABLE", maxLength: "16" },
      { name: "r", type: "RECORD", mode: "REPEATED", fields: [{ name: "x", type: "FLOAT", mode: "REQUIRED" }] },
    ]);
  });
});
