import type { LogicalType } from "../../spec/odcs/model.js";

/**
 * BigQuery column types, in the spelling `bq show --schema` prints (legacy SQL names), each with
 * its logical type. Standard SQL aliases (`INT64`, `STRUCT`...) are read as the same type.
 */
export const bigQueryTypes: Readonly<Record<string, LogicalType>> = {
  STRING: "string",
  BYTES: "string",
  INTEGER: "integer",
  FLOAT: "number",
  NUMERIC: "number",
  BIGNUMERIC: "number",
  BOOLEAN: "boolean",
  TIMESTAMP: "timestamp",
  DATETIME: "timestamp",
  DATE: "date",
  TIME: "time",
  GEOGRAPHY: "string",
  JSON: "object",
  RECORD: "object",
  INTERVAL: "string",
  RANGE: "object",
};

export const typeAliases: Readonly<Record<string, string>> = {
  INT64: "INTEGER",
  FLOAT64: "FLOAT",
  BOOL: "BOOLEAN",
  STRUCT: "RECORD",
  DECIMAL: "NUMERIC",
  BIGDECIMAL: "BIGNUMERIC",
};

/** The canonical name of a BigQuery type, or undefined when it is none. */
export function canonicalType(type: string): string | undefined {
  const upper = type.trim().toUpperCase();
  const name = typeAliases[upper] ?? upper;
  return name in bigQueryTypes ? name : undefined;
}

/** BigQuery types for logical types without a BigQuery physical type. */
export const typeForLogical: Readonly<Record<LogicalType, string>> = {
  string: "STRING",
  integer: "INTEGER",
  number: "FLOAT",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  time: "TIME",
  object: "RECORD",
  array: "STRING",
};

/**
 * A physical type read as BigQuery's: `NUMERIC(12, 2)`, `DECIMAL(12,2)`, `STRING(20)`, `INT64`.
 * Types of other systems (`VARCHAR(20)`, `BIGINT`) are not BigQuery's and give undefined.
 */
export function parsePhysical(
  physical: string | undefined,
): { type: string; precision?: number; scale?: number; maxLength?: number } | undefined {
  const m = physical?.trim().match(/^([A-Za-z0-9]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/);
  if (!m) return undefined;
  const type = canonicalType(m[1] ?? "");
  if (!type) return undefined;
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  if (type === "NUMERIC" || type === "BIGNUMERIC") return { type, precision: a, scale: b };
  if (type === "STRING" || type === "BYTES") return b === undefined ? { type, maxLength: a } : undefined;
  return a === undefined ? { type } : undefined;
}

/** BigQuery column names: letters, digits and underscores, not starting with a digit, at most 300. */
export const plainColumnName = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

/** The description line that keeps a contract's name when the column had to be renamed. */
export const originalNameLine = "ODCS name: ";

/** `dir/orders.json` → `orders`. */
export function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.schema)?\.[^.]*$/i, "") || "imported";
}
