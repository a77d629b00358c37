import type { Issue, Severity } from "../../issues.js";
import { compact, isObject, type JsonObject } from "../convert-context.js";
import { formatLimits, type ImportInput, type ImportResult } from "../format.js";
import { inputIssue, startsWith } from "../text-source.js";
import type { CellValue, SheetData } from "./export.js";
import {
  booleanKeys,
  cellAddress,
  customProperties,
  fieldHeader,
  fundamentals,
  integerKeys,
  optionKeys,
  type PropertyHeader,
  pricing,
  propertiesHeaderRow,
  propertyHeaders,
  propertyKeys,
  quality,
  roles,
  schemaFields,
  schemaSheetPlaceholder,
  schemaSheetPrefix,
  serverKeys,
  servers,
  sla,
  splitPath,
  support,
  team,
  templateSheets,
} from "./layout.js";

const zipSignature = [0x50, 0x4b, 0x03, 0x04];

/** Reads an .xlsx into plain sheets (row 1 first), or says why it cannot. */
export async function readWorkbook(input: ImportInput): Promise<SheetData[] | Issue> {
  if (input.bytes.byteLength > formatLimits.maxBytes) {
    return inputIssue(
      input.file,
      "file-too-large",
      `file is ${(input.bytes.byteLength / 1024 / 1024).toFixed(1)} MiB; the limit is ${formatLimits.maxBytes / 1024 / 1024} MiB`,
    );
  }
  if (!startsWith(input.bytes, zipSignature)) {
    return inputIssue(
      input.file,
      "excel-not-xlsx",
      "not an Excel workbook (.xlsx): an .xlsx file is a zip archive and starts with PK; this one does not (an old .xls, CSV or text?)",
    );
  }
  const ExcelJS = await import("exceljs");
  const Workbook = (ExcelJS.default ?? ExcelJS).Workbook;
  const workbook = new Workbook();
  try {
    // exceljs wants a Buffer in Node and an ArrayBuffer in browsers; a fresh ArrayBuffer serves both.
    const copy = input.bytes.slice().buffer;
    await workbook.xlsx.load(copy as never);
  } catch (error) {
    return inputIssue(
      input.file,
      "excel-unreadable",
      `not a readable Excel workbook (.xlsx): ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const sheets: SheetData[] = [];
  let cells = 0;
  for (const ws of workbook.worksheets) {
    const rows: CellValue[][] = [];
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      const values: CellValue[] = [];
      row.eachCell({ includeEmpty: false }, (cell, c) => {
        values[c - 1] = cellValue(cell.value);
        cells++;
      });
      rows[r - 1] = values;
    });
    for (let i = 0; i < rows.length; i++) rows[i] ??= [];
    sheets.push({ name: ws.name, rows });
  }
  if (cells > formatLimits.maxElements * 10) {
    return inputIssue(
      input.file,
      "excel-too-large",
      `the workbook has ${cells} cells; at most ${formatLimits.maxElements * 10} are read`,
    );
  }
  return sheets;
}

/** exceljs cell values (rich text, formulas, hyperlinks, dates) as plain values. */
function cellValue(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString().replace(/T00:00:00\.000Z$/, "");
  if (isObject(value)) {
    if (Array.isArray(value.richText))
      return value.richText.map((t) => (isObject(t) ? String(t.text ?? "") : "")).join("");
    if ("result" in value) return cellValue(value.result);
    if (typeof value.text === "string") return value.text;
    if ("error" in value) return String(value.error);
  }
  return String(value);
}

/** Builds the contract from the template's sheets; every issue is at `file` row:column with `Sheet!A1` as path. */
export function importSheets(file: string, sheets: readonly SheetData[]): ImportResult {
  return new TemplateReader(file, sheets).run();
}

class TemplateReader {
  readonly issues: Issue[] = [];
  private readonly byName = new Map<string, SheetData>();
  /** Cells the reader used, `Sheet!A1`; any other non-empty cell is reported as not read. */
  private readonly used = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly sheets: readonly SheetData[],
  ) {
    for (const s of sheets) this.byName.set(s.name, s);
  }

  private issue(sheet: string, row: number, column: number, severity: Severity, code: string, message: string): void {
    const at = `${sheet}!${cellAddress(row, column)}`;
    this.issues.push({ code, severity, message: `${at}: ${message}`, file: this.file, line: row, column, path: at });
  }

  private cell(sheet: SheetData, row: number, column: number): CellValue {
    const value = sheet.rows[row - 1]?.[column - 1] ?? null;
    this.used.add(`${sheet.name}!${row}:${column}`);
    return typeof value === "string" && value.trim() === "" ? null : value;
  }

  run(): ImportResult {
    this.checkTemplate();
    if (this.issues.some((i) => i.severity === "error")) return { value: {}, issues: this.issues };
    const f = this.fields(this.byName.get(fundamentals.name) as SheetData, fundamentals.fields);
    const qualityRules = this.quality();
    const schema = this.sheets
      .filter((s) => s.name.startsWith(schemaSheetPrefix) && s.name !== schemaSheetPlaceholder)
      .flatMap((s) => this.schemaObject(s, qualityRules));
    for (const [key, list] of qualityRules) {
      for (const { row } of list) {
        this.issue(
          quality.name,
          row,
          1,
          "warning",
          "excel-unmapped",
          `no schema object or property ${key}; the rule was not read`,
        );
      }
    }
    const price = this.fields(this.byName.get(pricing.name) as SheetData, pricing.fields);
    const members = this.table(team.name, team.headers, [
      "username",
      "name",
      "description",
      "role",
      "dateIn",
      "dateOut",
      "replacedByUsername",
    ]);
    const contract = compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: text(f.id) ?? "",
      name: text(f.name),
      version: text(f.version) ?? "0.0.0",
      status: text(f.status) ?? "draft",
      domain: text(f.domain),
      dataProduct: text(f.dataProduct),
      tenant: text(f.tenant),
      description: compact({
        purpose: text(f["description.purpose"]),
        limitations: text(f["description.limitations"]),
        usage: text(f["description.usage"]),
      }),
      tags: f.tags === null || f.tags === undefined ? undefined : listOf(f.tags).map(String),
      servers: this.servers(),
      schema,
      support: this.table(support.name, support.headers, [
        "channel",
        "url",
        "description",
        "tool",
        "scope",
        "invitationUrl",
      ]),
      price: compact({
        priceAmount: price["price.priceAmount"] === null ? undefined : Number(price["price.priceAmount"]),
        priceCurrency: text(price["price.priceCurrency"]),
        priceUnit: text(price["price.priceUnit"]),
      }),
      team:
        members.length > 0 || f["team.name"] !== null || f["team.description"] !== null
          ? compact({ name: text(f["team.name"]), description: text(f["team.description"]), members })
          : undefined,
      roles: this.table(roles.name, roles.headers, [
        "role",
        "description",
        "access",
        "firstLevelApprovers",
        "secondLevelApprovers",
      ]),
      slaDefaultElement: text(f.slaDefaultElement),
      slaProperties: this.table(sla.name, sla.headers, [
        "property",
        "value",
        "valueExt",
        "unit",
        "element",
        "driver",
        "description",
        "scheduler",
        "schedule",
      ]),
      customProperties: this.customProperties(),
      contractCreatedTs: text(f.contractCreatedTs),
    });
    if (contract.id === "")
      this.issue(
        fundamentals.name,
        1 + fundamentals.fields.indexOf("id") + 1,
        2,
        "error",
        "excel-required",
        "the contract needs an id",
      );
    for (const key of ["apiVersion", "kind"]) {
      const v = f[key];
      const want = key === "kind" ? "DataContract" : /^v3\.[01]\.\d+$/;
      if (v !== null && v !== undefined && !(typeof want === "string" ? v === want : want.test(String(v)))) {
        this.issue(
          fundamentals.name,
          2 + fundamentals.fields.indexOf(key),
          2,
          "warning",
          "excel-value",
          `${key} ${JSON.stringify(v)} is not an ODCS v3 value; the contract is written as ODCS v3.1.0`,
        );
      }
    }
    this.reportUnread();
    return { value: contract, issues: this.issues };
  }

  /** The template's named sheets and their headers; each one missing is an error at its cell. */
  private checkTemplate(): void {
    const missing = templateSheets.filter((s) => !this.byName.has(s.name)).map((s) => s.name);
    if (missing.length > 0) {
      const known = this.sheets.map((s) => s.name).join(", ") || "none";
      for (const name of missing) {
        this.issue(
          name,
          1,
          1,
          "error",
          "excel-not-template",
          `sheet ${JSON.stringify(name)} is missing, so this is not the ODCS Excel template (its sheets: ${known})`,
        );
      }
    }
    const expect = (sheet: SheetData, row: number, column: number, want: string) => {
      const got = this.cell(sheet, row, column);
      if (
        String(got ?? "")
          .trim()
          .toLowerCase() !== want.toLowerCase()
      ) {
        this.issue(
          sheet.name,
          row,
          column,
          "error",
          "excel-header",
          `expected the header ${JSON.stringify(want)}, found ${got === null ? "an empty cell" : JSON.stringify(got)}`,
        );
      }
    };
    for (const layout of templateSheets) {
      const sheet = this.byName.get(layout.name);
      if (!sheet) continue;
      if (layout.kind === "table") {
        for (const [i, h] of layout.headers.entries()) expect(sheet, 1, i + 1, h);
      } else if (layout.kind === "fields") {
        for (const [i, h] of fieldHeader.entries()) expect(sheet, 1, i + 1, h);
        for (const [i, f] of layout.fields.entries()) expect(sheet, i + 2, 1, f);
      } else {
        for (const [i, f] of layout.fields.entries()) expect(sheet, i + 1, 1, f);
      }
    }
    for (const sheet of this.sheets) {
      if (!sheet.name.startsWith(schemaSheetPrefix) || sheet.name === schemaSheetPlaceholder) continue;
      for (const [i, h] of fieldHeader.entries()) expect(sheet, 1, i + 1, h);
      for (const [i, f] of schemaFields.entries()) expect(sheet, i + 2, 1, f);
      // Only the first header is required: a template from an older tool may lack the later columns.
      expect(sheet, propertiesHeaderRow, 1, propertyHeaders[0]);
    }
  }

  private fields(sheet: SheetData, fields: readonly string[]): Record<string, CellValue> {
    const out: Record<string, CellValue> = {};
    fields.forEach((f, i) => {
      out[f] = this.cell(sheet, i + 2, 2);
    });
    return out;
  }

  /** Rows of a table sheet (after its header) as records keyed by `keys` in header order. */
  private table(name: string, headers: readonly string[], keys: readonly string[]): JsonObject[] {
    const sheet = this.byName.get(name) as SheetData;
    const out: JsonObject[] = [];
    for (let r = 2; r <= sheet.rows.length; r++) {
      const record: JsonObject = {};
      headers.forEach((_h, c) => {
        const v = this.cell(sheet, r, c + 1);
        if (v !== null)
          record[keys[c] as string] =
            keys[c] === "value" || keys[c] === "valueExt" ? v : typeof v === "string" ? v : String(v);
      });
      if (Object.keys(record).length === 0) continue;
      const first = keys[0] as string;
      if (record[first] === undefined) {
        this.issue(
          name,
          r,
          1,
          "warning",
          "excel-unmapped",
          `a row without ${headers[0]} cannot be read; it was skipped`,
        );
        continue;
      }
      if (name === sla.name && record.value === undefined) {
        this.issue(name, r, 2, "warning", "excel-unmapped", "an SLA property needs a value; the row was skipped");
        continue;
      }
      out.push(record);
    }
    return out;
  }

  private customProperties(): JsonObject[] {
    return this.table(customProperties.name, customProperties.headers, ["property", "value"]).map((p) => ({
      property: p.property,
      value: typeof p.value === "string" ? parseJson(p.value) : p.value,
    }));
  }

  private servers(): JsonObject[] {
    const sheet = this.byName.get(servers.name) as SheetData;
    const width = Math.max(0, ...sheet.rows.map((r) => r.length));
    const out: JsonObject[] = [];
    for (let c = 2; c <= width; c++) {
      const record: JsonObject = {};
      servers.fields.forEach((label, r) => {
        const v = this.cell(sheet, r + 1, c);
        if (v === null) return;
        const key = serverKeys[label] as string;
        if (key === "port") {
          const n = Number(v);
          if (Number.isInteger(n)) record.port = n;
          // ODCS servers that have a port require it: the contract cannot be written without it.
          else this.issue(servers.name, r + 1, c, "error", "excel-value", `port ${JSON.stringify(v)} is not a number`);
        } else record[key] = String(v);
      });
      if (Object.keys(record).length === 0) continue;
      if (record.server === undefined || record.type === undefined) {
        this.issue(
          servers.name,
          1,
          c,
          "warning",
          "excel-unmapped",
          "a server needs a Server name and a Type; the column was skipped",
        );
        continue;
      }
      out.push(record);
    }
    return out;
  }

  /** Quality rules by `object` or `object.property path`, with their rows for "not attached" warnings. */
  private quality(): Map<string, { row: number; rule: JsonObject }[]> {
    const sheet = this.byName.get(quality.name) as SheetData;
    const out = new Map<string, { row: number; rule: JsonObject }[]>();
    const col = (h: string) => quality.headers.indexOf(h) + 1;
    for (let r = 2; r <= sheet.rows.length; r++) {
      const get = (h: string) => this.cell(sheet, r, col(h));
      const values = quality.headers.map((h) => get(h));
      if (values.every((v) => v === null)) continue;
      const object = text(get("Schema"));
      if (object === undefined) {
        this.issue(
          quality.name,
          r,
          1,
          "warning",
          "excel-unmapped",
          "a quality rule needs the Schema it belongs to; the row was skipped",
        );
        continue;
      }
      // An empty type is ODCS's default, library.
      const type = text(get("Quality Type"));
      const rule: JsonObject = { type };
      const copy = (h: string, key: string) => {
        const v = text(get(h));
        if (v !== undefined) rule[key] = v;
      };
      copy("Id", "id");
      copy("Name", "name");
      copy("Description", "description");
      copy("Dimension", "dimension");
      if (type === undefined || type === "library") copy("Rule (library)", "metric");
      const args = get("Arguments (library)");
      if (args !== null) {
        const parsed = parseJson(String(args));
        if (isObject(parsed)) rule.arguments = parsed;
        else
          this.issue(
            quality.name,
            r,
            col("Arguments (library)"),
            "warning",
            "excel-value",
            "arguments must be a JSON object; not read",
          );
      }
      copy("Query (SQL)", "query");
      copy("Quality Engine (custom)", "engine");
      copy("Implementation (custom)", "implementation");
      copy("Severity", "severity");
      copy("Business Impact", "businessImpact");
      copy("Scheduler", "scheduler");
      copy("Schedule", "schedule");
      const op = text(get("Threshold Operator"));
      const threshold = get("Threshold Value");
      if (op !== undefined) {
        const value = typeof threshold === "string" ? parseJson(threshold) : threshold;
        if (!/^must(Not)?Be(GreaterThan|GreaterOrEqualTo|LessThan|LessOrEqualTo|Between)?$/.test(op)) {
          this.issue(
            quality.name,
            r,
            col("Threshold Operator"),
            "warning",
            "excel-value",
            `${JSON.stringify(op)} is not an ODCS threshold operator; the threshold was not read`,
          );
        } else if (value === null) {
          this.issue(
            quality.name,
            r,
            col("Threshold Value"),
            "warning",
            "excel-value",
            `${op} needs a value; the threshold was not read`,
          );
        } else rule[op] = value;
      }
      const property = text(get("Property"));
      const key = property === undefined ? object : `${object}\u0000${property}`;
      out.set(key, [...(out.get(key) ?? []), { row: r, rule: compact(rule) }]);
    }
    return out;
  }

  private schemaObject(sheet: SheetData, qualityRules: Map<string, { row: number; rule: JsonObject }[]>): JsonObject[] {
    const f = this.fields(sheet, schemaFields);
    const name = text(f["schema.name"]);
    if (name === undefined) {
      this.issue(
        sheet.name,
        2,
        2,
        "warning",
        "excel-required",
        "a schema sheet needs schema.name; the sheet was skipped",
      );
      return [];
    }
    const headerRow = sheet.rows[propertiesHeaderRow - 1] ?? [];
    const columns = new Map<PropertyHeader, number>();
    headerRow.forEach((h, i) => {
      const header = propertyHeaders.find(
        (p) =>
          p.toLowerCase() ===
          String(h ?? "")
            .trim()
            .toLowerCase(),
      );
      if (header) columns.set(header, i + 1);
      else if (h !== null && h !== undefined && String(h).trim() !== "") {
        this.issue(
          sheet.name,
          propertiesHeaderRow,
          i + 1,
          "warning",
          "excel-unmapped",
          `column ${JSON.stringify(h)} is not a template column; its cells are not read`,
        );
      }
      this.used.add(`${sheet.name}!${propertiesHeaderRow}:${i + 1}`);
    });
    const byPath = new Map<string, JsonObject>();
    const roots: JsonObject[] = [];
    for (let r = propertiesHeaderRow + 1; r <= sheet.rows.length; r++) {
      const cell = (h: PropertyHeader) => {
        const c = columns.get(h);
        return c === undefined ? null : this.cell(sheet, r, c);
      };
      const rowName = text(cell("Property"));
      if (rowName === undefined) {
        if ((sheet.rows[r - 1] ?? []).some((v) => v !== null && v !== undefined && v !== "")) {
          this.issue(
            sheet.name,
            r,
            1,
            "warning",
            "excel-unmapped",
            "a property row needs a Property name; the row was skipped",
          );
        }
        continue;
      }
      const segments = splitPath(rowName);
      if (segments.length > formatLimits.maxDepth) {
        this.issue(
          sheet.name,
          r,
          columns.get("Property") ?? 1,
          "error",
          "excel-too-deep",
          `${rowName} is nested ${segments.length} levels deep; at most ${formatLimits.maxDepth} are read`,
        );
        continue;
      }
      const own = segments[segments.length - 1] as string;
      const isItems = own === "[]";
      const parentPath = isItems
        ? rowName.slice(0, -2)
        : segments.length > 1
          ? rowName.slice(0, rowName.length - escapedLength(own) - 1)
          : undefined;
      const property = this.property(sheet, r, cell, columns, isItems ? undefined : own);
      const rules = qualityRules.get(`${name}\u0000${rowName}`);
      if (rules) {
        property.quality = rules.map((x) => x.rule);
        qualityRules.delete(`${name}\u0000${rowName}`);
      }
      byPath.set(rowName, property);
      if (parentPath === undefined) {
        roots.push(property);
        continue;
      }
      const parent = byPath.get(parentPath);
      if (!parent) {
        this.issue(
          sheet.name,
          r,
          columns.get("Property") ?? 1,
          "warning",
          "excel-unmapped",
          `no property ${parentPath} above this row; ${rowName} was not read`,
        );
        continue;
      }
      if (isItems) parent.items = property;
      else parent.properties = [...((parent.properties as JsonObject[] | undefined) ?? []), property];
    }
    const rules = qualityRules.get(name);
    qualityRules.delete(name);
    return [
      compact({
        name,
        physicalName: text(f["schema.physicalName"]),
        logicalType: "object",
        physicalType: text(f["schema.physicalType"]),
        businessName: text(f["schema.businessName"]),
        description: text(f["schema.description"]),
        dataGranularityDescription: text(f["schema.dataGranularityDescription"]),
        tags:
          f["schema.tags"] === null || f["schema.tags"] === undefined
            ? undefined
            : listOf(f["schema.tags"]).map(String),
        properties: roots.map(orderProperty),
        quality: rules?.map((x) => x.rule),
      }),
    ];
  }

  private property(
    sheet: SheetData,
    row: number,
    cell: (h: PropertyHeader) => CellValue,
    columns: Map<PropertyHeader, number>,
    name: string | undefined,
  ): JsonObject {
    const out: JsonObject = name === undefined ? {} : { name };
    const options: JsonObject = {};
    const logicalType = text(cell("Logical Type"));
    const temporal = logicalType === "date" || logicalType === "timestamp" || logicalType === "time";
    const typed = (h: PropertyHeader, key: string, v: CellValue): unknown => {
      if (booleanKeys.has(key)) {
        const b = booleanOf(v);
        if (b === undefined)
          this.issue(
            sheet.name,
            row,
            columns.get(h) ?? 1,
            "warning",
            "excel-value",
            `${h} must be true or false; ${JSON.stringify(v)} was not read`,
          );
        return b;
      }
      if (integerKeys.has(key)) {
        const n = Number(v);
        if (!Number.isInteger(n)) {
          this.issue(
            sheet.name,
            row,
            columns.get(h) ?? 1,
            "warning",
            "excel-value",
            `${h} must be a whole number; ${JSON.stringify(v)} was not read`,
          );
          return undefined;
        }
        return n;
      }
      if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].includes(key)) {
        if (temporal) return String(v);
        const n = typeof v === "number" ? v : Number(v);
        if (!Number.isFinite(n)) {
          this.issue(
            sheet.name,
            row,
            columns.get(h) ?? 1,
            "warning",
            "excel-value",
            `${h} must be a number for logical type ${logicalType ?? "(none)"}; ${JSON.stringify(v)} was not read`,
          );
          return undefined;
        }
        return n;
      }
      if (key === "required") return listOf(v).map(String);
      return typeof v === "string" ? v : String(v);
    };
    for (const header of propertyHeaders) {
      const v = cell(header);
      if (v === null) continue;
      const key = propertyKeys[header];
      const option = optionKeys[header];
      if (key) out[key] = typed(header, key, v);
      else if (option) options[option] = typed(header, option, v);
      else if (header === "Tags") out.tags = listOf(v).map(String);
      else if (header === "Example(s)") out.examples = listOf(v);
      else if (header === "Transform Sources") out.transformSourceObjects = listOf(v).map(String);
      else if (header === "Relationship To") out.relationships = [{ type: "foreignKey", to: String(v) }];
    }
    const url = text(cell("Authoritative Definition URL"));
    const type = text(cell("Authoritative Definition Type"));
    if (url !== undefined && type !== undefined) out.authoritativeDefinitions = [{ type, url }];
    else if (url !== undefined || type !== undefined) {
      this.issue(
        sheet.name,
        row,
        columns.get(url === undefined ? "Authoritative Definition URL" : "Authoritative Definition Type") ?? 1,
        "warning",
        "excel-value",
        "an authoritative definition needs both URL and type; not read",
      );
    }
    const logical = ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"];
    if (logicalType !== undefined && !logical.includes(logicalType)) {
      this.issue(
        sheet.name,
        row,
        columns.get("Logical Type") ?? 1,
        "warning",
        "excel-value",
        `${JSON.stringify(logicalType)} is not an ODCS logical type; not read`,
      );
      delete out.logicalType;
    }
    if (Object.keys(options).length > 0) out.logicalTypeOptions = compact(options);
    return compact(out);
  }

  /** Cells outside what the template defines carry nothing Quanta reads: each one is reported. */
  private reportUnread(): void {
    for (const sheet of this.sheets) {
      if (sheet.name === schemaSheetPlaceholder) continue;
      const known = templateSheets.some((s) => s.name === sheet.name) || sheet.name.startsWith(schemaSheetPrefix);
      if (!known) {
        if (sheet.rows.some((r) => r.some((v) => v !== null && v !== undefined && v !== ""))) {
          this.issue(
            sheet.name,
            1,
            1,
            "warning",
            "excel-unmapped",
            "this sheet is not part of the template; it was not read",
          );
        }
        continue;
      }
      sheet.rows.forEach((row, r) => {
        row.forEach((v, c) => {
          if (v === null || v === undefined || v === "") return;
          if (this.used.has(`${sheet.name}!${r + 1}:${c + 1}`)) return;
          this.issue(
            sheet.name,
            r + 1,
            c + 1,
            "warning",
            "excel-unmapped",
            `this cell is outside the template's fields and columns; ${JSON.stringify(v)} was not read`,
          );
        });
      });
    }
  }
}

