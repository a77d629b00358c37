import { BaseDialect, baseLogicalTypes } from "../base-dialect.js";
import type { DialectCapabilities, LogicalType } from "../dialect.js";

/** PostgreSQL type spellings (as `format_type` prints them, lower-cased, parameters stripped): the base table plus PostgreSQL-only types. */
const postgresLogicalTypes: Record<string, LogicalType> = {
  ...baseLogicalTypes,
  '"char"': "string",
  xml: "string",
  inet: "string",
  cidr: "string",
  macaddr: "string",
  macaddr8: "string",
  oid: "integer",
  timetz: "time",
};

/** What a contract may write as `physicalType` → the one name PostgreSQL reports (serials are integers). */
const postgresPhysicalAliases: Record<string, string> = {
  smallint: "smallint",
  int2: "smallint",
  smallserial: "smallint",
  serial2: "smallint",
  integer: "integer",
  int: "integer",
  int4: "integer",
  serial: "integer",
  serial4: "integer",
  bigint: "bigint",
  int8: "bigint",
  bigserial: "bigint",
  serial8: "bigint",
  long: "bigint",
  numeric: "numeric",
  decimal: "numeric",
  real: "real",
  float4: "real",
  // PostgreSQL's bare FLOAT is 8 bytes (DuckDB's is 4).
  float: "double precision",
  float8: "double precision",
  double: "double precision",
  "double precision": "double precision",
  money: "money",
  text: "text",
  string: "text",
  varchar: "character varying",
  "character varying": "character varying",
  char: "character",
  character: "character",
  bpchar: "character",
  citext: "citext",
  name: "name",
  uuid: "uuid",
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  timestamp: "timestamp",
  "timestamp without time zone": "timestamp",
  timestamptz: "timestamptz",
  "timestamp with time zone": "timestamptz",
  time: "time",
  "time without time zone": "time",
  timetz: "timetz",
  "time with time zone": "timetz",
  interval: "interval",
  json: "json",
  jsonb: "jsonb",
  xml: "xml",
  bytea: "bytea",
  inet: "inet",
  cidr: "cidr",
  macaddr: "macaddr",
  macaddr8: "macaddr8",
  bit: "bit",
  "bit varying": "bit varying",
  varbit: "bit varying",
  oid: "oid",
  tsvector: "tsvector",
};

/**
 * PostgreSQL: the base dialect is already PostgreSQL-flavoured (`~` regexes, `FILTER`,
 * `cardinality`, `count(DISTINCT (a, b))`); this adds what only PostgreSQL needs — literals safe
 * whatever `standard_conforming_strings` says, its own type names and ages as plain numbers.
 */
export class PostgresDialect extends BaseDialect {
  override readonly name: string = "postgres";
  override readonly capabilities: DialectCapabilities = {
    filterClause: true,
    countDistinctTuple: true,
    regex: true,
    arrays: true,
    caseInsensitiveIdentifiers: false,
  };

  /**
   * With a backslash inside, an `E'…'` literal (backslashes doubled), so the text means the same
   * even on a server running with `standard_conforming_strings = off` — the escape libpq uses.
   */
  override stringLiteral(value: string): string {
    const plain = super.stringLiteral(value);
    return value.includes("\\") ? `E${plain.replaceAll("\\", "\\\\")}` : plain;
  }

  /** `EXTRACT(EPOCH …)` is `numeric` since PostgreSQL 14 (text to the driver): ages come back as numbers. */
  override ageSeconds(aggregate: string): string {
    return `CAST(${super.ageSeconds(aggregate)} AS DOUBLE PRECISION)`;
  }

  /** `numeric(10,2)[]`, `_int4` (information_schema's udt_name) → `numeric`, `int4`. */
  override baseType(engineType: string): string {
    return super.baseType(
      engineType
        .trim()
        .replace(/(\[\d*\])+$/, "")
        .replace(/^_/, ""),
    );
  }

  override isArrayType(engineType: string): boolean {
    return /\[\d*\]$/.test(engineType.trim()) || /^_/.test(engineType.trim()) || engineType.trim() === "ARRAY";
  }

  /** A JSON array is often stored as `jsonb`: an `array` contract type accepts json/jsonb columns. */
  override logicalTypeAccepts(logicalType: string, actual: string): boolean | undefined {
    if (logicalType === "array" && !this.isArrayType(actual) && ["json", "jsonb"].includes(this.baseType(actual)))
      return true;
    return super.logicalTypeAccepts(logicalType, actual);
  }

  /** An unbounded `varchar` behaves as `text` in PostgreSQL: either spelling accepts the other. */
  override physicalTypeMatches(declared: string, actual: string): boolean | undefined {
    const unbounded = (t: string) =>
      !/\(/.test(t) &&
      !this.isArrayType(t) &&
      ["text", "character varying"].includes(this.physicalAliases[this.baseType(t)] ?? "");
    if (unbounded(declared) && unbounded(actual)) return true;
    return super.physicalTypeMatches(declared, actual);
  }

  protected override logicalTypes = postgresLogicalTypes;
  protected override physicalAliases = postgresPhysicalAliases;
}
