import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";

const golden = (name: string) => join(import.meta.dirname, "testdata", name);

describe("typescript export", () => {
  it("writes an interface and a zod schema per object (rich)", async () => {
    const text = onlyText(await exportFile("typescript", fixtures.rich));
    expectGolden(text, golden("rich.ts.txt"));
    expect(text).toContain('import { z } from "zod";');
    expect(text).toContain("export interface Customers {");
    expect(text).toContain("export const OrdersSchema = z.object({");
  });

  it("quotes keys that are not identifiers and keeps comments closed (hostile)", async () => {
    const text = onlyText(await exportFile("typescript", fixtures.hostile));
    expectGolden(text, golden("hostile.ts.txt"));
    expect(text).toContain('"order date"?: string | null | undefined;');
    expect(text).toContain('"a\\"b"?: string | null | undefined;');
    expect(text).not.toMatch(/\*\/ --/);
    expect(text).toContain("export interface Select {");
    expect(text).toContain("export interface OrderItems {");
  });

  it("writes types only with zod=false", async () => {
    const text = onlyText(await exportFile("typescript", fixtures.rich, { zod: "false" }));
    expect(text).not.toContain("zod");
    expect(text).not.toContain("z.");
    expect(text).toContain("export interface Orders {");
  });

  it("exports one object with schema=, and says when there is none", async () => {
    const text = onlyText(await exportFile("typescript", fixtures.rich, { schema: "customers" }));
    expect(text).not.toContain("interface Orders");
    const none = await exportFile("typescript", fixtures.rich, { schema: "nope" });
    expect(none.files).toEqual([]);
    expect(issuesWith(none.issues, "export-no-schema")[0]?.message).toContain('"nope"');
  });

  it("keeps type names unique, with room for their schemas", async () => {
    const yaml = `apiVersion: v3.1.0
kind: DataContract
id: clash
version: 1.0.0
status: draft
schema:
  - name: order
    properties: [{ name: a, logicalType: string }]
  - name: order schema
    properties: [{ name: b, logicalType: string }]
  - name: Order
    properties: [{ name: c, logicalType: string }]
  - name: string
    properties:
      - { name: d, logicalType: string, logicalTypeOptions: { format: hostname } }
`;
    const result = await exportText("typescript", yaml);
    const text = onlyText(result);
    expect(text.match(/export interface \w+/g)).toEqual([
      "export interface Order",
      "export interface OrderSchema2",
      "export interface Order2",
      "export interface String_",
    ]);
    const warning = issuesWith(result.issues, "export-not-representable")[0];
    expect(warning).toMatchObject({ severity: "warning", line: 15 });
  });
});
