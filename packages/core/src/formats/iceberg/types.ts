import type { LogicalType } from "../../spec/odcs/model.js";

/** An Iceberg primitive type (spec v2, and v3's additions) with its logical type. */
export interface IcebergPrimitive {
  /** Canonical spelling: `decimal(12, 2)`, `fixed[16]`, `timestamptz`. */
  readonly type: string;
  readonly logicalType: LogicalType;
  readonly timezone?: boolean;
  readonly format?: string;
}

const simple: Readonly<Record<string, Omit<IcebergPrimitive, "type">>> = {
  boolean: { logicalType: "boolean" },
  int: { logicalType: "integer" },
  long: { logicalType: "integer" },
  float: { logicalType: "number" },
  double: { logicalType: "number" },
  date: { logicalType: "date" },
  time: { logicalType: "time" },
  timestamp: { logicalType: "timestamp", timezone: false },
  timestamptz: { logicalType: "timestamp", timezone: true },
  timestamp_ns: { logicalType: "timestamp", timezone: false },
  timestamptz_ns: { logicalType: "timestamp", timezone: true },
  string: { logicalType: "string" },
  uuid: { logicalType: "string", format: "uuid" },
  binary: { logicalType: "string" },
  unknown: { logicalType: "string" },
  variant: { logicalType: "object" },
};

export const primitiveNames = [...Object.keys(simple), "decimal(P, S)", "fixed[L]", "geometry", "geography"];

/** Reads a primitive type string (case-insensitively), or undefined when it is none. */
export function parsePrimitive(text: string): IcebergPrimitive | undefined {
  const t = text.trim().toLowerCase();
  const known = simple[t];
  if (known) return { type: t, ...known };
  const dec = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (dec) {
    const p = Number(dec[1]);
    const s = Number(dec[2]);
    return p >= 1 && p <= 38 && s <= p ? { type: `decimal(${p}, ${s})`, logicalType: "number" } : undefined;
  }
  const fixed = /^fixed\s*\[\s*(\d+)\s*\]$/.exec(t);
  if (fixed) return { type: `fixed[${Number(fixed[1])}]`, logicalType: "string" };
  if (/^(geometry|geography)(\s*\(.*\))?$/.test(t)) return { type: t, logicalType: "string" };
  return undefined;
}

/** Iceberg types for logical types without an Iceberg physical type. */
export const typeForLogical: Readonly<Record<LogicalType, string>> = {
  string: "string",
  integer: "long",
  number: "double",
  boolean: "boolean",
  date: "date",
  time: "time",
  timestamp: "timestamp",
  object: "struct",
  array: "list",
};

/** `dir/orders.json` → `orders`. */
export function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.schema|\.metadata)?\.[^.]*$/i, "") || "imported";
}
