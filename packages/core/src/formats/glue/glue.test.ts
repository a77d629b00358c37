import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
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
import { parseHiveType, printHiveType, propertyShape } from "./hive-types.js";

const here = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function prop(p: Obj, top = true): Obj {
  return {
    name: p.name,
    logicalType: p.logicalType,
    required: top ? (p.required ?? false) : undefined,
    primaryKey: p.primaryKey ?? false,
    primaryKeyPosition: p.primaryKeyPosition,
    partitioned: p.partitioned ?? false,
    description: p.description,
    properties: p.properties?.map((c: Obj) => prop(c, false)),
    items: p.items
      ? { logicalType: p.items.logicalType, properties: p.items.properties?.map((c: Obj) => prop(c, false)) }
      : undefined,
  };
}

/**
 * What Glue holds of a contract: objects, columns, nesting, logical types, descriptions,
 * partitions; required and primary keys through the Parameters Quanta writes (top level only).
 */
function shape(yaml: string): Obj[] {
  return ((parse(yaml) as Obj).schema as Obj[]).map((o) => ({
    name: o.name,
    description: o.description,
    properties: (o.properties as Obj[]).map((p) => prop(p)),
  }));
}

const table = (columns: unknown[], extra: Obj = {}) =>
  JSON.stringify({ Table: { Name: "t", StorageDescriptor: { Columns: columns }, ...extra } }, null, 2);

describe("glue import", () => {
  it("reads get-table output: Hive types, nesting, partitions, the S3 server", async () => {
    const outcome = await importFile("glue", here("orders.get-table.json"));
    const yaml = expectCleanImport(outcome);
    expectGolden(yaml, here("orders.odcs.yaml"));
    const contract = parse(yaml) as Obj;
    const props = contract.schema[0].properties as Obj[];
    const byName = Object.fromEntries(props.map((p) => [p.name, p]));
    expect(byName.total).toMatchObject({ logicalType: "number", physicalType: "decimal(12,2)" });
    expect(byName.code.logicalTypeOptions).toEqual({ maxLength: 3, minLength: 3 });
    expect(byName.lines.items.properties.map((p: Obj) => [p.name, p.logicalType])).toEqual([
      ["sku", "string"],
      ["price", "number"],
      ["extras", "object"],
    ]);
    expect(byName.lines.items.properties[2].physicalType).toBe("map<string,array<int>>");
    expect(byName.month).toMatchObject({ partitioned: true, partitionKeyPosition: 2 });
    expect(contract.servers).toEqual([
      { server: "s3", type: "s3", location: "s3://shop-lake/orders/", format: "parquet" },
      {
        server: "glue",
        type: "glue",
        account: "123456789012",
        database: "shop",
        location: "s3://shop-lake/orders/",
        format: "parquet",
      },
    ]);
    // Read-only fields are named, not silently dropped.
    expect(issuesWith(outcome.issues, "glue-not-kept").map((i) => i.message)).toContain(
      "CreateTime is set by Glue; not kept",
    );
  });

  it("accepts the bare Table and a create-table input", async () => {
    const bare = await importText(
      "glue",
      JSON.stringify({ Name: "t", StorageDescriptor: { Columns: [{ Name: "a", Type: "int" }] } }),
    );
    expect((parse(expectCleanImport(bare)) as Obj).schema[0].properties[0].logicalType).toBe("integer");
    const input = await importText(
      "glue",
      JSON.stringify({
        DatabaseName: "db",
        TableInput: { Name: "t", StorageDescriptor: { Columns: [{ Name: "a", Type: "date" }] } },
      }),
    );
    expect((parse(expectCleanImport(input)) as Obj).id).toBe("db-t");
  });

  it("parses nested generics exactly, and prints them back", () => {
    const text = "array<struct<a:int,`b c`:map<string,array<decimal(10,2)>>,d:struct<e:varchar(5)>>>";
    expect(printHiveType(parseHiveType(text))).toBe(text);
    expect(propertyShape(parseHiveType("struct<a:int,b:array<string>>"))).toEqual({
      logicalType: "object",
      physicalType: "struct<a:int,b:array<string>>",
      properties: [
        { name: "a", logicalType: "integer", physicalType: "int" },
        {
          name: "b",
          logicalType: "array",
          physicalType: "array<string>",
          items: { logicalType: "string", physicalType: "string" },
        },
      ],
    });
  });

  it("reports malformed JSON at its line and column", async () => {
    const outcome = await importText(
      "glue",
      '{\n  "Table": {\n    "Name": "t",\n    "StorageDescriptor": {,}\n  }\n}\n',
    );
    expect(outcome.text).toBeUndefined();
    const error = outcome.issues.find((i) => i.severity === "error");
    expect(error?.line).toBe(4);
    expect(error?.column).toBeGreaterThan(0);
  });

  it("keeps an unknown Hive type as the physical type, with a warning at its line", async () => {
    const outcome = await importText(
      "glue",
      table([
        { Name: "a", Type: "int" },
        { Name: "g", Type: "geometry" },
      ]),
    );
    const [warning] = issuesWith(outcome.issues, "glue-unknown-type");
    expect(warning?.severity).toBe("warning");
    expect(warning?.line).toBe(12);
    expect(warning?.message).toMatch(/geometry is not a Hive type/);
    const yaml = expectCleanImport(outcome, ["glue-unknown-type"]);
    expect((parse(yaml) as Obj).schema[0].properties[1]).toEqual({ name: "g", physicalType: "geometry" });
  });

  it("refuses a malformed type with the character where it breaks", async () => {
    const outcome = await importText("glue", table([{ Name: "a", Type: "struct<a:int,b:array<string>" }]));
    expect(outcome.text).toBeUndefined();
    const [error] = issuesWith(outcome.issues, "glue-bad-type");
    expect(error?.message).toMatch(/expected ">" at character 29/);
    expect(error?.line).toBe(8);
  });

  it("refuses types nested deeper than the limit", async () => {
    const deep = `${"array<".repeat(formatLimits.maxDepth + 1)}int${">".repeat(formatLimits.maxDepth + 1)}`;
    const outcome = await importText("glue", table([{ Name: "a", Type: deep }]));
    expect(outcome.text).toBeUndefined();
    expect(issuesWith(outcome.issues, "glue-bad-type")[0]?.message).toMatch(/nests more than 32 levels/);
  });

  it("refuses what is not a Glue table", async () => {
    const outcome = await importText("glue", '{"fields": []}');
    expect(outcome.issues.map((i) => i.code)).toContain("glue-not-table");
    const binary = await importText("glue", new Uint8Array([0x50, 0x41, 0x52, 0x31, 0, 0, 1]));
    expect(binary.text).toBeUndefined();
    expect(binary.issues.some((i) => i.severity === "error")).toBe(true);
  });
});

