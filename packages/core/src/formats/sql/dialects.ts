/**
 * What differs between the SQL dialects Quanta writes: how identifiers and strings are quoted, the
 * type each logical type becomes, and which constraints and comments the dialect accepts. One
 * table of small hooks (Kysely's style) so a new dialect is one entry.
 */

export const sqlDialects = ["postgres", "duckdb", "snowflake", "bigquery", "mysql", "sqlserver"] as const;
export type SqlDialectName = (typeof sqlDialects)[number];

export interface SqlDialect {
  readonly name: SqlDialectName;
  readonly title: string;
  quote(identifier: string): string;
  string(value: string): string;
  boolean(value: boolean): string;
  /** Base type names (first word, lower case) a declared physicalType may use and stay as written. */
  readonly types: ReadonlySet<string>;
  string_(maxLength: number | undefined, key: boolean): string;
  readonly integer: string;
  readonly double: string;
  decimal(precision: number, scale: number): string;
  readonly boolean_: string;
  timestamp(timezone: boolean): string;
  readonly time: string;
  /** A STRUCT of named fields, or undefined when the dialect has none (JSON instead). */
  struct?(fields: readonly { name: string; type: string; required: boolean; description?: string }[]): string;
  /** An array of an item type, or undefined when the dialect keeps arrays as JSON. */
  array?(item: string, itemIsNested: boolean): string | undefined;
  /** The type of an object or array the dialect cannot spell out. */
  readonly json: string;
  readonly arrayFallback?: string;
  /** How descriptions are written. */
  readonly comments: "comment-on" | "options" | "inline" | "extended-property";
  /** Whether CHECK constraints are accepted; the length function they use. */
  readonly checks?: { length: string; regex?: (column: string, pattern: string) => string };
  readonly unique: boolean;
  /** BigQuery: keys are declared `NOT ENFORCED`. */
  readonly keysNotEnforced?: boolean;
  /** BigQuery: a REPEATED (array) column cannot be NOT NULL. */
  readonly arraysNullable?: boolean;
  /** Whether a STRUCT field can carry NOT NULL. */
  readonly structNotNull?: boolean;
  /** Names that differ only in case are the same name, even quoted (DuckDB, BigQuery, MySQL, SQL Server). */
  readonly caseInsensitive?: boolean;
}

/**
 * The names a dialect can hold side by side: where names ignore case, a later `Order Date` beside
 * `order date` becomes `Order Date_2` (the caller says so), instead of a CREATE TABLE that fails.
 */
export function distinctNames(names: readonly string[], d: SqlDialect): string[] {
  const fold = (n: string) => (d.caseInsensitive ? n.toLowerCase() : n);
  const taken = new Set<string>();
  return names.map((name) => {
    let out = name;
    for (let k = 2; taken.has(fold(out)); k++) out = `${name}_${k}`;
    taken.add(fold(out));
    return out;
  });
}

const doubleQuoted = (id: string) => `"${id.replaceAll('"', '""')}"`;
const standardString = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** Backslash is an escape character in these dialects' strings, so it is escaped too. */
const backslashString = (s: string) =>
  `'${s
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")}'`;
const sqlBoolean = (b: boolean) => (b ? "TRUE" : "FALSE");
const words = (list: string) => new Set(list.split(/\s+/).filter(Boolean));

const postgres: SqlDialect = {
  name: "postgres",
  title: "PostgreSQL",
  quote: doubleQuoted,
  string: standardString,
  boolean: sqlBoolean,
  types: words(`smallint integer int int2 int4 int8 bigint serial bigserial smallserial numeric decimal real float
    float4 float8 double money varchar character char text citext uuid bytea boolean bool date timestamp timestamptz
    time timetz interval json jsonb inet cidr xml bit`),
  string_: (n) => (n === undefined ? "TEXT" : `VARCHAR(${n})`),
  integer: "BIGINT",
  double: "DOUBLE PRECISION",
  decimal: (p, s) => `NUMERIC(${p},${s})`,
  boolean_: "BOOLEAN",
  timestamp: (tz) => (tz ? "TIMESTAMPTZ" : "TIMESTAMP"),
  time: "TIME",
  // Objects are JSONB, so an array of objects is JSONB[] and keeps being an array.
  array: (item) => `${item}[]`,
  json: "JSONB",
  comments: "comment-on",
  checks: { length: "char_length", regex: (c, p) => `${c} ~ ${p}` },
  unique: true,
};

const duckdb: SqlDialect = {
  name: "duckdb",
  caseInsensitive: true,
  title: "DuckDB",
  quote: doubleQuoted,
  string: standardString,
  boolean: sqlBoolean,
  types: words(`tinyint smallint integer int bigint hugeint utinyint usmallint uinteger ubigint uhugeint int1 int2 int4
    int8 decimal numeric real float float4 double float8 varchar char bpchar text string uuid blob bytea boolean bool
    date timestamp timestamptz datetime time timetz interval json map union`),
  string_: () => "VARCHAR",
  integer: "BIGINT",
  double: "DOUBLE",
  decimal: (p, s) => `DECIMAL(${p},${s})`,
  boolean_: "BOOLEAN",
  timestamp: (tz) => (tz ? "TIMESTAMPTZ" : "TIMESTAMP"),
  time: "TIME",
  struct: (fields) => `STRUCT(${fields.map((f) => `${doubleQuoted(f.name)} ${f.type}`).join(", ")})`,
  array: (item) => `${item}[]`,
  json: "JSON",
  comments: "comment-on",
  checks: { length: "length", regex: (c, p) => `regexp_matches(${c}, ${p})` },
  unique: true,
};

