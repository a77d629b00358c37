import { BaseDialect } from "../base-dialect.js";
import type { DialectCapabilities, LogicalType } from "../dialect.js";

/** DuckDB type names (as DESCRIBE prints them, lower-cased, parameters stripped) → logical type. */
const duckdbLogicalTypes: Record<string, LogicalType> = {
  varchar: "string",
  text: "string",
  string: "string",
  uuid: "string",
  enum: "string",
  tinyint: "integer",
  smallint: "integer",
  integer: "integer",
  bigint: "integer",
  hugeint: "integer",
  utinyint: "integer",
  usmallint: "integer",
  uinteger: "integer",
  ubigint: "integer",
  uhugeint: "integer",
  float: "number",
  double: "number",
  decimal: "number",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  "timestamp with time zone": "timestamp",
  timestamp_s: "timestamp",
  timestamp_ms: "timestamp",
  timestamp_ns: "timestamp",
  time: "time",
  "time with time zone": "time",
  struct: "object",
  map: "object",
  json: "object",
  list: "array",
};

/** DuckDB spellings on top of the PostgreSQL ones (DuckDB's FLOAT is 4 bytes, not 8). */
const duckdbPhysicalAliases: Record<string, string> = {
  int1: "tinyint",
  tinyint: "tinyint",
  int2: "smallint",
  short: "smallint",
  smallint: "smallint",
  int: "integer",
  int4: "integer",
  integer: "integer",
  signed: "integer",
  int8: "bigint",
  long: "bigint",
  bigint: "bigint",
  hugeint: "hugeint",
  int128: "hugeint",
  utinyint: "utinyint",
  usmallint: "usmallint",
  uinteger: "uinteger",
  ubigint: "ubigint",
  varchar: "varchar",
  text: "varchar",
  string: "varchar",
  char: "varchar",
  bpchar: "varchar",
  "character varying": "varchar",
  float: "float",
  float4: "float",
  real: "float",
  double: "double",
  float8: "double",
  "double precision": "double",
  decimal: "decimal",
  numeric: "decimal",
  bool: "boolean",
  boolean: "boolean",
  logical: "boolean",
  date: "date",
  timestamp: "timestamp",
  datetime: "timestamp",
  "timestamp without time zone": "timestamp",
  timestamptz: "timestamptz",
  "timestamp with time zone": "timestamptz",
  time: "time",
  uuid: "uuid",
  json: "json",
  blob: "blob",
  bytea: "blob",
  struct: "struct",
  map: "map",
};

/** DuckDB: RE2 regexes via `regexp_matches`, `len` for lists, epoch arithmetic for ages. */
export class DuckDbDialect extends BaseDialect {
  override readonly name: string = "duckdb";
  override readonly capabilities: DialectCapabilities = {
    filterClause: true,
    countDistinctTuple: true,
    regex: true,
    arrays: true,
    caseInsensitiveIdentifiers: true,
  };

  override regexMatches(expr: string, pattern: string): string {
    return `regexp_matches(${expr}, ${this.stringLiteral(pattern)})`;
  }

  override asText(expr: string): string {
    return `CAST(${expr} AS VARCHAR)`;
  }

  /** `min(DISTINCT x, n)`: the n smallest distinct values as a list (VARCHAR compares by code point). */
  override sampleDistinct(expr: string, condition: string, limit: number): string {
    return `CAST(to_json(min(DISTINCT ${expr}, ${Math.trunc(limit)}) FILTER (WHERE ${condition})) AS VARCHAR)`;
  }

  override arrayLength(expr: string): string {
    return `len(${expr})`;
  }

  override ageSeconds(aggregate: string): string {
    return `(epoch(current_timestamp) - epoch(CAST(${aggregate} AS TIMESTAMPTZ)))`;
  }

  override isArrayType(engineType: string): boolean {
    return /\[\d*\]$/.test(engineType.trim());
  }

  override baseType(engineType: string): string {
    // STRUCT(a INTEGER), MAP(VARCHAR, INTEGER) → struct / map
    return super.baseType(engineType.replace(/\(.*$/s, ""));
  }

  /** DuckDB orders every text-like type it has, UUIDs and enums too. */
  protected override orderedTextTypes: ReadonlySet<string> = new Set(["varchar", "text", "string", "uuid", "enum"]);

  protected override logicalTypes = duckdbLogicalTypes;
  protected override physicalAliases = duckdbPhysicalAliases;
}
