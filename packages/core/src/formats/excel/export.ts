import type { Path } from "../../issues.js";
import { ConvertContext, isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import {
  cellAddress,
  customProperties,
  fieldHeader,
  fundamentals,
  joinPath,
  optionKeys,
  type PropertyHeader,
  pricing,
  propertiesHeaderRow,
  propertyHeaders,
  propertyKeys,
  quality,
  roles,
  schemaFields,
  schemaSheetPrefix,
  serverKeys,
  servers,
  sla,
  support,
  team,
} from "./layout.js";

/** A cell value exceljs writes: text, number, boolean or empty. */
export type CellValue = string | number | boolean | null;

/** What the exporter lays out: per sheet, rows of cells (row 1 first). Tests compare it as text. */
export interface SheetData {
  readonly name: string;
  readonly rows: CellValue[][];
}

const handledRoot = new Set([
  "apiVersion",
  "kind",
  "id",
  "name",
  "version",
  "status",
  "domain",
  "dataProduct",
  "tenant",
  "description",
  "tags",
  "team",
  "slaDefaultElement",
  "contractCreatedTs",
  "schema",
  "servers",
  "roles",
  "support",
  "price",
  "slaProperties",
  "customProperties",
]);

const handledObject = new Set([
  "name",
  "physicalName",
  "physicalType",
  "businessName",
  "description",
  "dataGranularityDescription",
  "tags",
  "logicalType",
  "properties",
  "quality",
]);

const handledProperty = new Set([
  "name",
  ...Object.values(propertyKeys),
  "tags",
  "examples",
  "authoritativeDefinitions",
  "transformSourceObjects",
  "logicalTypeOptions",
  "relationships",
  "properties",
  "items",
  "quality",
]);

const operators = [
  "mustBe",
  "mustNotBe",
  "mustBeGreaterThan",
  "mustBeGreaterOrEqualTo",
  "mustBeLessThan",
  "mustBeLessOrEqualTo",
  "mustBeBetween",
  "mustNotBeBetween",
];

const handledQuality = new Set([
  "id",
  "type",
  "name",
  "description",
  "dimension",
  "metric",
  "rule",
  "arguments",
  "query",
  "engine",
  "implementation",
  "severity",
  "businessImpact",
  "scheduler",
  "schedule",
  ...operators,
]);

/** A list cell: comma-separated when no item holds a comma, else JSON (the importer reads both). */
export function listCell(values: unknown[]): string {
  const texts = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return values.every((v) => typeof v === "string" && !v.includes(",") && v.trim() === v && !v.startsWith("["))
    ? texts.join(", ")
    : JSON.stringify(values);
}

function scalar(value: unknown): CellValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value);
}

/**
 * Lays a contract out as the template's sheets. Pure: `exportExcel` turns the result into an
 * .xlsx with exceljs; the tests compare it (as text) with the golden files.
 */
