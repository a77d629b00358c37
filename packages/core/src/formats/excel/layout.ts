/**
 * The layout of the ODCS Excel template (Bitol's `odcs-template.xlsx`), reproduced from its sheet names and column headers: importer and exporter both
 * read this table, so a workbook Quanta writes is one Quanta reads. docs/formats/excel.md shows it.
 */

/** A key/value sheet: column A names the field, column B holds its value. */
export interface FieldSheet {
  readonly kind: "fields";
  readonly name: string;
  /** Labels in column A from row 2 on (row 1 is the `Field | Value` header). */
  readonly fields: readonly string[];
}

/** A table sheet: a header row at row 1, one record per row below it. */
export interface TableSheet {
  readonly kind: "table";
  readonly name: string;
  readonly headers: readonly string[];
}

/** The Servers sheet lists one server per column (B, C, …), fields as rows, as the template does. */
export interface ColumnSheet {
  readonly kind: "columns";
  readonly name: string;
  readonly fields: readonly string[];
}

export type Sheet = FieldSheet | TableSheet | ColumnSheet;

export const fieldHeader = ["Field", "Value"] as const;

export const fundamentals: FieldSheet = {
  kind: "fields",
  name: "Fundamentals",
  fields: [
    "apiVersion",
    "kind",
    "id",
    "name",
    "version",
    "status",
    "domain",
    "dataProduct",
    "tenant",
    "description.purpose",
    "description.limitations",
    "description.usage",
    "tags",
    "team.name",
    "team.description",
    "slaDefaultElement",
    "contractCreatedTs",
  ],
};

export const pricing: FieldSheet = {
  kind: "fields",
  name: "Pricing",
  fields: ["price.priceAmount", "price.priceCurrency", "price.priceUnit"],
};

export const quality: TableSheet = {
  kind: "table",
  name: "Quality",
  headers: [
    "Schema",
    "Property",
    "Quality Type",
    "Name",
    "Description",
    "Dimension",
    "Rule (library)",
    "Arguments (library)",
    "Query (SQL)",
    "Quality Engine (custom)",
    "Implementation (custom)",
    "Severity",
    "Business Impact",
    "Scheduler",
    "Schedule",
    "Threshold Operator",
    "Threshold Value",
    "Id",
  ],
};

export const servers: ColumnSheet = {
  kind: "columns",
  name: "Servers",
  fields: [
    "Server",
    "Type",
    "Environment",
    "Description",
    "Host",
    "Port",
    "Database",
    "Schema",
    "Catalog",
    "Project",
    "Dataset",
    "Account",
    "Warehouse",
    "Location",
    "Path",
    "Format",
    "Delimiter",
    "Endpoint URL",
    "Region",
    "Service Name",
    "Staging Dir",
    "Topic",
  ],
};

/** Server row label → ODCS server key. */
export const serverKeys: Readonly<Record<string, string>> = {
  Server: "server",
  Type: "type",
  Environment: "environment",
  Description: "description",
  Host: "host",
  Port: "port",
  Database: "database",
  Schema: "schema",
  Catalog: "catalog",
  Project: "project",
  Dataset: "dataset",
  Account: "account",
  Warehouse: "warehouse",
  Location: "location",
  Path: "path",
  Format: "format",
  Delimiter: "delimiter",
  "Endpoint URL": "endpointUrl",
  Region: "region",
  "Service Name": "serviceName",
  "Staging Dir": "stagingDir",
  Topic: "topic",
};

export const team: TableSheet = {
  kind: "table",
  name: "Team",
  headers: ["Username", "Name", "Description", "Role", "Date In", "Date Out", "Replaced By Username"],
};

export const roles: TableSheet = {
  kind: "table",
  name: "Roles",
  headers: ["Role", "Description", "Access", "1st Level Approvers", "2nd Level Approvers"],
};

export const support: TableSheet = {
  kind: "table",
  name: "Support",
  headers: ["Channel", "Channel URL", "Description", "Tool", "Scope", "Invitation URL"],
};

export const sla: TableSheet = {
  kind: "table",
  name: "SLA",
  headers: ["Property", "Value", "Extended Value", "Unit", "Element", "Driver", "Description", "Scheduler", "Schedule"],
};

export const customProperties: TableSheet = {
  kind: "table",
  name: "Custom Properties",
  headers: ["Property", "Value"],
};

/** Sheets every template workbook has, in the template's order (schema sheets go after Fundamentals). */
export const templateSheets: readonly Sheet[] = [
  fundamentals,
  quality,
  servers,
  team,
  roles,
  support,
  pricing,
  sla,
  customProperties,
];

