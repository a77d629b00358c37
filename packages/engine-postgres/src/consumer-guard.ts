import type { GuardVerdict } from "@quanta/core";
import { judgePlan, judgeSqlText, lexPostgres } from "./postgres-guard.js";

/**
 * What SQL read by a consumer (a consume query, a row filter) may do beyond the contract guard
 * (postgres-guard.ts). A consumer reads datasets served masked and filtered, on a session whose
 * role can read much more (the unmasked tables, other schemas), so:
 * - only PostgreSQL's own functions: a call qualified with another schema is refused, and the
 *   session's `search_path` is `pg_catalog, pg_temp`, so an unqualified name finds no user
 *   function (which could read any table with the session's rights);
 * - no built-in that answers from the catalog, the statistics or the statement around the query
 *   rather than from the rows served (`pg_get_viewdef` would show the filter, `current_query()`
 *   the whole wrapper);
 * - balanced parentheses, so a text spliced between the reader's own lines cannot close them.
 */

const catalog = "reads the catalog, not the rows the port serves";
const sizes = "reads storage statistics, not the rows the port serves";
const pastTheRows: Record<string, string> = {
  current_query: "reads the statement the server runs around the query (the masks and row filters)",
  currval: "reads a sequence of the server, not the rows the port serves",
  lastval: "reads a sequence of the server, not the rows the port serves",
  col_description: catalog,
  obj_description: catalog,
  shobj_description: catalog,
  row_security_active: catalog,
  pg_has_role: catalog,
  pg_table_size: sizes,
  pg_total_relation_size: sizes,
  pg_indexes_size: sizes,
  pg_database_size: sizes,
  pg_tablespace_size: sizes,
};
const pastTheRowsPrefixes: readonly (readonly [string, string])[] = [
  ["pg_get_", catalog],
  ["pg_relation_", sizes],
  ["pg_filenode_", catalog],
  ["pg_identify_", catalog],
  ["pg_describe_", catalog],
  ["pg_partition_", catalog],
  ["pg_stat", "reads the server's statistics, not the rows the port serves"],
  ["has_", "reads the privileges of the catalog, not the rows the port serves"],
  ["to_reg", catalog],
];

/** Why a consumer may not call `name`, or undefined. */
export function pastTheRowsReason(name: string): string | undefined {
  const n = name.toLowerCase();
  if (Object.hasOwn(pastTheRows, n)) return pastTheRows[n];
  if (n.endsWith("_is_visible")) return catalog;
  return pastTheRowsPrefixes.find(([p]) => n.startsWith(p))?.[1];
}

const refuse = (reason: string): GuardVerdict => ({ ok: false, reason });
const builtIns = "pg_catalog";

/** The contract guard's lexical pass, then the consumer's rules above. */
/** Parentheses that close only what the text opened, so the text cannot close its wrapper's. */
function unbalanced(tokens: ReturnType<typeof lexPostgres>): GuardVerdict | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== "punct") continue;
    if (t.text === "(") depth++;
    else if (t.text === ")" && --depth < 0) return refuse("a closing parenthesis has no opening one");
  }
  return depth === 0 ? undefined : refuse("the SQL has an unclosed parenthesis");
}

export function judgeConsumerText(sql: string): GuardVerdict {
  const verdict = judgeSqlText(sql);
  if (!verdict.ok) return { ok: false, reason: verdict.reason.replace(" in a contract rule", "") };
  const tokens = lexPostgres(sql);
  const parentheses = unbalanced(tokens);
  if (parentheses) return parentheses;
  for (const [i, t] of tokens.entries()) {
    if (t.kind !== "word") continue;
    const next = tokens[i + 1];
    if (next?.kind !== "punct" || next.text !== "(") continue;
    const dot = tokens[i - 1];
    const schema = tokens[i - 2];
    if (dot?.kind === "punct" && dot.text === "." && schema?.kind === "word" && schema.text !== builtIns)
      return refuse(`function ${schema.text}.${t.text}() is not one of PostgreSQL's built-in functions (${builtIns})`);
    if (!t.quoted && t.text === "operator") {
      const opSchema = tokens[i + 2];
      if (opSchema?.kind === "word" && opSchema.text !== builtIns)
        return refuse(`operators of schema ${opSchema.text} are not PostgreSQL's built-in operators (${builtIns})`);
    }
    const why = pastTheRowsReason(t.text);
    if (why) return refuse(`function ${t.text.toLowerCase()}() ${why}`);
  }
  return { ok: true };
}

/**
 * A producer's row filter: one boolean expression over the dataset's own columns, judged as the
 * consumer's SQL is, without subqueries (a filter reading another table would be the producer's SQL
 * running with the reader's rights, beyond the port).
 */
export function judgeRowFilter(filter: string): GuardVerdict {
  const tokens = lexPostgres(filter);
  if (tokens.some((t) => t.kind === "word" && !t.quoted && ["select", "values", "table"].includes(t.text)))
    return refuse("a row filter is an expression over the dataset's columns, not a subquery");
  if (!tokens.some((t) => t.kind === "unterminated")) {
    const parentheses = unbalanced(tokens);
    if (parentheses) return parentheses;
  }
  return judgeConsumerText(`SELECT 1 FROM quanta_rows WHERE (\n${filter}\n)`);
}

type PlanNode = Record<string, unknown>;

/**
 * The server's plan of a consume query (`EXPLAIN (VERBOSE, FORMAT JSON)`) in which each dataset is a
 * MATERIALIZED CTE named in `datasetPlans` (`CTE <name>`): the contract guard's plan pass, then no
 * table, view or foreign table read anywhere but inside those CTEs. The consumer's text cannot be
 * inside them, so whatever it names (`sales.orders` unmasked, `public.secrets`, a view) is refused.
 */
export function judgeConsumerPlan(explained: unknown, datasetPlans: ReadonlySet<string>): GuardVerdict {
  const base = judgePlan(explained);
  if (!base.ok) return { ok: false, reason: base.reason.replace(" in a contract rule", "") };
  const roots = (Array.isArray(explained) ? explained : [explained]).map((e) => (e as PlanNode | null)?.Plan);
  const pending: { node: unknown; inside: boolean }[] = roots.map((node) => ({ node, inside: false }));
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const node = item.node as PlanNode | null | undefined;
    if (typeof node !== "object" || node === null) continue;
    const inside = item.inside || datasetPlans.has(String(node["Subplan Name"] ?? ""));
    const relation = node["Relation Name"];
    if (!inside && typeof relation === "string") {
      const schema = typeof node.Schema === "string" ? `${node.Schema}.` : "";
      return refuse(`the query reads ${schema}${relation}, which is not one of the port's datasets`);
    }
    for (const child of Array.isArray(node.Plans) ? node.Plans : []) pending.push({ node: child, inside });
  }
  return { ok: true };
}
