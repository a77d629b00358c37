import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { openDuckDb } from "@quanta/engine-duckdb";
import avro from "avsc";
import { describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const fixture = (p: string) => join(repo, p);
const orders = fixture("examples/webshop/orders/contracts/orders.odcs.yaml");
const ordersData = fixture("examples/webshop/orders/data/orders.parquet");

async function exportAvsc(path: string, options: Record<string, string> = {}) {
  const format = getFormat("avro");
  if (!format) throw new Error("avro is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(path, "utf8"), path), options);
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return JSON.parse(String(result.files[0]?.content));
}

/** An Avro decimal's bytes: the unscaled value, big-endian two's complement. */
function decimalBytes(text: string, scale: number): Buffer {
  const [whole = "0", fraction = ""] = text.replace("-", "").split(".");
  let unscaled = BigInt(whole + fraction.padEnd(scale, "0").slice(0, scale));
  if (text.startsWith("-")) unscaled = -unscaled;
  const bytes: number[] = [];
  let v = unscaled;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!(v === 0n && (bytes[0] ?? 0) < 0x80) && !(v === -1n && (bytes[0] ?? 0) >= 0x80));
  return Buffer.from(bytes);
}

/** A row read with DuckDB as the Avro value its record describes. */
function toAvro(record: { fields: { name: string; type: unknown }[] }, row: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const field of record.fields) {
    const value = row[field.name];
    const type = (Array.isArray(field.type) ? field.type.find((t) => t !== "null") : field.type) as
      | string
      | { type: string; logicalType?: string; scale?: number };
    if (value === null || value === undefined) out[field.name] = null;
    else if (typeof type === "object" && type.logicalType === "decimal")
      out[field.name] = decimalBytes(String(value), type.scale ?? 0);
    else if (typeof type === "object" && type.logicalType?.includes("timestamp-millis"))
      out[field.name] = Date.parse(String(value));
    else out[field.name] = value;
  }
  return out;
}

describe("avro export checked by avsc", () => {
  it("parses the orders schema and encodes and decodes every row of its data", async () => {
    const schema = await exportAvsc(orders, { namespace: "webshop.sales" });
    const type = avro.Type.forSchema(schema);
    const conn = await openDuckDb({
      server: { type: "local", path: ordersData, format: "parquet" },
      objects: [{ name: "orders" }],
      baseDir: repo,
    });
    const rows = await conn.run(`SELECT * FROM ${conn.relation("orders")}`);
    await conn.close();
    expect(rows.length).toBeGreaterThan(1000);
    for (const row of rows) {
      const value = toAvro(schema, row);
      expect(type.isValid(value), JSON.stringify(row)).toBe(true);
      expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
    }
    const first = toAvro(schema, rows[0] ?? {});
    expect(type.isValid({ ...first, status: "lost" })).toBe(false);
    expect(type.isValid({ ...first, order_id: null })).toBe(false);
    expect(type.isValid({ ...first, item_count: 1.5 })).toBe(false);
  });

  it("parses the rich and hostile exports and encodes a record of each", async () => {
    const rich = avro.Type.forSchema(await exportAvsc(fixture("packages/core/src/formats/testdata/rich.odcs.yaml")));
    expect((rich as unknown as { types: { name: string }[] }).types.map((t) => t.name)).toEqual([
      "customers",
      "orders",
    ]);
    const hostile = await exportAvsc(fixture("packages/core/src/formats/testdata/hostile.odcs.yaml"));
    const select = avro.Type.forSchema(hostile[0]);
    const value = {
      from: 1,
      order_date: 19000,
      class: "x",
      gro_e: 1.5,
      a_b: null,
      x_y: null,
      _1st: true,
      type: "it's",
      __: null,
      a_drop_table_x: null,
      Order_Date: "d",
    };
    const names = (select as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
    const full = Object.fromEntries(names.map((n) => [n, n in value ? value[n as keyof typeof value] : null]));
    expect(select.fromBuffer(select.toBuffer(full))).toEqual(full);
    const items = avro.Type.forSchema(hostile[1]);
    const item = { def: 2, interface: { func: "f" }, package: [1, 2] };
    expect(items.fromBuffer(items.toBuffer(item))).toEqual(item);
  });
});
