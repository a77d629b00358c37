import { EngineError, PostgresDialect, UnprocessableError } from "@quanta/core";
import type { ReadDataset } from "@quanta/core/engines";
import type pg from "pg";
import { judgeRowFilter } from "./consumer-guard.js";

const dialect = new PostgresDialect();

/** One column as the dataset serves it. */
export interface ServedColumn {
  name: string;
  /** The table column's type, as `format_type` prints it. */
  type: string;
  masked: boolean;
}

/** The SELECT serving one dataset masked and filtered, and what it was made from. */
export interface MaskedSelect {
  /** `SELECT "a", '***'::text AS "email", NULL::integer AS "age" FROM "s"."t" WHERE (f1) AND (f2)` */
  sql: string;
  /** `"schema"."table"` */
  relation: string;
  columns: ServedColumn[];
}

/** A table source's schema and table, or why this engine cannot read the dataset. */
export function tableOf(dataset: ReadDataset, defaultSchema: string): { schema: string; table: string } {
  const source = dataset.source;
  if (source.kind !== "table" || source.database !== undefined) {
    throw new UnprocessableError(
      `dataset "${dataset.name}" is ${source.kind === "files" ? "a set of files" : "a table of a database file"}, which PostgreSQL does not read`,
      { code: "engine-mismatch" },
    );
  }
  return { schema: source.schema ?? defaultSchema, table: source.table };
}

// The catalog, not information_schema: it lists views, materialized views and foreign tables too,
// and a table this role may not read is still found (its scan then says "permission denied").
// `format_type` spells each type as the session's search_path resolves it, so the casts below
// mean the same types in the same session.
const columnsSql = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
ORDER BY a.attnum`;

/**
 * What a masked column serves: `'***'` for text types (category `S`: text, varchar, char, name,
 * domains over them), so a reader sees that something is hidden; NULL of the column's own type for
 * every other type, so a masked date stays a date and sums and filters keep working.
 */
function maskExpression(column: { name: string; type: string; category: string }): string {
  const value = column.category === "S" ? "'***'::text" : `NULL::${column.type}`;
  return `${value} AS ${dialect.quoteIdentifier(column.name)}`;
}

/**
 * Introspects the dataset's table on `client` (in the caller's transaction and session settings)
 * and writes the SELECT that serves it: every column in table order, masked columns (matched
 * case-insensitively, as the DuckDB engine does) replaced, each row filter ANDed in its own
 * parentheses on lines of its own. A missing table is an `EngineError` naming `schema.table`; a
 * masked column the table does not have, or a row filter that is not one expression over its
 * columns, an `UnprocessableError` (the port serves nothing until it is fixed).
 */
export async function maskedSelect(
  client: pg.ClientBase,
  dataset: ReadDataset,
  defaultSchema: string,
): Promise<MaskedSelect> {
  const { schema, table } = tableOf(dataset, defaultSchema);
  const relation = `${dialect.quoteIdentifier(schema)}.${dialect.quoteIdentifier(table)}`;
  let rows: { name: string | null; type: string | null; category: string | null }[];
  try {
    rows = (await client.query(columnsSql, [schema, table])).rows;
  } catch (e) {
    throw new EngineError(`cannot read the columns of ${schema}.${table}: ${(e as Error).message}`, {
      sql: columnsSql,
      cause: e,
    });
  }
  if (rows.length === 0) {
    throw new EngineError(`table ${schema}.${table} of dataset "${dataset.name}" does not exist`, {
      code: "table-not-found",
    });
  }
  const columns = rows
    .filter((r) => r.name !== null)
    .map((r) => ({ name: String(r.name), type: String(r.type), category: String(r.category) }));
  const masked = new Set(dataset.masked.map((m) => m.toLowerCase()));
  const unknown = [...masked].filter((m) => !columns.some((c) => c.name.toLowerCase() === m));
  if (unknown.length > 0) {
    throw new UnprocessableError(
      `dataset "${dataset.name}" masks ${unknown.map((m) => JSON.stringify(m)).join(", ")}, which ${schema}.${table} does not have; the port serves no data until it is fixed`,
      { code: "masked-column-unknown" },
    );
  }
  for (const filter of dataset.rowFilters) {
    const verdict = judgeRowFilter(filter);
    if (!verdict.ok) {
      throw new UnprocessableError(
        `the row filter ${JSON.stringify(filter)} of "${dataset.name}" is refused: ${verdict.reason}; the port serves no data until it is fixed`,
        { code: "row-filter-invalid" },
      );
    }
  }
  const served = columns.map((c) => ({ ...c, masked: masked.has(c.name.toLowerCase()) }));
  const list = served.map((c) => (c.masked ? maskExpression(c) : dialect.quoteIdentifier(c.name)));
  const where = dataset.rowFilters.map((f) => `(\n${f}\n)`).join(" AND ");
  return {
    sql: `SELECT ${list.join(", ")} FROM ${relation}${where ? ` WHERE ${where}` : ""}`,
    relation,
    columns: served.map(({ name, type, masked }) => ({ name, type, masked })),
  };
}
