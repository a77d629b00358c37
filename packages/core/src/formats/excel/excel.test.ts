import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
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
import { sheetsAsText } from "./export.js";
import { readWorkbook } from "./import.js";

// biome-ignore lint/suspicious/noExplicitAny: converted contracts, checked field by field
type Json = Record<string, any>;

const here = fileURLToPath(new URL(".", import.meta.url));
const golden = (name: string) => join(here, "testdata", name);

function bytesOf(result: ExportResult): Uint8Array {
  expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
  expect(result.files).toHaveLength(1);
  const content = result.files[0]?.content;
  if (!(content instanceof Uint8Array)) throw new Error("excel export must be bytes");
  return content;
}

/** The workbook's cells as text, read back from the .xlsx bytes with exceljs. */
async function cellsOf(bytes: Uint8Array): Promise<string> {
  const sheets = await readWorkbook({ file: "x.xlsx", bytes });
  if (!Array.isArray(sheets)) throw new Error(sheets.message);
  return sheetsAsText(sheets);
}

/** What a round trip keeps: objects, properties, types, required, keys, nesting, quality. */
function shapeOf(contract: Json) {
  const prop = (p: Json): Json => ({
    name: p.name,
    logicalType: p.logicalType,
    physicalType: p.physicalType,
    required: p.required === true,
    unique: p.unique === true,
    primaryKey: p.primaryKey === true,
    primaryKeyPosition: p.primaryKeyPosition,
    options: p.logicalTypeOptions,
    relationships: p.relationships,
    examples: p.examples,
    quality: p.quality,
    properties: (p.properties ?? []).map(prop),
    items: p.items ? prop(p.items) : undefined,
  });
  return (contract.schema ?? []).map((o: Json) => ({
    name: o.name,
    physicalName: o.physicalName,
    description: o.description,
    quality: o.quality,
    properties: (o.properties ?? []).map(prop),
  }));
}

