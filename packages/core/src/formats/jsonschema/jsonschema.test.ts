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
  issuesWith,
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
    properties: (p.properties as Record<string, unknown>[] | undefined)?.map(prop),
    items: p.items ? prop(p.items as Record<string, unknown>) : undefined,
  });
  return (doc.schema as Record<string, unknown>[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Record<string, unknown>[]).map(prop),
  }));
}

describe("jsonschema export", () => {
  it("writes the rich contract as one document with an object per schema object", async () => {
    const result = await exportFile("jsonschema", fixtures.rich);
    expectGolden(onlyText(result), golden("rich.schema.json"));
    expect(result.files[0]?.path).toBe("shop.orders.schema.json");
    // Keys and temporal bounds are carried, not checked: each warning names its contract line.
    const warnings = issuesWith(result.issues, "export-not-representable").map(formatIssue);
    expect(warnings).toContain(
      "packages/core/src/formats/testdata/rich.odcs.yaml:31:9 warning export-not-representable JSON Schema cannot check primary key, uniqueness; kept in x-odcs",
    );
  });

  it("writes one object's row schema when schema names it", async () => {
    const text = onlyText(await exportFile("jsonschema", fixtures.rich, { schema: "orders" }));
    const doc = JSON.parse(text);
    expect(doc.title).toBe("orders");
    expect(doc.required).toEqual(["order_id", "customer_id", "ordered_at", "total", "status"]);
    expect(doc.properties.ordered_at).toMatchObject({ type: "string", format: "date-time" });
    expect(doc.properties.quantity.type).toEqual(["integer", "null"]);
    expect(doc.properties.status.enum).toEqual(["placed", "shipped", "delivered", "returned"]);
  });

  it("refuses a schema object the contract does not have", async () => {
    const result = await exportFile("jsonschema", fixtures.rich, { schema: "nope" });
    expect(result.files).toEqual([]);
    expect(result.issues.map((i) => i.message)).toEqual([
      'the contract has no schema object "nope"; it has customers, orders',
    ]);
  });

  it("keeps hostile names as property names and escapes them in $ref", async () => {
    const text = onlyText(await exportFile("jsonschema", fixtures.hostile));
    expectGolden(text, golden("hostile.schema.json"));
    const doc = JSON.parse(text);
    expect(doc.properties["order items"].items.$ref).toBe("#/$defs/order%20items");
    expect(Object.keys(doc.$defs.select.properties)).toContain('a"b');
  });
});

