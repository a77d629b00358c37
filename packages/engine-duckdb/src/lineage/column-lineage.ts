import { DuckDbDialect, InputError } from "@quanta/core";
import { type DuckDBConnection, DuckDBInstance } from "../duckdb-api.js";
import { instanceOptions } from "../lock-down.js";
import { lineageOfTrees } from "./lineage-of-trees.js";
import type { ColumnLineage, LineageInputs, LineageStatement } from "./lineage-types.js";

type Node = Record<string, unknown>;
const dialect = new DuckDbDialect();

/**
 * One in-memory DuckDB for the whole process, only to parse: SQL reaches it as a parameter of
 * `json_serialize_sql`, which never runs it, and it holds no data. Opened at the first call.
 */
let parser: Promise<{ conn: DuckDBConnection; aggregates: ReadonlySet<string> }> | undefined;

function openParser() {
  parser ??= (async () => {
    const instance = await DuckDBInstance.create(":memory:", { ...instanceOptions, enable_external_access: "false" });
    const conn = await instance.connect();
    // Which functions aggregate is DuckDB's to say, macros included.
    const rows = await conn.runAndReadAll(
      "SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'aggregate'",
    );
    return { conn, aggregates: new Set(rows.getRows().map((r) => String(r[0]))) };
  })().catch((e: unknown) => {
    parser = undefined;
    throw e;
  });
  return parser;
}

/** One statement at a time on the parser's one connection, whoever calls. */
let queue: Promise<unknown> = Promise.resolve();
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const run = queue.then(work, work);
  queue = run.catch(() => undefined);
  return run;
}

/** `json_serialize_sql` writes positions as 64-bit integers that JSON.parse cannot keep; they are not needed. */
const parse = (text: string) => JSON.parse(text, (k, v) => (k === "query_location" ? undefined : v)) as Node;

async function tree(conn: DuckDBConnection, s: LineageStatement): Promise<Node> {
  const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)::VARCHAR", [s.sql]);
  const parsed = parse(String(reader.getRows()[0]?.[0] ?? "{}"));
  if (parsed.error === true) {
    const message = String(parsed.error_message ?? "parse error");
    throw new InputError(
      message.includes("Only SELECT")
        ? `statement "${s.name}" is not a SELECT: column lineage follows SELECT statements only`
        : `statement "${s.name}" does not parse: ${message.split("\n")[0]}`,
      { code: message.includes("Only SELECT") ? "lineage-not-select" : "lineage-parse-error" },
    );
  }
  const statements = Array.isArray(parsed.statements) ? parsed.statements : [];
  if (statements.length !== 1)
    throw new InputError(
      `statement "${s.name}" holds ${statements.length} statements; column lineage takes one SELECT`,
      {
        code: "lineage-not-select",
      },
    );
  return parsed;
}

/**
 * An unaliased expression's column is named by DuckDB's printer (`(amount * 2)`, `count_star()`),
 * so a later statement can read it by that name as DuckDB would: the printer is asked for each.
 */
async function nameExpressions(conn: DuckDBConnection, parsed: Node): Promise<void> {
  const unnamed: Node[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) walk(v);
    else if (typeof value === "object" && value !== null) {
      const node = value as Node;
      if (node.type === "SELECT_NODE" && Array.isArray(node.select_list))
        for (const e of node.select_list as Node[])
          if (!e.alias && !["COLUMN_REF", "STAR", "POSITIONAL_REFERENCE"].includes(String(e.class))) unnamed.push(e);
      for (const v of Object.values(node)) walk(v);
    }
  };
  walk(parsed.statements);
  for (const e of unnamed) {
    const one = {
      error: false,
      statements: [
        {
          node: {
            type: "SELECT_NODE",
            modifiers: [],
            cte_map: { map: [] },
            select_list: [e],
            from_table: { type: "EMPTY", alias: "", sample: null },
            where_clause: null,
            group_expressions: [],
            group_sets: [],
            aggregate_handling: "STANDARD_HANDLING",
            having: null,
            sample: null,
            qualify: null,
          },
          named_param_map: [],
        },
      ],
    };
    const printed = await conn
      .runAndReadAll("SELECT json_deserialize_sql($1::JSON)", [JSON.stringify(one)])
      .then((r) => String(r.getRows()[0]?.[0] ?? ""))
      .catch(() => "");
    if (printed.startsWith("SELECT ")) e.alias = printed.slice("SELECT ".length);
  }
}

/** The columns each table's row filters read, from their parse tree (each filter parsed, never run). */
async function filteredColumns(conn: DuckDBConnection, inputs: LineageInputs): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, filters] of Object.entries(inputs.rowFilters ?? {})) {
    const columns = new Set<string>();
    for (const filter of filters) {
      const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)::VARCHAR", [
        `SELECT 1 FROM ${dialect.quoteIdentifier(table)} WHERE (${filter})`,
      ]);
      const collect = (value: unknown) => {
        if (Array.isArray(value)) for (const v of value) collect(v);
        else if (typeof value === "object" && value !== null) {
          const node = value as Node;
          const names = node.class === "COLUMN_REF" && Array.isArray(node.column_names) ? node.column_names : [];
          if (names.length > 0) columns.add(String(names[names.length - 1]));
          for (const v of Object.values(node)) collect(v);
        }
      };
      const parsed = parse(String(reader.getRows()[0]?.[0] ?? "{}"));
      // A filter that does not parse is the view's problem (the read fails); lineage names what it can.
      const statement = Array.isArray(parsed.statements) ? (parsed.statements[0] as Node | undefined) : undefined;
      collect((statement?.node as Node | undefined)?.where_clause);
    }
    out[table] = [...columns];
  }
  return out;
}

/**
 * Column lineage of a chain of SELECT statements (a pipeline's steps; a product's declared SQL):
 * for each column of the last one, the input columns feeding it (through earlier statements,
 * CTEs, subqueries, joins, `*`, set operations) and how, in OpenLineage's terms, and the input
 * columns that decide its rows. Read on DuckDB's own parse tree. A statement that is not one
 * SELECT is an InputError; a column or table the walk cannot place is an issue, and the output
 * column it reaches lists it as `unknown`.
 */
export async function columnLineage(
  statements: readonly LineageStatement[],
  inputs: LineageInputs,
): Promise<ColumnLineage> {
  if (statements.length === 0)
    throw new InputError("column lineage needs at least one statement", { code: "lineage-empty" });
  const { conn, aggregates } = await openParser();
  return exclusive(async () => {
    const trees: { name: string; tree: Node }[] = [];
    for (const s of statements) {
      const parsed = await tree(conn, s);
      await nameExpressions(conn, parsed);
      trees.push({ name: s.name, tree: parsed });
    }
    return lineageOfTrees(trees, inputs, aggregates, await filteredColumns(conn, inputs));
  });
}