export function layOut(input: ExportInput): { sheets: SheetData[]; ctx: ConvertContext } {
  const ctx = new ConvertContext(input.source);
  const c = input.contract as unknown as JsonObject;
  for (const key of Object.keys(c)) {
    if (!handledRoot.has(key))
      ctx.warn([key], "excel-export-unmapped", `the Excel template has no ${key}; it was not written`);
  }
  const description = isObject(c.description) ? c.description : {};
  for (const key of Object.keys(description)) {
    if (!["purpose", "limitations", "usage"].includes(key)) {
      ctx.warn(
        ["description", key],
        "excel-export-unmapped",
        `the Excel template has no description.${key}; it was not written`,
      );
    }
  }
  const teamValue = isObject(c.team) ? c.team : {};
  const values: Record<string, unknown> = {
    apiVersion: c.apiVersion,
    kind: c.kind,
    id: c.id,
    name: c.name,
    version: c.version,
    status: c.status,
    domain: c.domain,
    dataProduct: c.dataProduct,
    tenant: c.tenant,
    "description.purpose": description.purpose,
    "description.limitations": description.limitations,
    "description.usage": description.usage,
    tags: Array.isArray(c.tags) ? listCell(c.tags) : undefined,
    "team.name": teamValue.name,
    "team.description": teamValue.description,
    slaDefaultElement: c.slaDefaultElement,
    contractCreatedTs: c.contractCreatedTs,
  };
  const sheets: SheetData[] = [fieldSheet(fundamentals.name, fundamentals.fields, values)];
  const qualityRows: CellValue[][] = [[...quality.headers]];
  const objects = Array.isArray(c.schema) ? c.schema.filter(isObject) : [];
  const sheetNames = new Set<string>();
  objects.forEach((o, i) => {
    const path = ["schema", i];
    const name = sheetName(String(o.name ?? `object ${i + 1}`), sheetNames);
    if (name !== `${schemaSheetPrefix}${o.name}`) {
      ctx.info(
        [...path, "name"],
        "excel-sheet-name",
        `Excel sheet names are at most 31 characters without []:*?/\\; the sheet is ${JSON.stringify(name)} (schema.name keeps the name)`,
      );
    }
    sheets.push(schemaSheet(ctx, name, o, path, qualityRows));
  });
  sheets.push({ name: quality.name, rows: qualityRows });
  sheets.push(serverSheet(ctx, Array.isArray(c.servers) ? c.servers.filter(isObject) : []));
  const members = Array.isArray(teamValue.members)
    ? teamValue.members.filter(isObject)
    : Array.isArray(c.team)
      ? c.team.filter(isObject)
      : [];
  sheets.push(
    tableSheet(
      team.headers,
      team.name,
      members,
      ["username", "name", "description", "role", "dateIn", "dateOut", "replacedByUsername"],
      ctx,
      ["team", "members"],
    ),
  );
  sheets.push(
    tableSheet(
      roles.headers,
      roles.name,
      Array.isArray(c.roles) ? c.roles.filter(isObject) : [],
      ["role", "description", "access", "firstLevelApprovers", "secondLevelApprovers"],
      ctx,
      ["roles"],
    ),
  );
  sheets.push(
    tableSheet(
      support.headers,
      support.name,
      Array.isArray(c.support) ? c.support.filter(isObject) : [],
      ["channel", "url", "description", "tool", "scope", "invitationUrl"],
      ctx,
      ["support"],
    ),
  );
  const price = isObject(c.price) ? c.price : {};
  sheets.push(
    fieldSheet(pricing.name, pricing.fields, {
      "price.priceAmount": price.priceAmount,
      "price.priceCurrency": price.priceCurrency,
      "price.priceUnit": price.priceUnit,
    }),
  );
  sheets.push(
    tableSheet(
      sla.headers,
      sla.name,
      Array.isArray(c.slaProperties) ? c.slaProperties.filter(isObject) : [],
      ["property", "value", "valueExt", "unit", "element", "driver", "description", "scheduler", "schedule"],
      ctx,
      ["slaProperties"],
    ),
  );
  const custom = (Array.isArray(c.customProperties) ? c.customProperties.filter(isObject) : []).map((p) => [
    scalar(p.property),
    // Text that would read back as JSON (`123`, `true`) is written as a JSON string.
    typeof p.value === "string" && !looksLikeJson(p.value) ? p.value : JSON.stringify(p.value),
  ]);
  sheets.push({ name: customProperties.name, rows: [[...customProperties.headers], ...custom] });
  return { sheets, ctx };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function fieldSheet(name: string, fields: readonly string[], values: Record<string, unknown>): SheetData {
  return { name, rows: [[...fieldHeader], ...fields.map((f) => [f, scalar(values[f])])] };
}

/** `Schema <name>`, kept within Excel's limits (31 characters, no `[]:*?/\`) and unique. */
function sheetName(objectName: string, taken: Set<string>): string {
  const clean = `${schemaSheetPrefix}${objectName}`.replace(/[[\]:*?/\\]/g, "_");
  let name = clean.slice(0, 31);
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${clean.slice(0, 31 - String(n).length - 1)}~${n}`;
  taken.add(name.toLowerCase());
  return name;
}

function tableSheet(
  headers: readonly string[],
  name: string,
  records: JsonObject[],
  keys: readonly string[],
  ctx: ConvertContext,
  path: Path,
): SheetData {
  const rows: CellValue[][] = [[...headers]];
  records.forEach((r, i) => {
    rows.push(keys.map((k) => scalar(r[k])));
    for (const key of Object.keys(r)) {
      if (!keys.includes(key)) {
        ctx.warn(
          [...path, i, key],
          "excel-export-unmapped",
          `the ${name} sheet has no column for ${key}; it was not written`,
        );
      }
    }
  });
  return { name, rows };
}

function serverSheet(ctx: ConvertContext, list: JsonObject[]): SheetData {
  const labelOf = new Map(Object.entries(serverKeys).map(([label, key]) => [key, label]));
  const rows: CellValue[][] = servers.fields.map((label) => [label]);
  list.forEach((s, i) => {
    servers.fields.forEach((label, r) => {
      (rows[r] as CellValue[])[i + 1] = scalar(s[serverKeys[label] as string]);
    });
    for (const key of Object.keys(s)) {
      if (!labelOf.has(key)) {
        ctx.warn(
          ["servers", i, key],
          "excel-export-unmapped",
          `the Servers sheet has no row for ${key}; it was not written`,
        );
      }
    }
  });
  return { name: servers.name, rows };
}

function schemaSheet(
  ctx: ConvertContext,
  name: string,
  o: JsonObject,
  path: Path,
  qualityRows: CellValue[][],
): SheetData {
  for (const key of Object.keys(o)) {
    if (!handledObject.has(key)) {
      ctx.warn([...path, key], "excel-export-unmapped", `schema sheets have no field for ${key}; it was not written`);
    }
  }
  const values: Record<string, unknown> = {
    "schema.name": o.name,
    "schema.physicalName": o.physicalName,
    "schema.physicalType": o.physicalType,
    "schema.businessName": o.businessName,
    "schema.description": o.description,
    "schema.dataGranularityDescription": o.dataGranularityDescription,
    "schema.tags": Array.isArray(o.tags) ? listCell(o.tags) : undefined,
  };
  const rows: CellValue[][] = [[...fieldHeader], ...schemaFields.map((f) => [f, scalar(values[f])])];
  while (rows.length < propertiesHeaderRow - 1) rows.push([]);
  rows.push([...propertyHeaders]);
  const objectName = String(o.name);
  qualityList(ctx, o.quality, [...path, "quality"], objectName, undefined, qualityRows);
  const visit = (p: JsonObject, pPath: Path, rowName: string) => {
    rows.push(propertyRow(ctx, p, pPath, rowName));
    qualityList(ctx, p.quality, [...pPath, "quality"], objectName, rowName, qualityRows);
    for (const [j, child] of (Array.isArray(p.properties) ? p.properties.filter(isObject) : []).entries()) {
      visit(child, [...pPath, "properties", j], joinPath(rowName, String(child.name)));
    }
    if (isObject(p.items)) visit(p.items, [...pPath, "items"], `${rowName}[]`);
  };
  for (const [j, p] of (Array.isArray(o.properties) ? o.properties.filter(isObject) : []).entries()) {
    visit(p, [...path, "properties", j], joinPath(undefined, String(p.name)));
  }
  return { name, rows };
}

function propertyRow(ctx: ConvertContext, p: JsonObject, path: Path, rowName: string): CellValue[] {
  for (const key of Object.keys(p)) {
    if (!handledProperty.has(key)) {
      ctx.warn(
        [...path, key],
        "excel-export-unmapped",
        `the properties table has no column for ${key}; it was not written`,
      );
    }
  }
  const options = isObject(p.logicalTypeOptions) ? p.logicalTypeOptions : {};
  const optionHeader = new Map(Object.entries(optionKeys).map(([h, k]) => [k, h]));
  for (const key of Object.keys(options)) {
    if (!optionHeader.has(key)) {
      ctx.warn(
        [...path, "logicalTypeOptions", key],
        "excel-export-unmapped",
        `the properties table has no column for ${key}; it was not written`,
      );
    }
  }
  const definitions = Array.isArray(p.authoritativeDefinitions) ? p.authoritativeDefinitions.filter(isObject) : [];
  if (definitions.length > 1) {
    ctx.warn(
      [...path, "authoritativeDefinitions"],
      "excel-export-unmapped",
      "the template has one authoritative definition per property; only the first was written",
    );
  }
  const relationships = Array.isArray(p.relationships) ? p.relationships.filter(isObject) : [];
  const foreignKeys = relationships.filter(
    (r) => (r.type === undefined || r.type === "foreignKey") && typeof r.to === "string",
  );
  if (foreignKeys.length !== relationships.length || foreignKeys.length > 1) {
    ctx.warn(
      [...path, "relationships"],
      "excel-export-unmapped",
      "the template has one foreign key (Relationship To) per property; other relationships were not written",
    );
  }
  const cell = (header: PropertyHeader): CellValue => {
    if (header === "Property") return rowName;
    const key = propertyKeys[header];
    if (key) return scalar(p[key]);
    const option = optionKeys[header];
    if (option)
      return Array.isArray(options[option]) ? listCell(options[option] as unknown[]) : scalar(options[option]);
    switch (header) {
      case "Tags":
        return Array.isArray(p.tags) ? listCell(p.tags) : null;
      case "Example(s)":
        return Array.isArray(p.examples) ? listCell(p.examples) : null;
      case "Transform Sources":
        return Array.isArray(p.transformSourceObjects) ? listCell(p.transformSourceObjects) : null;
      case "Authoritative Definition URL":
        return scalar(definitions[0]?.url);
      case "Authoritative Definition Type":
        return scalar(definitions[0]?.type);
      case "Relationship To":
        return scalar(foreignKeys[0]?.to);
      default:
        return null;
    }
  };
  return propertyHeaders.map(cell);
}

function qualityList(
  ctx: ConvertContext,
  value: unknown,
  path: Path,
  objectName: string,
  property: string | undefined,
  rows: CellValue[][],
): void {
  (Array.isArray(value) ? value.filter(isObject) : []).forEach((q, i) => {
    for (const key of Object.keys(q)) {
      if (!handledQuality.has(key)) {
        ctx.warn(
          [...path, i, key],
          "excel-export-unmapped",
          `the Quality sheet has no column for ${key}; it was not written`,
        );
      }
    }
    const found = operators.filter((op) => q[op] !== undefined);
    const op = found[0];
    const threshold = op === undefined ? undefined : q[op];
    const byHeader: Record<string, unknown> = {
      Schema: objectName,
      Property: property,
      "Quality Type": q.type,
      Name: q.name,
      Description: q.description,
      Dimension: q.dimension,
      "Rule (library)": q.metric ?? q.rule,
      "Arguments (library)": q.arguments === undefined ? undefined : JSON.stringify(q.arguments),
      "Query (SQL)": q.query,
      "Quality Engine (custom)": q.engine,
      "Implementation (custom)": q.implementation,
      Severity: q.severity,
      "Business Impact": q.businessImpact,
      Scheduler: q.scheduler,
      Schedule: q.schedule,
      "Threshold Operator": op,
      "Threshold Value": Array.isArray(threshold) ? JSON.stringify(threshold) : threshold,
      Id: q.id,
    };
    rows.push(quality.headers.map((h) => scalar(byHeader[h])));
  });
}

/** The contract as the ODCS Excel template, as .xlsx bytes. */
export async function exportExcel(input: ExportInput): Promise<ExportResult> {
  const { sheets, ctx } = layOut(input);
  const ExcelJS = await import("exceljs");
  const Workbook = (ExcelJS.default ?? ExcelJS).Workbook;
  const workbook = new Workbook();
  workbook.creator = "Quanta";
  // Fixed dates keep the file the same for the same contract.
  workbook.created = new Date(0);
  workbook.modified = new Date(0);
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sheet.name);
    sheet.rows.forEach((row, r) => {
      row.forEach((value, col) => {
        if (value !== null && value !== undefined) ws.getCell(r + 1, col + 1).value = value;
      });
    });
    ws.getRow(1).font = { bold: true };
  }
  const buffer = await workbook.xlsx.writeBuffer();
  const base = String(input.contract.id || "contract").replace(/[^A-Za-z0-9._-]/g, "_");
  return {
    files: [
      {
        path: `${base}.xlsx`,
        content: new Uint8Array(buffer as ArrayBuffer),
        mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      },
    ],
    issues: ctx.issues,
  };
}

/** Every non-empty cell as `Sheet!A1: value` lines: how the tests compare workbooks. */
export function sheetsAsText(sheets: readonly SheetData[]): string {
  const lines: string[] = [];
  for (const sheet of sheets) {
    lines.push(`## ${sheet.name}`);
    sheet.rows.forEach((row, r) => {
      row.forEach((value, c) => {
        if (value === null || value === undefined || value === "") return;
        lines.push(
          `${cellAddress(r + 1, c + 1)}: ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
        );
      });
    });
  }
  return `${lines.join("\n")}\n`;
}