describe("jsonschema import", () => {
  it("reads its own export back to the same objects, types, required, keys and rules", async () => {
    for (const fixture of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const original = (await import("node:fs")).readFileSync(fixture, "utf8");
      const exported = onlyText(await exportText("jsonschema", original));
      const imported = expectCleanImport(await importText("jsonschema", exported, {}, "x.schema.json"));
      expect(shape(imported)).toEqual(shape(original));
      // import → export → import is stable.
      const again = onlyText(await exportText("jsonschema", imported));
      expect(expectCleanImport(await importText("jsonschema", again, {}, "x.schema.json"))).toBe(imported);
    }
  });

  it("reads a draft-07 schema with definitions, formats, ranges, enums and nesting", async () => {
    const outcome = await importFile("jsonschema", join(import.meta.dirname, "testdata/person.draft07.json"));
    const yaml = expectCleanImport(outcome);
    expectGolden(yaml, golden("person.draft07.odcs.yaml"));
  });

  it("reads a 2019-09 document of $defs only as one object per definition", async () => {
    const outcome = await importText(
      "jsonschema",
      JSON.stringify({
        $schema: "https://json-schema.org/draft/2019-09/schema",
        $defs: {
          product: {
            type: "object",
            properties: { sku: { type: "string" }, added: { type: "string", format: "date" } },
            required: ["sku"],
          },
          price: { type: "object", properties: { amount: { type: "number", minimum: 0 } } },
        },
      }),
      {},
      "catalog.schema.json",
    );
    const doc = parse(expectCleanImport(outcome));
    expect(doc.id).toBe("catalog");
    expect(doc.schema.map((o: { name: string }) => o.name)).toEqual(["product", "price"]);
    expect(doc.schema[0].properties).toEqual([
      { name: "sku", logicalType: "string", required: true },
      { name: "added", logicalType: "date" },
    ]);
    expect(doc.schema[1].properties[0].logicalTypeOptions).toEqual({ minimum: 0 });
  });

  it("refuses a recursive $ref at its position", async () => {
    const text = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "name": { "type": "string" },
    "parent": { "$ref": "#/$defs/node" }
  },
  "$defs": {
    "node": { "type": "object", "properties": { "child": { "$ref": "#/$defs/node" } } }
  }
}`;
    const outcome = await importText("jsonschema", text, {}, "tree.json");
    expect(outcome.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([
      "tree.json:9:60 error jsonschema-recursive recursive $ref #/$defs/node: an ODCS contract cannot hold a type that contains itself",
    ]);
    expect(outcome.text).toBeUndefined();
  });

  it("refuses remote references, other drafts and documents that are not schemas", async () => {
    const remote = await importText(
      "jsonschema",
      '{"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}}}',
      {},
      "r.json",
    );
    expect(remote.issues.map(formatIssue)).toEqual([
      "r.json:1:37 error jsonschema-remote-ref only local $ref (#/...) are read; https://example.com/a.json is in another document",
    ]);
    const draft4 = await importText(
      "jsonschema",
      '{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}',
      {},
      "d.json",
    );
    expect(draft4.issues.map(formatIssue)).toEqual([
      'd.json:1:2 error jsonschema-version JSON Schema "http://json-schema.org/draft-04/schema#" is not read; use draft 2020-12, 2019-09 or draft-07',
    ]);
    const list = await importText("jsonschema", "[1, 2]", {}, "l.json");
    expect(list.issues.map((i) => i.code)).toEqual(["jsonschema-not-object"]);
    const binary = await importText("jsonschema", new Uint8Array([0x50, 0x41, 0x52, 0x31, 0, 1, 2]), {}, "x.parquet");
    expect(binary.issues.some((i) => i.severity === "error")).toBe(true);
  });

  it("warns at each keyword it cannot map", async () => {
    const outcome = await importText(
      "jsonschema",
      '{"type":"object","properties":{"a":{"type":"string","contentEncoding":"base64"},"b":{"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}}}',
      {},
      "w.json",
    );
    expect(outcome.issues.filter((i) => i.severity === "warning").map(formatIssue)).toEqual([
      "w.json:1:53 warning jsonschema-not-mapped keyword contentEncoding has no ODCS equivalent and is not read",
      "w.json:1:86 warning jsonschema-not-mapped oneOf with 3 alternatives has no ODCS equivalent; the property keeps no type from it",
    ]);
  });

  it("bounds nesting depth", async () => {
    let schema = '{"type":"string"}';
    for (let i = 0; i < 40; i++) schema = `{"type":"object","properties":{"n":${schema}}}`;
    const outcome = await importText("jsonschema", schema, {}, "deep.json");
    expect(outcome.issues.some((i) => i.severity === "error")).toBe(true);
  });
});

describe("jsonschema export warnings", () => {
  it("names what the schema does not check, and not the value sets its enums check", async () => {
    const result = await exportFile("jsonschema", fixtures.orders);
    expect(result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "schema[0].quality: JSON Schema does not check the quality rules of orders; they are kept in x-odcs",
      "schema[0].properties[0]: JSON Schema cannot check primary key, uniqueness, quality rules; kept in x-odcs",
      "schema[0].properties[2]: JSON Schema cannot check quality rules; kept in x-odcs",
      "schema[0].properties[3].logicalTypeOptions: JSON Schema cannot check minimum, timezone, defaultTimezone of a timestamp; kept in x-odcs",
    ]);
  });
});

describe("jsonschema import objects option", () => {
  const doc = JSON.stringify({
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "shop",
    type: "object",
    properties: {
      orders: { type: "array", items: { type: "object", properties: { id: { type: "integer" } } } },
      owner: { type: "object", properties: { name: { type: "string" } } },
    },
  });

  it("reads the root as one object when not every property is an array of objects (auto)", async () => {
    const parsed = parse(expectCleanImport(await importText("jsonschema", doc, {}, "shop.json")));
    expect(parsed.schema.map((o: { name: string }) => o.name)).toEqual(["shop"]);
    expect(parsed.schema[0].properties.map((p: { logicalType: string }) => p.logicalType)).toEqual(["array", "object"]);
  });

  it("reads each root property as an object with objects=properties", async () => {
    const parsed = parse(
      expectCleanImport(await importText("jsonschema", doc, { objects: "properties" }, "shop.json")),
    );
    expect(
      parsed.schema.map((o: { name: string; properties: { name: string }[] }) => [
        o.name,
        o.properties.map((p) => p.name),
      ]),
    ).toEqual([
      ["orders", ["id"]],
      ["owner", ["name"]],
    ]);
  });

  it("refuses a value outside the option's choices", async () => {
    const outcome = await importText("jsonschema", doc, { objects: "tables" }, "shop.json");
    expect(outcome.issues.map((i) => i.code)).toEqual(["format-option-invalid"]);
  });
});
