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

describe("protobuf export", () => {
  it("writes the rich contract as proto3 messages with enums from value sets", async () => {
    const result = await exportFile("protobuf", fixtures.rich, { package: "shop.v1" });
    expectGolden(onlyText(result), golden("rich.proto"));
    expect(result.files[0]?.path).toBe("shop.orders.proto");
  });

  it("renames hostile names to identifiers with json_name keeping the original", async () => {
    const text = onlyText(await exportFile("protobuf", fixtures.hostile));
    expectGolden(text, golden("hostile.proto"));
    expect(text).toContain('optional google.type.Date order_date = 2 [json_name = "order date"];');
    expect(text).toContain('optional string _____field = 9 [json_name = "ключ"];');
    expect(text).toContain("optional Interface interface = 2;");
  });
});

describe("protobuf import", () => {
  it("reads its own export back to the same objects, types, required, keys and rules", async () => {
    for (const fixture of [fixtures.rich, fixtures.hostile, fixtures.orders]) {
      const original = readFileSync(fixture, "utf8");
      const exported = onlyText(await exportText("protobuf", original));
      const imported = expectCleanImport(await importText("protobuf", exported, {}, "x.proto"));
      expect(shape(imported)).toEqual(shape(original));
      const again = onlyText(await exportText("protobuf", imported));
      expect(expectCleanImport(await importText("protobuf", again, {}, "x.proto"))).toBe(imported);
    }
  });

  it("reads proto3 messages, nesting, enums, repeated, map, oneof and well-known types", async () => {
    const outcome = await importFile("protobuf", join(import.meta.dirname, "testdata/shop.proto"));
    const yaml = expectCleanImport(outcome, ["protobuf-map", "protobuf-import", "protobuf-not-mapped"]);
    expectGolden(yaml, golden("shop.odcs.yaml"));
    expect(outcome.issues.map(formatIssue)).toEqual([
      "packages/core/src/formats/protobuf/testdata/shop.proto:6:1 warning protobuf-import import other/money.proto is not read: types it defines are unknown here",
      "packages/core/src/formats/protobuf/testdata/shop.proto:50:1 warning protobuf-not-mapped service Shop has no ODCS equivalent and is not read",
      "packages/core/src/formats/protobuf/testdata/shop.proto:28:23 warning protobuf-map map<string, string> labels: a map's keys are data, not fields; read as an object without properties",
    ]);
  });

  it("reads proto2 required and optional", async () => {
    const outcome = await importText(
      "protobuf",
      'syntax = "proto2";\nmessage Person {\n  required string name = 1;\n  optional int32 age = 2;\n}\n',
      {},
      "p.proto",
    );
    const doc = parse(expectCleanImport(outcome));
    expect(doc.schema[0].properties).toEqual([
      {
        name: "name",
        logicalType: "string",
        required: true,
        customProperties: [{ property: "protobufType", value: "string" }],
      },
      { name: "age", logicalType: "integer", customProperties: [{ property: "protobufType", value: "int32" }] },
    ]);
  });

  it("refuses a recursive message at the field", async () => {
    const text = 'syntax = "proto3";\nmessage Node {\n  string value = 1;\n  Node next = 2;\n}\n';
    const outcome = await importText("protobuf", text, {}, "tree.proto");
    expect(outcome.issues.map(formatIssue)).toEqual([
      "tree.proto:4:8 error protobuf-recursive message Node contains itself through next; an ODCS contract cannot hold a recursive type",
    ]);
  });

  it("refuses syntax errors at protobufjs's line, editions, unknown types and binaries", async () => {
    const broken = await importText("protobuf", 'syntax = "proto3";\nmessage A {\n  strin x = ;\n}\n', {}, "b.proto");
    expect(broken.issues.map(formatIssue)).toEqual([
      "b.proto:3:1 error protobuf-syntax not valid Protobuf: illegal id ';'",
    ]);
    const edition = await importText("protobuf", 'edition = "2023";\nmessage A { string x = 1; }\n', {}, "e.proto");
    expect(edition.issues.map((i) => i.code)).toEqual(["protobuf-version"]);
    const unknown = await importText(
      "protobuf",
      'syntax = "proto3";\nmessage A {\n  Money price = 1;\n}\n',
      {},
      "u.proto",
    );
    expect(unknown.issues.map(formatIssue)).toEqual([
      "u.proto:3:9 error protobuf-unknown-type type Money of price is not defined in this file (imports are not read)",
    ]);
    const binary = await importText("protobuf", new Uint8Array([8, 150, 1, 0]), {}, "m.bin");
    expect(binary.issues.map((i) => i.code)).toEqual(["file-not-text"]);
  });
});
