import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
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

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

/** Objects → properties → the fields a round trip must keep. */
function shape(yaml: string) {
  const doc = parse(yaml);
  const prop = (p: Record<string, unknown>): unknown => ({
    name: p.name,
    logicalType: p.logicalType,
    required: p.required ?? false,
    primaryKey: p.primaryKey ?? false,
    relationships: p.relationships,
    logicalTypeOptions: p.logicalTypeOptions,
    quality: p.quality,
    description: p.description,
    properties: (p.properties as Record<string, unknown>[] | undefined)?.map(prop),
    items: p.items ? prop(p.items as Record<string, unknown>) : undefined,
  });
  return (doc.schema as Record<string, unknown>[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Record<string, unknown>[]).map(prop),
  }));
}

describe("avro export", () => {
  it("writes the rich contract as a list of records", async () => {
    const result = await exportFile("avro", fixtures.rich, { namespace: "shop" });
    expectGolden(onlyText(result), golden("rich.avsc"));
    expect(result.files[0]?.path).toBe("shop.orders.avsc");
  });

  it("writes one record when schema names it, decimals as bytes with precision and scale", async () => {
    const record = JSON.parse(onlyText(await exportFile("avro", fixtures.rich, { schema: "orders" })));
    expect(record.name).toBe("orders");
    const total = record.fields.find((f: { name: string }) => f.name === "total");
    expect(total.type).toEqual({ type: "bytes", logicalType: "decimal", precision: 12, scale: 2 });
    const quantity = record.fields.find((f: { name: string }) => f.name === "quantity");
    expect(quantity).toMatchObject({ type: ["null", "int"], default: null });
    const status = record.fields.find((f: { name: string }) => f.name === "status");
    expect(status.type).toEqual({
      type: "enum",
      name: "orders_status",
      symbols: ["placed", "shipped", "delivered", "returned"],
    });
  });

  it("renames hostile names to Avro names and keeps the originals", async () => {
    const text = onlyText(await exportFile("avro", fixtures.hostile));
    expectGolden(text, golden("hostile.avsc"));
    const [select] = JSON.parse(text);
    const date = select.fields.find((f: { name: string }) => f.name === "order_date");
    expect(date["quanta.name"]).toBe("order date");
    expect(select.fields.map((f: { name: string }) => f.name)).toContain("Order_Date");
  });
});

describe("avro import", () => {
  it("reads its own export back to the same objects, types, required, keys and rules", async () => {
    for (const fixture of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const original = readFileSync(fixture, "utf8");
      const exported = onlyText(await exportText("avro", original));
      const imported = expectCleanImport(await importText("avro", exported, {}, "x.avsc"), ["avro-map"]);
      expect(shape(imported)).toEqual(shape(original));
      const again = onlyText(await exportText("avro", imported));
      expect(expectCleanImport(await importText("avro", again, {}, "x.avsc"))).toBe(imported);
    }
  });

  it("reads records, named references, arrays, maps, enums, fixed, unions and logical types", async () => {
    const outcome = await importFile("avro", join(import.meta.dirname, "testdata/user.avsc"));
    const yaml = expectCleanImport(outcome, ["avro-map", "avro-union"]);
    expectGolden(yaml, golden("user.odcs.yaml"));
    expect(outcome.issues.map(formatIssue)).toEqual([
      "packages/core/src/formats/avro/testdata/user.avsc:29:7 warning avro-map a map's keys are data, not fields: read as an object without properties",
      "packages/core/src/formats/avro/testdata/user.avsc:31:25 warning avro-union a union of 2 types has no ODCS equivalent; read as its first, string",
    ]);
  });

  it("refuses a recursive record at the reference", async () => {
    const text = `{
  "type": "record",
  "name": "Node",
  "fields": [
    { "name": "value", "type": "string" },
    { "name": "next", "type": ["null", "Node"] }
  ]
}`;
    const outcome = await importText("avro", text, {}, "list.avsc");
    expect(outcome.issues.map(formatIssue)).toEqual([
      "list.avsc:6:40 error avro-recursive record Node contains itself; an ODCS contract cannot hold a recursive type",
    ]);
  });

  it("refuses what avsc refuses, and what is not Avro", async () => {
    const bad = await importText("avro", '{"type":"record","name":"a b","fields":[]}', {}, "bad.avsc");
    expect(bad.issues.map((i) => [i.code, i.message])).toEqual([
      ["avro-invalid", 'not a valid Avro schema: invalid name: "a b"'],
    ]);
    const enumOnly = await importText("avro", '{"type":"enum","name":"E","symbols":["A"]}', {}, "e.avsc");
    expect(enumOnly.issues.map((i) => i.code)).toEqual(["avro-not-record"]);
    const binary = await importText("avro", new Uint8Array([0x4f, 0x62, 0x6a, 1, 0, 0]), {}, "x.avro");
    expect(binary.issues.some((i) => i.severity === "error")).toBe(true);
  });

  it("bounds nesting depth", async () => {
    let type = '"string"';
    for (let i = 0; i < 40; i++) type = `{"type":"record","name":"R${i}","fields":[{"name":"f","type":${type}}]}`;
    const outcome = await importText("avro", type, {}, "deep.avsc");
    expect(outcome.issues.some((i) => i.severity === "error")).toBe(true);
  });
});

describe("avro export namespace", () => {
  it("makes the namespace option a valid dotted Avro namespace", async () => {
    const record = JSON.parse(
      onlyText(await exportFile("avro", fixtures.rich, { schema: "customers", namespace: "web shop.1sales" })),
    );
    expect(record.namespace).toBe("web_shop._1sales");
  });
});
