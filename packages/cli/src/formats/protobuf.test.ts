import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { openDuckDb } from "@quanta/engine-duckdb";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const fixture = (p: string) => join(repo, p);

async function exportProto(path: string, options: Record<string, string> = {}): Promise<string> {
  const format = getFormat("protobuf");
  if (!format) throw new Error("protobuf is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(path, "utf8"), path), options);
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return String(result.files[0]?.content);
}

/** The two well-known files the export imports, as Google publishes them (fields only). */
const wellKnown = [
  'syntax = "proto3"; package google.protobuf; message Timestamp { int64 seconds = 1; int32 nanos = 2; }',
  'syntax = "proto3"; package google.type; message Date { int32 year = 1; int32 month = 2; int32 day = 3; }',
];

/** A root holding the exported file and its imports, every type resolved (fails on any unknown). */
function load(text: string): protobuf.Root {
  const root = new protobuf.Root();
  protobuf.parse(text, root, { keepCase: true });
  for (const file of wellKnown) protobuf.parse(file, root, { keepCase: true });
  root.resolveAll();
  return root;
}

function roundTrip(type: protobuf.Type, value: Record<string, unknown>) {
  const message = type.fromObject(value);
  expect(type.verify(message)).toBeNull();
  const decoded = type.toObject(type.decode(type.encode(message).finish()), { longs: Number, enums: String });
  return decoded;
}

describe("protobuf export read by protobufjs", () => {
  it("parses the rich export and encodes and decodes an order", async () => {
    const root = load(
      await exportProto(fixture("packages/core/src/formats/testdata/rich.odcs.yaml"), { package: "shop.v1" }),
    );
    const orders = root.lookupType("shop.v1.Orders");
    const order = {
      order_id: "ORD-00000001",
      customer_id: 42,
      ordered_at: { seconds: 1764360843, nanos: 5000 },
      total: "78.47",
      status: "STATUS_SHIPPED",
      shipping_address: { city: "Utrecht", country: "NL" },
      tags: ["gift"],
      lines: [{ sku: "A-1", price: 9.5 }],
    };
    expect(roundTrip(orders, order)).toEqual(order);
    expect(orders.verify({ ...orders.fromObject(order), customer_id: "x" })).not.toBeNull();
    const customers = root.lookupType("shop.v1.Customers");
    const customer = {
      customer_id: 1,
      email: "ada@example.com",
      signed_up: { year: 2024, month: 2, day: 29 },
      segment: "SEGMENT_VIP",
    };
    expect(roundTrip(customers, customer)).toEqual(customer);
  });

  it("parses the hostile export and keeps every original name as the JSON name", async () => {
    const root = load(await exportProto(fixture("packages/core/src/formats/testdata/hostile.odcs.yaml")));
    const select = root.lookupType("Select");
    const jsonNames = select.fieldsArray.map((f) => (f.options?.json_name as string | undefined) ?? f.name);
    expect(jsonNames).toEqual([
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
    const value = {
      from: 7,
      order_date: { year: 2024, month: 1, day: 2 },
      class: "c",
      _1st: true,
      type: "TYPE_IT_S",
      _____field: "k",
    };
    expect(roundTrip(select, value)).toEqual(value);
    const items = root.lookupType("OrderItems");
    const item = { def: 7, interface: { func: "f" }, package_: [1, 2] };
    expect(roundTrip(items, item)).toEqual(item);
  });

  it("encodes and decodes every row of the orders data", async () => {
    const root = load(await exportProto(fixture("examples/webshop/orders/contracts/orders.odcs.yaml")));
    const type = root.lookupType("Orders");
    const conn = await openDuckDb({
      server: { type: "local", path: fixture("examples/webshop/orders/data/orders.parquet"), format: "parquet" },
      objects: [{ name: "orders" }],
      baseDir: repo,
    });
    const rows = await conn.run(`SELECT * FROM ${conn.relation("orders")}`);
    await conn.close();
    expect(rows.length).toBeGreaterThan(1000);
    const enums = new Map(
      type.fieldsArray
        .filter((f) => f.resolvedType instanceof protobuf.Enum)
        .map((f) => [f.name, f.resolvedType as protobuf.Enum]),
    );
    for (const row of rows) {
      const value: Record<string, unknown> = {};
      for (const field of type.fieldsArray) {
        const v = row[field.name];
        if (v === null || v === undefined) continue;
        const e = enums.get(field.name);
        if (e) {
          // The enum value whose name ends with the value (STATUS_DELIVERED for delivered).
          const symbol = Object.keys(e.values).find((k) => k.endsWith(`_${String(v).toUpperCase()}`));
          expect(symbol, `${field.name}=${String(v)}`).toBeDefined();
          value[field.name] = symbol;
        } else if (field.type === "google.protobuf.Timestamp")
          value[field.name] = { seconds: Date.parse(String(v)) / 1000 };
        else if (field.type === "string") value[field.name] = String(v);
        else value[field.name] = v;
      }
      // proto3 leaves out default values (false, 0, ""): compare with the defaults filled in.
      const options = { longs: Number, enums: String, defaults: true };
      const message = type.fromObject(value);
      expect(type.verify(message)).toBeNull();
      expect(type.toObject(type.decode(type.encode(message).finish()), options)).toEqual(
        type.toObject(message, options),
      );
      expect(message.toJSON()).toMatchObject({ order_id: row.order_id, status: value.status });
    }
  });
});
