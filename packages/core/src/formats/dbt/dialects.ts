import type { LogicalType, SchemaItemProperty, SchemaProperty } from "../../spec/odcs/model.js";
import { decimalOf, logicalTypeOf, propertiesOf } from "../contract-view.js";

/** The warehouses a dbt export writes column types and quoting for. */
export const dbtDialects = ["postgres", "duckdb", "snowflake", "bigquery"] as const;
export type DbtDialect = (typeof dbtDialects)[number];

interface DialectTypes {
  string: (maxLength: number | undefined) => string;
  integer: (width: "smallint" | "integer" | "bigint") => string;
  decimal: (precision: number, scale: number) => string;
  float: string;
  boolean: string;
  date: string;
  time: string;
  timestamp: (withZone: boolean) => string;
  object: string;
  array: (item: string) => string;
  /** An identifier, quoted. */
  quote: (name: string) => string;
  /** Whether a name must be quoted (Snowflake: quoting makes a name case-sensitive, so only when needed). */
  alwaysQuote: boolean;
}

const doubleQuote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Per warehouse: its spelling of each type, as `dbt` compares them when a contract is enforced. */
const dialects: Readonly<Record<DbtDialect, DialectTypes>> = {
  postgres: {
    string: (n) => (n === undefined ? "text" : `varchar(${n})`),
    integer: (w) => w,
    decimal: (p, s) => `numeric(${p},${s})`,
    float: "double precision",
    boolean: "boolean",
    date: "date",
    time: "time",
    timestamp: (tz) => (tz ? "timestamptz" : "timestamp"),
    object: "jsonb",
    array: (item) => `${item}[]`,
    quote: doubleQuote,
    alwaysQuote: true,
  },
  duckdb: {
    string: () => "varchar",
    integer: (w) => w,
    decimal: (p, s) => `decimal(${p},${s})`,
    float: "double",
    boolean: "boolean",
    date: "date",
    time: "time",
    timestamp: (tz) => (tz ? "timestamptz" : "timestamp"),
    object: "json",
    array: (item) => `${item}[]`,
    quote: doubleQuote,
    alwaysQuote: true,
  },
  snowflake: {
    string: (n) => (n === undefined ? "varchar" : `varchar(${n})`),
    integer: () => "integer",
    decimal: (p, s) => `number(${p},${s})`,
    float: "float",
    boolean: "boolean",
    date: "date",
    time: "time",
    timestamp: (tz) => (tz ? "timestamp_tz" : "timestamp_ntz"),
    object: "object",
    array: () => "array",
    quote: doubleQuote,
    alwaysQuote: false,
  },
  bigquery: {
    string: () => "string",
    integer: () => "int64",
    decimal: (p, s) => `numeric(${p},${s})`,
    float: "float64",
    boolean: "bool",
    date: "date",
    time: "time",
    timestamp: (tz) => (tz ? "timestamp" : "datetime"),
    object: "json",
    array: (item) => `array<${item}>`,
    quote: (name) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``,
    alwaysQuote: true,
  },
};

/** The column type of a property in a dialect: from its physical type's kind where that says more, else its logical type. */
export function columnType(property: SchemaProperty | SchemaItemProperty, dialect: DbtDialect): string {
  const d = dialects[dialect];
  const logical: LogicalType = logicalTypeOf(property);
  const physical = property.physicalType?.trim().toLowerCase() ?? "";
  const options = (property.logicalTypeOptions ?? {}) as Record<string, unknown>;
  switch (logical) {
    case "string": {
      // The physical type's length is the column's; else the longest value the contract allows.
      const declared = /^(?:varchar|character varying|nvarchar|char|character|string)\s*\(\s*(\d+)\s*\)$/.exec(
        physical,
      );
      const length = declared ? Number(declared[1]) : options.maxLength;
      return d.string(typeof length === "number" ? length : undefined);
    }
    case "integer":
      return d.integer(
        /^(smallint|int2|tinyint|int16)$/.test(physical)
          ? "smallint"
          : /^(integer|int|int4|int32)$/.test(physical)
            ? "integer"
            : "bigint",
      );
    case "number": {
      const decimal = decimalOf(property.physicalType);
      return decimal ? d.decimal(decimal.precision, decimal.scale) : d.float;
    }
    case "boolean":
      return d.boolean;
    case "date":
      return d.date;
    case "time":
      return d.time;
    case "timestamp":
      return d.timestamp(options.timezone === true || /tz|with time zone|timestamp_ltz/.test(physical));
    case "object":
      return d.object;
    case "array": {
      const items = property.items;
      if (dialect === "snowflake") return d.array("");
      const item =
        items === undefined
          ? d.string(undefined)
          : logicalTypeOf(items) === "object" || propertiesOf(items).length > 0
            ? d.object
            : logicalTypeOf(items) === "array"
              ? d.object
              : columnType(items, dialect);
      return d.array(item);
    }
  }
}

/** A plain lower-case identifier no dialect needs quoted (reserved words aside). */
const plain = /^[a-z_][a-z0-9_]*$/;

/** SQL words the four dialects reserve (the common core): such names are always quoted. */
const reserved = new Set(
  "all and any array as asc between both by case cast check collate column constraint create cross current_date current_time current_timestamp current_user default desc distinct do else end except exists false fetch for foreign from full grant group having in inner intersect interval into is join lateral leading left like limit natural not null offset on only or order outer primary qualify references right row rows select session_user some table then to trailing true union unique user using values when where window with".split(
    " ",
  ),
);

/** Whether the column needs `quote: true` in schema.yml (the name is not a plain identifier). */
export function needsQuote(name: string): boolean {
  return !plain.test(name) || reserved.has(name);
}

/** A column in SQL of the dialect: quoted (Snowflake only when needed, as quoting makes it case-sensitive). */
export function quoteIdentifier(name: string, dialect: DbtDialect): string {
  const d = dialects[dialect];
  return d.alwaysQuote || needsQuote(name) ? d.quote(name) : name;
}
