import type { LogicalType } from "../../spec/odcs/model.js";

/** A Spark SQL data type, whether read from `df.schema.json()` or from a DDL string. */
export type SparkType =
  | { kind: "primitive"; name: string; logicalType: LogicalType }
  | { kind: "struct"; fields: SparkField[] }
  | { kind: "array"; element: SparkType; containsNull: boolean }
  | { kind: "map"; key: SparkType; value: SparkType; valueContainsNull: boolean };

export interface SparkField {
  name: string;
  type: SparkType;
  nullable: boolean;
  comment?: string;
  /** Where the field starts in the input (an offset for DDL, a path for JSON). */
  at?: number | readonly (string | number)[];
}

/** Spark's primitive types: JSON name → DDL name and logical type. */
const primitives: Readonly<Record<string, { ddl: string; logicalType: LogicalType }>> = {
  string: { ddl: "STRING", logicalType: "string" },
  long: { ddl: "BIGINT", logicalType: "integer" },
  integer: { ddl: "INT", logicalType: "integer" },
  short: { ddl: "SMALLINT", logicalType: "integer" },
  byte: { ddl: "TINYINT", logicalType: "integer" },
  float: { ddl: "FLOAT", logicalType: "number" },
  double: { ddl: "DOUBLE", logicalType: "number" },
  boolean: { ddl: "BOOLEAN", logicalType: "boolean" },
  binary: { ddl: "BINARY", logicalType: "string" },
  date: { ddl: "DATE", logicalType: "date" },
  timestamp: { ddl: "TIMESTAMP", logicalType: "timestamp" },
  timestamp_ntz: { ddl: "TIMESTAMP_NTZ", logicalType: "timestamp" },
  void: { ddl: "VOID", logicalType: "string" },
  variant: { ddl: "VARIANT", logicalType: "object" },
};

/** DDL spellings (and aliases) → JSON name. */
const ddlNames: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(primitives).map(([json, p]) => [p.ddl, json])),
  LONG: "long",
  INTEGER: "integer",
  SHORT: "short",
  BYTE: "byte",
  REAL: "float",
  BOOL: "boolean",
  TIMESTAMP_LTZ: "timestamp",
  NULL: "void",
};

export const knownTypes = [
  ...Object.values(primitives).map((p) => p.ddl),
  "DECIMAL(p,s)",
  "CHAR(n)",
  "VARCHAR(n)",
  "INTERVAL …",
  "ARRAY<…>",
  "MAP<…,…>",
  "STRUCT<…>",
];

/**
 * A primitive from its name and parameters, in either spelling (`long`, `BIGINT`, `decimal(12,2)`,
 * `DECIMAL(12, 2)`, `varchar(20)`, `interval day to second`), or undefined when Spark has none.
 */
export function primitive(name: string, params: readonly number[] = []): SparkType | undefined {
  const lower = name.trim().toLowerCase().replace(/\s+/g, " ");
  const upper = lower.toUpperCase();
  const json = primitives[lower] ? lower : ddlNames[upper];
  if (json && params.length === 0) {
    const p = primitives[json];
    if (p) return { kind: "primitive", name: p.ddl, logicalType: p.logicalType };
  }
  if (lower === "decimal" || lower === "dec" || lower === "numeric") {
    const [precision = 10, scale = 0] = params;
    if (params.length > 2 || precision < 1 || precision > 38 || scale > precision) return undefined;
    return { kind: "primitive", name: `DECIMAL(${precision},${scale})`, logicalType: "number" };
  }
  if ((lower === "char" || lower === "varchar" || lower === "character") && params.length === 1) {
    return {
      kind: "primitive",
      name: `${lower === "varchar" ? "VARCHAR" : "CHAR"}(${params[0]})`,
      logicalType: "string",
    };
  }
  if (/^interval( (year|month|day|hour|minute|second)( to (year|month|day|hour|minute|second))?)?$/.test(lower)) {
    return params.length === 0 ? { kind: "primitive", name: upper, logicalType: "string" } : undefined;
  }
  return undefined;
}

/** Reads a primitive's JSON spelling: `long`, `decimal(12,2)`, `varchar(20)`. */
export function primitiveFromJson(text: string): SparkType | undefined {
  const m = /^\s*([a-z_ ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/i.exec(text);
  if (!m) return undefined;
  const params = [m[2], m[3]].filter((v): v is string => v !== undefined).map(Number);
  return primitive(m[1] ?? "", params);
}

/** A backquoted identifier, as Spark's `toDDL` writes every name. */
export function quoteName(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** A single-quoted SQL string with Spark's backslash escapes. */
export function quoteComment(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}'`;
}

/** The DDL spelling of a type: `BIGINT`, `ARRAY<STRING>`, ``STRUCT<`a`: INT NOT NULL COMMENT 'x'>``. */
export function ddlType(type: SparkType): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "array":
      return `ARRAY<${ddlType(type.element)}>`;
    case "map":
      return `MAP<${ddlType(type.key)}, ${ddlType(type.value)}>`;
    case "struct":
      return `STRUCT<${type.fields.map((f) => ddlField(f, ": ")).join(", ")}>`;
  }
}

export function ddlField(field: SparkField, separator = " "): string {
  return `${quoteName(field.name)}${separator}${ddlType(field.type)}${field.nullable ? "" : " NOT NULL"}${
    field.comment !== undefined ? ` COMMENT ${quoteComment(field.comment)}` : ""
  }`;
}

/** The `df.schema.json()` form of a type. */
export function jsonType(type: SparkType): unknown {
  switch (type.kind) {
    case "primitive": {
      const json = ddlNames[type.name];
      return json ?? type.name.toLowerCase();
    }
    case "array":
      return { type: "array", elementType: jsonType(type.element), containsNull: type.containsNull };
    case "map":
      return {
        type: "map",
        keyType: jsonType(type.key),
        valueType: jsonType(type.value),
        valueContainsNull: type.valueContainsNull,
      };
    case "struct":
      return { type: "struct", fields: type.fields.map(jsonField) };
  }
}

export function jsonField(field: SparkField): unknown {
  return {
    name: field.name,
    type: jsonType(field.type),
    nullable: field.nullable,
    metadata: field.comment !== undefined ? { comment: field.comment } : {},
  };
}

/** `dir/orders.json` → `orders`. */
export function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/(\.schema)?\.[^.]*$/i, "") || "imported";
}