/** A workbook built cell by cell, for malformed input. */
async function workbook(sheets: Record<string, (string | number | boolean | null)[][]>): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    rows.forEach((row, r) => {
      row.forEach((v, c) => {
        if (v !== null) ws.getCell(r + 1, c + 1).value = v;
      });
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** Sets one cell (0-based row and column) of a sheet's rows. */
function put(rows: unknown[][] | undefined, row: number, column: number, value: unknown): void {
  if (!rows) throw new Error("no such sheet");
  while (rows.length <= row) rows.push([]);
  (rows[row] as unknown[])[column] = value;
}

/** The sheets of an exported workbook as editable rows, to break them one cell at a time. */
async function exportedSheets(path: string) {
  const sheets = await readWorkbook({ file: "x.xlsx", bytes: bytesOf(await exportFile("excel", path)) });
  if (!Array.isArray(sheets)) throw new Error(sheets.message);
  return Object.fromEntries(sheets.map((s) => [s.name, s.rows.map((r) => Array.from(r, (v) => v ?? null))]));
}

describe("excel export", () => {
  it("writes the rich contract as the ODCS template (golden of the cells)", async () => {
    const result = await exportFile("excel", fixtures.rich);
    const bytes = bytesOf(result);
    expect(result.files[0]?.path).toBe("shop.orders.xlsx");
    expect(result.files[0]?.mediaType).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const cells = await cellsOf(bytes);
    expectGolden(cells, golden("rich.xlsx.txt"));
    expect(cells).toContain('## Schema orders\nA1: "Field"');
    expect(cells).toMatch(/## Quality\nA1: "Schema"/);
  });

  it("keeps hostile names as cell text, escaping the path separators", async () => {
    const cells = await cellsOf(bytesOf(await exportFile("excel", fixtures.hostile)));
    expectGolden(cells, golden("hostile.xlsx.txt"));
    expect(cells).toContain('"a;drop table x"');
    expect(cells).toContain("## Schema order items");
  });
});

describe("excel round trip", () => {
  it.each([
    ["rich", fixtures.rich],
    ["hostile", fixtures.hostile],
    ["orders", fixtures.orders],
  ])("export %s → import gives the same objects, properties, types, keys and quality", async (_name, path) => {
    const original = parse(readFileSync(path, "utf8"));
    const bytes = bytesOf(await exportFile("excel", path));
    const outcome = await importText("excel", bytes, {}, "contract.xlsx");
    const text = expectCleanImport(outcome);
    const back = parse(text);
    expect(shapeOf(back)).toEqual(shapeOf(original));
    for (const key of [
      "id",
      "name",
      "version",
      "status",
      "domain",
      "tags",
      "servers",
      "slaProperties",
      "price",
      "roles",
      "support",
    ]) {
      expect(back[key], key).toEqual(original[key]);
    }
    expect(back.team?.members).toEqual(original.team?.members);
    // import → export → import is stable: the second workbook has the same cells.
    const again = bytesOf(await exportText("excel", text));
    expect(await cellsOf(again)).toBe(await cellsOf(bytes));
  });

  it("escapes dots and brackets in names and shortens sheet names to Excel's 31 characters", async () => {
    const yaml = [
      "apiVersion: v3.1.0",
      "kind: DataContract",
      "id: dotted",
      "version: 1.0.0",
      "status: draft",
      "schema:",
      "  - name: a table whose name is far longer than Excel allows",
      "    properties:",
      "      - name: a.b",
      "        logicalType: object",
      "        properties:",
      "          - name: 'c[]'",
      "            logicalType: string",
      "          - name: 'd\\e'",
      "            logicalType: array",
      "            items:",
      "              logicalType: string",
      "",
    ].join("\n");
    const result = await exportText("excel", yaml);
    const bytes = bytesOf(result);
    const cells = await cellsOf(bytes);
    expect(cells).toContain("## Schema a table whose name is fa\n");
    expect(cells).toContain(`A12: ${JSON.stringify("a\\.b.c\\[]")}`);
    expect(issuesWith(result.issues, "excel-sheet-name")).toHaveLength(1);
    const back = parse(expectCleanImport(await importText("excel", bytes, {}, "dotted.xlsx")));
    expect(shapeOf(back)).toEqual(shapeOf(parse(yaml)));
    expect(back.schema[0].name).toBe("a table whose name is far longer than Excel allows");
  });

  it("imports the golden workbook cells back to the rich contract's golden import", async () => {
    const outcome = await importText("excel", bytesOf(await exportFile("excel", fixtures.rich)), {}, "rich.xlsx");
    expectGolden(expectCleanImport(outcome), golden("rich.imported.odcs.yaml"));
  });
});

describe("excel import of malformed input", () => {
  it("refuses a file that is not a zip, and a zip that is not a workbook", async () => {
    const text = await importText("excel", "id,name\n1,a\n", {}, "contract.xlsx");
    expect(text.issues.map(formatIssue)).toEqual([
      "contract.xlsx error excel-not-xlsx not an Excel workbook (.xlsx): an .xlsx file is a zip archive and starts with PK; this one does not (an old .xls, CSV or text?)",
    ]);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const broken = await importText("excel", zip, {}, "broken.xlsx");
    expect(broken.issues.map((i) => i.code)).toEqual(["excel-unreadable"]);
    expect(broken.text).toBeUndefined();
  });

  it("says which template sheets are missing, at Sheet!A1", async () => {
    const bytes = await workbook({ Fundamentals: [["Field", "Value"]], Notes: [["hello"]] });
    const outcome = await importText("excel", bytes, {}, "book.xlsx");
    const missing = issuesWith(outcome.issues, "excel-not-template");
    expect(missing.map((i) => `${i.path} ${i.line}:${i.column}`)).toEqual([
      "Quality!A1 1:1",
      "Servers!A1 1:1",
      "Team!A1 1:1",
      "Roles!A1 1:1",
      "Support!A1 1:1",
      "Pricing!A1 1:1",
      "SLA!A1 1:1",
      "Custom Properties!A1 1:1",
    ]);
    expect(missing[0]?.message).toBe(
      'Quality!A1: sheet "Quality" is missing, so this is not the ODCS Excel template (its sheets: Fundamentals, Notes)',
    );
    expect(outcome.text).toBeUndefined();
  });

  it("refuses nesting deeper than the format limit, at the row", async () => {
    const sheets = await exportedSheets(fixtures.rich);
    const path = Array.from({ length: 40 }, (_, i) => `n${i}`).join(".");
    (sheets["Schema orders"] as unknown[][]).push([path, null, "string"]);
    const outcome = await importText("excel", await workbook(sheets), {}, "book.xlsx");
    const deep = issuesWith(outcome.issues, "excel-too-deep");
    expect(deep.map((i) => `${i.path} ${i.line}:${i.column}`)).toEqual(["Schema orders!A29 29:1"]);
    expect(outcome.text).toBeUndefined();
  });

  it("reports a wrong header at its row and column", async () => {
    const sheets = await exportedSheets(fixtures.rich);
    put(sheets.Quality as unknown[][], 0, 2, "Kind of check");
    put(sheets["Schema orders"] as unknown[][], 9, 0, "Column");
    const outcome = await importText("excel", await workbook(sheets), {}, "book.xlsx");
    expect(issuesWith(outcome.issues, "excel-header").map(formatIssue)).toEqual([
      'book.xlsx:1:3 error excel-header Quality!C1: expected the header "Quality Type", found "Kind of check"',
      'book.xlsx:10:1 error excel-header Schema orders!A10: expected the header "Property", found "Column"',
    ]);
  });

  it("reports cells it cannot map, and values of the wrong kind, at their cell", async () => {
    const sheets = await exportedSheets(fixtures.rich);
    const orders = sheets["Schema orders"] as unknown[][];
    (orders[10] as unknown[])[6] = "perhaps"; // Required of order_id
    (orders[10] as unknown[])[45] = "stray"; // far right of the properties table
    put(sheets.Fundamentals as unknown[][], 3, 4, "note");
    put(sheets.Servers as unknown[][], 5, 2, "fifty"); // Port of warehouse
    const outcome = await importText("excel", await workbook(sheets), {}, "book.xlsx");
    const found = outcome.issues.filter((i) => i.severity === "warning").map(formatIssue);
    expect(found).toEqual([
      'book.xlsx:11:7 warning excel-value Schema orders!G11: Required must be true or false; "perhaps" was not read',
      'book.xlsx:4:5 warning excel-unmapped Fundamentals!E4: this cell is outside the template\'s fields and columns; "note" was not read',
      'book.xlsx:11:46 warning excel-unmapped Schema orders!AT11: this cell is outside the template\'s fields and columns; "stray" was not read',
    ]);
    // A port is required by the server type: that cell stops the import, at its position.
    expect(outcome.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([
      'book.xlsx:6:3 error excel-value Servers!C6: port "fifty" is not a number',
    ]);
    expect(outcome.text).toBeUndefined();
    put(sheets.Servers as unknown[][], 5, 2, 5432);
    const fixed = await importText("excel", await workbook(sheets), {}, "book.xlsx");
    expect(fixed.text).toBeDefined();
    expect(fixed.issues.filter((i) => i.severity === "warning")).toHaveLength(3);
  });
});