describe("glue export", () => {
  it("writes the rich contract as TableInputs", async () => {
    const result = await exportFile("glue", fixtures.rich);
    expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
    expect(result.files.map((f) => f.path)).toEqual(["customers.glue.json", "orders.glue.json"]);
    for (const f of result.files) expectGolden(String(f.content), here(`rich.${f.path}`));
    const orders = JSON.parse(String(result.files[1]?.content)) as Obj;
    const types = Object.fromEntries(orders.StorageDescriptor.Columns.map((c: Obj) => [c.Name, c.Type]));
    expect(types).toMatchObject({
      order_id: "varchar(20)",
      customer_id: "bigint",
      total: "decimal(12,2)",
      quantity: "int",
      delivery_time: "string",
      shipping_address: "struct<street:string,city:string,country:string>",
      lines: "array<struct<sku:string,price:double>>",
    });
    // Every type written parses as Hive again.
    for (const c of orders.StorageDescriptor.Columns) expect(printHiveType(parseHiveType(c.Type))).toBe(c.Type);
    expect(issuesWith(result.issues, "glue-type").map((i) => i.message)).toEqual([
      "delivery_time: Hive has no time of day type; written as string",
    ]);
    expect(issuesWith(result.issues, "glue-unmapped").length).toBeGreaterThan(0);
  });

  it("lower-cases and plains hostile names, keeping the originals in Parameters", async () => {
    const result = await exportFile("glue", fixtures.hostile);
    for (const f of result.files) expectGolden(String(f.content), here(`hostile.${f.path}`));
    const select = JSON.parse(String(result.files[0]?.content)) as Obj;
    const columns = select.StorageDescriptor.Columns as Obj[];
    for (const c of columns) expect(c.Name).toMatch(/^[a-z0-9_]+$/);
    expect(new Set(columns.map((c) => c.Name)).size).toBe(columns.length);
    const kept = columns.map((c) => c.Parameters?.["quanta.name"] ?? c.Name);
    expect(kept).toContain("order date");
    expect(kept).toContain("Order Date");
    expect(kept).toContain("ключ");
    const items = JSON.parse(String(result.files[1]?.content)) as Obj;
    expect(items.Name).toBe("order_items");
    expect(items.Parameters["quanta.name"]).toBe("order items");
    expect(issuesWith(result.issues, "glue-renamed").every((i) => i.severity === "warning" && i.line > 0)).toBe(true);
  });

  it("round-trips the rich contract: export, import, same objects, columns and types", async () => {
    const result = await exportFile("glue", fixtures.rich);
    const original = await importText("odcs", onlyText(await exportFile("odcs", fixtures.rich)));
    for (const [i, f] of result.files.entries()) {
      const back = expectCleanImport(await importText("glue", String(f.content), {}, f.path));
      const want = shape(original.text ?? "")[i] as Obj;
      expect(shape(back)[0]).toEqual({
        ...want,
        // Hive has no time of day: a string comes back.
        properties: want.properties.map((p: Obj) => (p.logicalType === "time" ? { ...p, logicalType: "string" } : p)),
      });
    }
  });

  it("round-trips hostile names back to the contract's own", async () => {
    const result = await exportFile("glue", fixtures.hostile);
    const back = expectCleanImport(await importText("glue", String(result.files[0]?.content)));
    const props = (parse(back) as Obj).schema[0].properties as Obj[];
    expect(props.map((p) => p.name)).toEqual([
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
  });

  it("import → export → import keeps the table", async () => {
    const first = expectCleanImport(await importFile("glue", here("orders.get-table.json")));
    const exported = onlyText(await exportText("glue", first));
    const input = JSON.parse(exported) as Obj;
    expect(input.PartitionKeys.map((c: Obj) => c.Name)).toEqual(["year", "month"]);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toMatch(/ParquetHiveSerDe/);
    const second = expectCleanImport(await importText("glue", exported));
    expect(shape(second)).toEqual(shape(first));
  });
});