const snowflake: SqlDialect = {
  name: "snowflake",
  title: "Snowflake",
  quote: doubleQuoted,
  string: backslashString,
  boolean: sqlBoolean,
  types: words(`number numeric decimal int integer bigint smallint tinyint byteint float float4 float8 double real
    varchar char character string text binary varbinary boolean date datetime time timestamp timestamp_ltz
    timestamp_ntz timestamp_tz variant object array geography`),
  string_: (n) => (n === undefined ? "VARCHAR" : `VARCHAR(${n})`),
  integer: "BIGINT",
  double: "FLOAT",
  decimal: (p, s) => `NUMBER(${p},${s})`,
  boolean_: "BOOLEAN",
  timestamp: (tz) => (tz ? "TIMESTAMP_TZ" : "TIMESTAMP_NTZ"),
  time: "TIME",
  json: "VARIANT",
  arrayFallback: "ARRAY",
  comments: "comment-on",
  unique: true,
};

const bigquery: SqlDialect = {
  name: "bigquery",
  caseInsensitive: true,
  title: "BigQuery",
  quote: (id) => `\`${id.replace(/[\\`]/g, (c) => `\\${c}`)}\``,
  string: backslashString,
  boolean: sqlBoolean,
  types: words(`int64 int smallint integer bigint tinyint byteint numeric decimal bignumeric bigdecimal float64 bool
    string bytes date datetime time timestamp json geography interval`),
  string_: (n) => (n === undefined ? "STRING" : `STRING(${n})`),
  integer: "INT64",
  double: "FLOAT64",
  decimal: (p, s) => (p - s > 29 || s > 9 ? `BIGNUMERIC(${p},${s})` : `NUMERIC(${p},${s})`),
  boolean_: "BOOL",
  timestamp: () => "TIMESTAMP",
  time: "TIME",
  struct: (fields) =>
    `STRUCT<${fields
      .map(
        (f) =>
          `${bigquery.quote(f.name)} ${f.type}${f.required ? " NOT NULL" : ""}${f.description !== undefined ? ` OPTIONS(description = ${backslashString(f.description)})` : ""}`,
      )
      .join(", ")}>`,
  // BigQuery has no arrays of arrays.
  array: (item) => (item.startsWith("ARRAY<") ? undefined : `ARRAY<${item}>`),
  json: "JSON",
  comments: "options",
  unique: false,
  keysNotEnforced: true,
  arraysNullable: true,
  structNotNull: true,
};

const mysql: SqlDialect = {
  name: "mysql",
  caseInsensitive: true,
  title: "MySQL",
  quote: (id) => `\`${id.replaceAll("`", "``")}\``,
  string: backslashString,
  boolean: sqlBoolean,
  types: words(`tinyint smallint mediumint int integer bigint decimal numeric float double real bit boolean bool char
    varchar text tinytext mediumtext longtext binary varbinary blob date datetime timestamp time year json enum`),
  // A key cannot be TEXT in MySQL, so a key without a length gets one.
  string_: (n, key) => (n !== undefined ? `VARCHAR(${n})` : key ? "VARCHAR(255)" : "TEXT"),
  integer: "BIGINT",
  double: "DOUBLE",
  decimal: (p, s) => `DECIMAL(${p},${s})`,
  boolean_: "BOOLEAN",
  timestamp: (tz) => (tz ? "TIMESTAMP" : "DATETIME"),
  time: "TIME",
  json: "JSON",
  comments: "inline",
  checks: { length: "CHAR_LENGTH", regex: (c, p) => `REGEXP_LIKE(${c}, ${p})` },
  unique: true,
};

const sqlserver: SqlDialect = {
  name: "sqlserver",
  caseInsensitive: true,
  title: "SQL Server",
  quote: (id) => `[${id.replaceAll("]", "]]")}]`,
  string: (s) => `N${standardString(s)}`,
  boolean: (b) => (b ? "1" : "0"),
  types: words(`bit tinyint smallint int bigint decimal numeric money smallmoney float real char varchar nchar
    nvarchar text ntext binary varbinary date datetime datetime2 datetimeoffset smalldatetime time uniqueidentifier xml`),
  // NVARCHAR(MAX) cannot be a key; 450 characters is the longest key SQL Server indexes.
  string_: (n, key) => (n !== undefined ? `NVARCHAR(${n})` : key ? "NVARCHAR(450)" : "NVARCHAR(MAX)"),
  integer: "BIGINT",
  double: "FLOAT",
  decimal: (p, s) => `DECIMAL(${p},${s})`,
  boolean_: "BIT",
  timestamp: (tz) => (tz ? "DATETIMEOFFSET" : "DATETIME2"),
  time: "TIME",
  json: "NVARCHAR(MAX)",
  comments: "extended-property",
  checks: { length: "LEN" },
  unique: true,
};

export const dialects: Readonly<Record<SqlDialectName, SqlDialect>> = {
  postgres,
  duckdb,
  snowflake,
  bigquery,
  mysql,
  sqlserver,
};