/** One sheet per schema object, named `Schema <object name>`; the template's blank one is `Schema <table_name>`. */
export const schemaSheetPrefix = "Schema ";
export const schemaSheetPlaceholder = "Schema <table_name>";

/** The object's fields at the top of its schema sheet (Field | Value, rows 2…). */
export const schemaFields = [
  "schema.name",
  "schema.physicalName",
  "schema.physicalType",
  "schema.businessName",
  "schema.description",
  "schema.dataGranularityDescription",
  "schema.tags",
] as const;

/** The properties table of a schema sheet starts at this row (its header row). */
export const propertiesHeaderRow = schemaFields.length + 3;

/** Properties table header → how the cell maps to the property. */
export const propertyHeaders = [
  "Property",
  "Business Name",
  "Logical Type",
  "Physical Type",
  "Physical Name",
  "Description",
  "Required",
  "Unique",
  "Primary Key",
  "Primary Key Position",
  "Partitioned",
  "Partition Key Position",
  "Classification",
  "Tags",
  "Example(s)",
  "Authoritative Definition URL",
  "Authoritative Definition Type",
  "Critical Data Element Status",
  "Encrypted Name",
  "Transform Sources",
  "Transform Logic",
  "Transform Description",
  "Minimum Length",
  "Maximum Length",
  "Pattern",
  "Format",
  "Minimum",
  "Maximum",
  "Exclusive Minimum",
  "Exclusive Maximum",
  "Multiple Of",
  "Minimum Items",
  "Maximum Items",
  "Unique Items",
  "Minimum Properties",
  "Maximum Properties",
  "Required Properties",
  "Timezone",
  "Default Timezone",
  "Relationship To",
] as const;

export type PropertyHeader = (typeof propertyHeaders)[number];

/** Header → ODCS property key, for the cells that are a plain value of the property. */
export const propertyKeys: Partial<Record<PropertyHeader, string>> = {
  "Business Name": "businessName",
  "Logical Type": "logicalType",
  "Physical Type": "physicalType",
  "Physical Name": "physicalName",
  Description: "description",
  Required: "required",
  Unique: "unique",
  "Primary Key": "primaryKey",
  "Primary Key Position": "primaryKeyPosition",
  Partitioned: "partitioned",
  "Partition Key Position": "partitionKeyPosition",
  Classification: "classification",
  "Critical Data Element Status": "criticalDataElement",
  "Encrypted Name": "encryptedName",
  "Transform Logic": "transformLogic",
  "Transform Description": "transformDescription",
};

/** Header → `logicalTypeOptions` key. */
export const optionKeys: Partial<Record<PropertyHeader, string>> = {
  "Minimum Length": "minLength",
  "Maximum Length": "maxLength",
  Pattern: "pattern",
  Format: "format",
  Minimum: "minimum",
  Maximum: "maximum",
  "Exclusive Minimum": "exclusiveMinimum",
  "Exclusive Maximum": "exclusiveMaximum",
  "Multiple Of": "multipleOf",
  "Minimum Items": "minItems",
  "Maximum Items": "maxItems",
  "Unique Items": "uniqueItems",
  "Minimum Properties": "minProperties",
  "Maximum Properties": "maxProperties",
  "Required Properties": "required",
  Timezone: "timezone",
  "Default Timezone": "defaultTimezone",
};

export const booleanKeys = new Set([
  "required",
  "unique",
  "primaryKey",
  "partitioned",
  "criticalDataElement",
  "uniqueItems",
  "timezone",
]);
export const integerKeys = new Set([
  "primaryKeyPosition",
  "partitionKeyPosition",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
]);

/**
 * Nested properties are rows named by their path: `address.city`; an array's items are
 * `tags[]`, their properties `lines[].sku`. A `.`, `[` or `\` inside a name is escaped with `\`.
 */
export function joinPath(parent: string | undefined, name: string): string {
  const escaped = name.replace(/[\\.[]/g, (c) => `\\${c}`);
  return parent === undefined ? escaped : `${parent}.${escaped}`;
}

/** `a.b[].c` → segments `a`, `b`, `[]`, `c` (escapes undone). */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "\\" && i + 1 < path.length) {
      current += path[++i];
    } else if (c === ".") {
      out.push(current);
      current = "";
    } else if (c === "[" && path[i + 1] === "]") {
      out.push(current, "[]");
      current = "";
      i++;
      if (path[i + 1] === ".") i++;
    } else current += c;
  }
  if (current !== "" || out.length === 0 || out[out.length - 1] !== "[]") out.push(current);
  return out;
}

/** `A1`-style address of a 1-based row and column. */
export function cellAddress(row: number, column: number): string {
  let letters = "";
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${letters}${row}`;
}
