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
    description: p.description,
    properties: p.properties?.map(prop),
    items: p.items ? { logicalType: p.items.logicalType, properties: p.items.properties?.map(prop) } : undefined,
  };
}

/** What a round trip through Iceberg keeps: objects, fields, nesting, logical types, required, keys. */
function shape(yaml: string): Obj[] {
  return ((parse(yaml) as Obj).schema as Obj[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Obj[]).map(prop),
  }));
}

function files(result: ExportResult): Record<string, string> {
  expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
  return Object.fromEntries(result.files.map((f) => [f.path, String(f.content)]));
}

/** Every id of a schema (fields, list elements, map keys and values), in document order. */
function ids(type: unknown): number[] {
  if (typeof type !== "object" || type === null) return [];
  const t = type as Obj;
  if (t.type === "struct") return t.fields.flatMap((f: Obj) => [f.id, ...ids(f.type)]);
  if (t.type === "list") return [t["element-id"], ...ids(t.element)];
  if (t.type === "map") return [t["key-id"], t["value-id"], ...ids(t.value)];
  return [];
}

describe("iceberg export", () => {
  it("writes the rich contract with Iceberg's fresh-id order and the key as identifier fields", async () => {
    const result = await exportFile("iceberg", fixtures.rich);
    const out = files(result);
    expect(Object.keys(out)).toEqual(["customers.json", "orders.json"]);
    expectGolden(out["orders.json"] ?? "", golden("rich.orders.json"));
    const orders = JSON.parse(out["orders.json"] ?? "") as Obj;
    // The 11 top-level fields take 1..11, then what they nest, in order.
    expect(orders.fields.map((f: Obj) => f.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(orders.fields.find((f: Obj) => f.name === "shipping_address").type.fields.map((f: Obj) => f.id)).toEqual([
      12, 13, 14,
    ]);
    expect(orders.fields.find((f: Obj) => f.name === "tags").type["element-id"]).toBe(15);
    const lines = orders.fields.find((f: Obj) => f.name === "lines").type;
    expect([lines["element-id"], ...lines.element.fields.map((f: Obj) => f.id)]).toEqual([16, 17, 18]);
    expect(orders["identifier-field-ids"]).toEqual([1]);
    expect(orders.fields.find((f: Obj) => f.name === "total").type).toBe("decimal(12, 2)");
    const all = ids(orders);
    expect(new Set(all).size).toBe(all.length);
    expect(issuesWith(result.issues, "iceberg-unmapped").map((i) => `${i.line}:${i.column} ${i.message}`)).toContain(
      "79:9 pattern, minLength, maxLength not written: Iceberg types have no such constraints",
    );
  });

  it("writes hostile names as they are, escaped only by JSON", async () => {
    const out = files(await exportFile("iceberg", fixtures.hostile));
    expectGolden(out["select.json"] ?? "", golden("hostile.select.json"));
    const select = JSON.parse(out["select.json"] ?? "") as Obj;
    expect(select.fields.map((f: Obj) => f.name)).toEqual([
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
    expect(Object.keys(out)).toEqual(["select.json", "order items.json"]);
  });

  it("assigns the same ids on every export", async () => {
    const a = files(await exportFile("iceberg", fixtures.rich));
    const b = files(await exportFile("iceberg", fixtures.rich));
    expect(a).toEqual(b);
  });
});

const spec = `{
  "type": "struct",
  "schema-id": 3,
  "identifier-field-ids": [1, 2],
  "fields": [
    { "id": 1, "name": "id", "required": true, "type": "uuid", "doc": "Order id" },
    { "id": 2, "name": "line", "required": true, "type": "int" },
    { "id": 3, "name": "amount", "required": false, "type": "decimal(10, 2)" },
    { "id": 4, "name": "placed", "required": false, "type": "timestamptz" },
    { "id": 5, "name": "local", "required": false, "type": "timestamp_ns" },
    { "id": 6, "name": "hash", "required": false, "type": "fixed[16]" },
    { "id": 7, "name": "at", "required": false, "type": "time" },
    { "id": 8, "name": "tags", "required": false, "type": { "type": "list", "element-id": 11, "element": "string", "element-required": true } },
    { "id": 9, "name": "attrs", "required": false, "type": { "type": "map", "key-id": 12, "key": "string", "value-id": 13, "value": "long", "value-required": false } },
    { "id": 10, "name": "ship", "required": false, "type": { "type": "struct", "fields": [
      { "id": 14, "name": "city", "required": true, "type": "string", "write-default": "Bern" }
    ] } }
  ]
}
`;

describe("iceberg import", () => {
  it("reads a spec v2 schema with identifier fields, lists, maps, decimals and timestamps", async () => {
    const outcome = await importText("iceberg", spec, {}, "orders.json");
    expectCleanImport(outcome);
    const [object] = (outcome.value as Obj).schema as [Obj];
    expect(object.name).toBe("orders");
    const by = Object.fromEntries((object.properties as Obj[]).map((p) => [p.name, p]));
    expect(by.id).toMatchObject({
      logicalType: "string",
      physicalType: "uuid",
      logicalTypeOptions: { format: "uuid" },
      required: true,
      primaryKey: true,
      primaryKeyPosition: 1,
      description: "Order id",
    });
    expect(by.line).toMatchObject({ logicalType: "integer", primaryKeyPosition: 2 });
    expect(by.amount).toMatchObject({ logicalType: "number", physicalType: "decimal(10, 2)" });
    expect(by.placed).toMatchObject({ logicalType: "timestamp", logicalTypeOptions: { timezone: true } });
    expect(by.local).toMatchObject({ logicalType: "timestamp", physicalType: "timestamp_ns" });
    expect(by.hash).toMatchObject({ logicalType: "string", physicalType: "fixed[16]" });
    expect(by.at).toMatchObject({ logicalType: "time" });
    expect(by.tags).toMatchObject({ logicalType: "array", items: { logicalType: "string", required: true } });
    expect(by.attrs).toMatchObject({ logicalType: "object", physicalType: "map<string, long>" });
    expect(by.ship.properties[0]).toMatchObject({ name: "city", required: true });
    expect(by.ship.properties[0].customProperties).toContainEqual({ property: "write-default", value: "Bern" });
  });

  it("reads the current schema of a table metadata file", async () => {
    const metadata = JSON.stringify(
      {
        "format-version": 2,
        "table-uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1",
        location: "s3://bucket/events",
        "current-schema-id": 1,
        schemas: [
          { type: "struct", "schema-id": 0, fields: [{ id: 1, name: "a", required: false, type: "int" }] },
          {
            type: "struct",
            "schema-id": 1,
            fields: [
              { id: 1, name: "b", required: true, type: "long" },
              { id: 2, name: "at", required: false, type: "timestamptz" },
            ],
          },
        ],
        "default-spec-id": 0,
        "partition-specs": [
          { "spec-id": 0, fields: [{ "source-id": 2, "field-id": 1000, name: "at_day", transform: "day" }] },
        ],
        "sort-orders": [{ "order-id": 1, fields: [{ "source-id": 1, transform: "identity", direction: "asc" }] }],
        properties: { comment: "Click events", "write.format.default": "parquet" },
        "x-vendor": true,
      },
      null,
      2,
    );
    const outcome = await importText("iceberg", metadata, { name: "events" }, "v3.metadata.json");
    expectCleanImport(outcome, ["iceberg-unmapped"]);
    expect(issuesWith(outcome.issues, "iceberg-unmapped").map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "53:5 a sort order is not kept: ODCS has no sort orders",
      "68:3 x-vendor is not kept: ODCS has no place for it",
    ]);
    const [object] = (outcome.value as Obj).schema as [Obj];
    expect(object.description).toBe("Click events");
    expect(object.properties.map((p: Obj) => p.name)).toEqual(["b", "at"]);
    expect(object.properties[1]).toMatchObject({ partitioned: true, partitionKeyPosition: 1 });
    expect(object.properties[1].customProperties).toContainEqual({ property: "partitionTransform", value: "day" });
    expect(object.customProperties).toContainEqual({
      property: "tableProperties",
      value: { "write.format.default": "parquet" },
    });
  });

  it("reads the schema of a format v1 table metadata file", async () => {
    const metadata = JSON.stringify({
      "format-version": 1,
      schema: { type: "struct", "schema-id": 0, fields: [{ id: 1, name: "a", required: true, type: "int" }] },
    });
    const outcome = await importText("iceberg", metadata, { name: "events" }, "v1.metadata.json");
    expectCleanImport(outcome);
    expect((outcome.value as Obj).schema[0].properties.map((p: Obj) => p.name)).toEqual(["a"]);
  });

  it("gives precise errors for malformed JSON, unknown types, duplicate ids and deep nesting", async () => {
    const broken = await importText(
      "iceberg",
      '{"type": "struct",\n "fields": [ {"id": 1 "name": "a"} ]}',
      {},
      "b.json",
    );
    expect(broken.issues.filter((i) => i.severity === "error").map((i) => `${i.line}:${i.column}`)[0]).toBe("2:21");
    const unknown = await importText(
      "iceberg",
      '{"type": "struct", "fields": [\n {"id": 1, "name": "a", "required": true, "type": "varchar"}]}',
      {},
      "u.json",
    );
    expect(unknown.issues.map(formatIssue)).toEqual([
      "u.json:2:43 error iceberg-unknown-type varchar is not an Iceberg type (known: boolean, int, long, float, double, date, time, timestamp, timestamptz, timestamp_ns, timestamptz_ns, string, uuid, binary, unknown, variant, decimal(P, S), fixed[L], geometry, geography)",
    ]);
    const twice = await importText(
      "iceberg",
      '{"type": "struct", "fields": [{"id": 1, "name": "a", "required": true, "type": "int"},\n {"id": 1, "name": "b", "required": true, "type": "int"}]}',
      {},
      "t.json",
    );
    expect(issuesWith(twice.issues, "iceberg-duplicate-id").map((i) => `${i.line}:${i.column}`)).toEqual(["2:3"]);
    let deep = '"string"';
    for (let i = 0; i < 40; i++)
      deep = `{"type": "list", "element-id": ${i + 2}, "element": ${deep}, "element-required": false}`;
    const tooDeep = await importText(
      "iceberg",
      `{"type": "struct", "fields": [{"id": 1, "name": "x", "required": false, "type": ${deep}}]}`,
      {},
      "d.json",
    );
    expect(issuesWith(tooDeep.issues, "iceberg-too-deep")).toHaveLength(1);
    expect(tooDeep.text).toBeUndefined();
    const avro = await importText("iceberg", '{"type": "record", "name": "x", "fields": []}', {}, "a.json");
    expect(avro.issues.map((i) => i.code)).toEqual(["iceberg-not-schema"]);
  });
});

describe("iceberg round trips", () => {
  for (const [fixture, file] of [
    ["rich", fixtures.rich],
    ["hostile", fixtures.hostile],
  ] as const) {
    it(`keeps the ${fixture} contract from contract to Iceberg and back`, async () => {
      const out = files(await exportFile("iceberg", file));
      const original = shape(readFileSync(file, "utf8"));
      const back = await Promise.all(
        Object.values(out).map(async (text, i) => {
          const outcome = await importText("iceberg", text, { name: original[i]?.name }, "schema.json");
          return shape(expectCleanImport(outcome))[0];
        }),
      );
      expect(back).toEqual(original);
    });
  }

  it("writes an imported schema back with the same ids, types and identifier fields", async () => {
    const contract = expectCleanImport(await importText("iceberg", spec, {}, "orders.json"));
    const again = files(await exportText("iceberg", contract));
    expect(JSON.parse(again["orders.json"] ?? "")).toEqual(JSON.parse(spec));
  });
});