/** Property keys in the order the ODCS examples use. */
function orderProperty(p: JsonObject): JsonObject {
  const order = [
    "name",
    "businessName",
    "description",
    "logicalType",
    "logicalTypeOptions",
    "physicalType",
    "physicalName",
    "required",
    "unique",
    "primaryKey",
    "primaryKeyPosition",
    "partitioned",
    "partitionKeyPosition",
    "classification",
    "criticalDataElement",
    "encryptedName",
    "tags",
    "examples",
    "relationships",
    "transformSourceObjects",
    "transformLogic",
    "transformDescription",
    "authoritativeDefinitions",
    "properties",
    "items",
    "quality",
  ];
  const out: JsonObject = {};
  for (const k of order) if (p[k] !== undefined) out[k] = p[k];
  for (const [k, v] of Object.entries(p)) if (!(k in out)) out[k] = v;
  if (Array.isArray(out.properties)) out.properties = out.properties.map((c) => orderProperty(c as JsonObject));
  if (isObject(out.items)) out.items = orderProperty(out.items);
  return out;
}

function escapedLength(segment: string): number {
  return segment.replace(/[\\.[]/g, (c) => `\\${c}`).length;
}

function text(v: CellValue | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === "" ? undefined : String(v);
}

function booleanOf(v: CellValue): boolean | undefined {
  if (typeof v === "boolean") return v;
  const s = String(v).trim().toLowerCase();
  if (["true", "yes", "1", "y"].includes(s)) return true;
  if (["false", "no", "0", "n"].includes(s)) return false;
  return undefined;
}

/** A list cell: JSON (`["a, b", 1]`) or comma-separated text. */
function listOf(v: CellValue): unknown[] {
  if (typeof v === "string" && v.trim().startsWith("[")) {
    const parsed = parseJson(v);
    if (Array.isArray(parsed)) return parsed;
  }
  if (typeof v !== "string") return [v];
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
