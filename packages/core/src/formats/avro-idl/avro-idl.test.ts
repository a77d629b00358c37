import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden, exportFile, exportText, fixtures, onlyText } from "../format-test-kit.test-helpers.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

describe("avro-idl export", () => {
  it("writes the rich contract as a protocol with its records and enums", async () => {
    const result = await exportFile("avro-idl", fixtures.rich, { namespace: "shop" });
    const text = onlyText(result);
    expectGolden(text, golden("rich.avdl"));
    expect(result.files[0]?.path).toBe("shop.orders.avdl");
    expect(text).toContain('@namespace("shop")\nprotocol ShopOrders {');
  });

  it("quotes keywords with backticks and breaks up comment ends in docs", async () => {
    const text = onlyText(await exportFile("avro-idl", fixtures.hostile));
    expectGolden(text, golden("hostile.avdl"));
    expect(text).toContain(' record select {\n    long @quanta.odcs({"primaryKey":true,"primaryKeyPosition":1}) from;');
    expect(text).toContain("; *\\/ -- closes no comment */");
  });

  it("quotes Avro IDL keywords used as names", async () => {
    const contract = [
      "apiVersion: v3.1.0",
      "kind: DataContract",
      "id: k",
      "version: 1.0.0",
      "status: draft",
      "schema:",
      "  - name: record",
      "    properties:",
      "      - name: union",
      "        logicalType: string",
      "        required: true",
      "      - name: error",
      "        logicalType: object",
      "        properties: [{ name: date, logicalType: date }]",
    ].join("\n");
    const text = onlyText(await exportText("avro-idl", contract));
    expect(text).toContain('record record_error {\n    union { null, @logicalType("date") int } `date` = null;');
    expect(text).toContain("record `record` {\n    string `union`;\n    union { null, record_error } `error` = null;");
  });

  it("refuses a schema object the contract does not have", async () => {
    const result = await exportFile("avro-idl", fixtures.rich, { schema: "nope" });
    expect(result.issues.map((i) => i.code)).toEqual(["export-no-schema"]);
  });
});
