/** PostgreSQL's types (as `format_type` prints them, modifiers dropped) and the standard SQL type each is read as. */
const standard: Record<string, string> = {
  smallint: "SMALLINT",
  integer: "INTEGER",
  bigint: "BIGINT",
  real: "REAL",
  "double precision": "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
  "timestamp without time zone": "TIMESTAMP",
  "timestamp with time zone": "TIMESTAMPTZ",
  "time without time zone": "TIME",
  uuid: "UUID",
  text: "VARCHAR",
  "character varying": "VARCHAR",
  character: "VARCHAR",
  // Unconstrained numeric has no precision a DECIMAL can hold: read as DOUBLE, as DuckDB's own scanner does.
  numeric: "DOUBLE",
};

/** DECIMAL's largest precision in DuckDB (and most engines short of PostgreSQL). */
const maxDecimalPrecision = 38;

/**
 * The standard SQL type a PostgreSQL column's values (as `row_to_json` writes them) are read as:
 * numbers, booleans, dates and times as themselves, `numeric(p,s)` as DECIMAL when it fits,
 * everything else (arrays, records, json, intervals, bytea, enums) as VARCHAR holding its text or
 * JSON.
 */
export function portableType(type: string): string {
  if (type.endsWith("]")) return "VARCHAR";
  const decimal = /^numeric\((\d+),(\d+)\)$/.exec(type);
  if (decimal) {
    const [p, s] = [Number(decimal[1]), Number(decimal[2])];
    return p <= maxDecimalPrecision ? `DECIMAL(${p},${s})` : "DOUBLE";
  }
  const base = type.replace(/\(\d+(,\d+)?\)/, "").trim();
  return standard[base] ?? "VARCHAR";
}
