import type { GuardVerdict } from "@quanta/core";

type Node = Record<string, unknown>;

/** Scalar functions with effects or reaching outside the query's data. */
const forbiddenFunctions = new Set([
  "getenv",
  "setseed",
  "nextval",
  "currval",
  "current_setting",
  "read_text",
  "read_blob",
  "glob",
  // DuckDB has no statement timeout: a rule that sleeps would hold the run (and a server worker).
  "pg_sleep",
  "sleep_ms",
]);

function* walk(value: unknown): Generator<Node> {
  if (Array.isArray(value)) for (const v of value) yield* walk(v);
  else if (typeof value === "object" && value !== null) {
    yield value as Node;
    for (const v of Object.values(value)) yield* walk(v);
  }
}

/**
 * Judges DuckDB's own parse tree (`json_serialize_sql`) of SQL written in a contract: exactly one
 * SELECT, no table functions (read_csv, glob, query …), no file paths as tables, only `tables`
 * (the contract's objects) or its own CTEs as base tables when `tables` is given.
 */
export function judgeParseTree(serialized: string, tables: ReadonlySet<string> | undefined): GuardVerdict {
  let tree: Node;
  try {
    tree = JSON.parse(serialized) as Node;
  } catch {
    return { ok: false, reason: "the SQL could not be parsed" };
  }
  if (tree.error === true) {
    const msg = String(tree.error_message ?? "parse error");
    return { ok: false, reason: /Only SELECT/.test(msg) ? "only a single SELECT statement is allowed" : msg };
  }
  const statements = Array.isArray(tree.statements) ? tree.statements : [];
  if (statements.length !== 1)
    return { ok: false, reason: `exactly one SELECT statement is allowed, found ${statements.length}` };
  const ctes = new Set<string>();
  for (const node of walk(statements)) {
    const map = (node.cte_map as Node | undefined)?.map;
    if (Array.isArray(map)) for (const entry of map) ctes.add(String((entry as Node).key ?? "").toLowerCase());
  }
  for (const node of walk(statements)) {
    if (node.type === "TABLE_FUNCTION") {
      const fn = (node.function as Node | undefined)?.function_name;
      return { ok: false, reason: `table function ${String(fn)} is not allowed in a contract rule` };
    }
    if (node.class === "FUNCTION" && forbiddenFunctions.has(String(node.function_name).toLowerCase())) {
      return { ok: false, reason: `function ${String(node.function_name)} is not allowed in a contract rule` };
    }
    if (node.type === "BASE_TABLE") {
      const name = String(node.table_name ?? "");
      if (/[/\\]|\.(csv|tsv|parquet|json|ndjson|jsonl|txt|db|duckdb|gz|zst)$/i.test(name)) {
        return { ok: false, reason: `reading the file ${JSON.stringify(name)} is not allowed in a contract rule` };
      }
      if (String(node.catalog_name ?? "") !== "" && tables !== undefined) {
        return { ok: false, reason: `table ${JSON.stringify(name)} in another database is not allowed` };
      }
      // A schema-qualified name is one of `tables` only as `schema.name` (a cross-port read's views).
      const schema = String(node.schema_name ?? "").toLowerCase();
      const qualified = schema !== "" && schema !== "main";
      const key = qualified ? `${schema}.${name.toLowerCase()}` : name.toLowerCase();
      if (tables !== undefined && !tables.has(key) && !(!qualified && ctes.has(key))) {
        return {
          ok: false,
          reason: `table ${JSON.stringify(qualified ? `${node.schema_name}.${name}` : name)} is not one of the contract's objects (${[...tables].join(", ")})`,
        };
      }
    }
  }
  return { ok: true };
}
