import type { LogicalType as OdcsLogicalType } from "../../spec/odcs/model.js";

/** ODCS v3.1 logical types. */
export type { LogicalType as OdcsLogicalType } from "../../spec/odcs/model.js";

export interface TypeMapping {
  /** Undefined where ODCS has no logical type for the DCS one (variant, null): physicalType carries it. */
  logicalType: OdcsLogicalType | undefined;
  /** Extra `logicalTypeOptions` the DCS type implies (bit width, timezone, binary format). */
  options?: Record<string, unknown>;
}

/** Every DCS 0.9.x–1.2.1 field type. The DCS type name itself becomes the ODCS physicalType. */
export const dcsTypes: Readonly<Record<string, TypeMapping>> = {
  number: { logicalType: "number" },
  decimal: { logicalType: "number" },
  numeric: { logicalType: "number" },
  int: { logicalType: "integer" },
  integer: { logicalType: "integer" },
  long: { logicalType: "integer", options: { format: "i64" } },
  bigint: { logicalType: "integer", options: { format: "i64" } },
  float: { logicalType: "number", options: { format: "f32" } },
  double: { logicalType: "number", options: { format: "f64" } },
  string: { logicalType: "string" },
  text: { logicalType: "string" },
  varchar: { logicalType: "string" },
  boolean: { logicalType: "boolean" },
  timestamp: { logicalType: "timestamp", options: { timezone: true } },
  timestamp_tz: { logicalType: "timestamp", options: { timezone: true } },
  timestamp_ntz: { logicalType: "timestamp", options: { timezone: false } },
  date: { logicalType: "date" },
  time: { logicalType: "time" },
  array: { logicalType: "array" },
  map: { logicalType: "object" },
  object: { logicalType: "object" },
  record: { logicalType: "object" },
  struct: { logicalType: "object" },
  bytes: { logicalType: "string", options: { format: "binary" } },
  // JSON documents travel as text; a variant can hold any value, so ODCS has no logical type for it.
  json: { logicalType: "string" },
  variant: { logicalType: undefined },
  null: { logicalType: undefined },
};

export function mapDcsType(type: string): TypeMapping | undefined {
  return dcsTypes[type.toLowerCase()];
}

/** `config` keys of DCS fields that name the type in one engine: the first present is the physicalType. */
export const physicalTypeConfigKeys = [
  "physicalType",
  "postgresType",
  "snowflakeType",
  "bigqueryType",
  "databricksType",
  "redshiftType",
  "sqlserverType",
  "trinoType",
  "oracleType",
  "mysqlType",
  "duckdbType",
  "glueType",
  "sparkType",
] as const;

/** `config` keys of DCS models that name the table in one engine: the first present is the physicalName. */
export const physicalNameConfigKeys = [
  "postgresTable",
  "snowflakeTable",
  "bigqueryTable",
  "databricksTable",
  "redshiftTable",
  "sqlserverTable",
  "oracleTable",
  "mysqlTable",
  "trinoTable",
] as const;
