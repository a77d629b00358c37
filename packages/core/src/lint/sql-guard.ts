import nodeSqlParser from "node-sql-parser/build/postgresql.js";
import { lexSql, type SqlToken } from "./sql-lexer.js";

export type SqlProblemCode =
  | "sql-syntax-error"
  | "sql-not-read-only"
  | "sql-multiple-statements"
  | "sql-select-into"
  | "sql-file-access";

export interface SqlProblem {
  code: SqlProblemCode;
  message: string;
  /** Offset in the query as written (placeholders keep their length when substituted). */
  offset: number;
}

/** Statements that change data, schema, settings or the session, or reach outside the database. */
const writeKeywords = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "upsert",
  "replace",
  "drop",
  "create",
  "alter",
  "truncate",
  "rename",
  "grant",
  "revoke",
  "attach",
  "detach",
  "copy",
  "pragma",
  "set",
  "reset",
  "install",
  "load",
  "call",
  "do",
  "execute",
  "prepare",
  "deallocate",
  "vacuum",
  "analyze",
  "explain",
  "checkpoint",
  "export",
  "import",
  "use",
  "begin",
  "start",
  "commit",
  "rollback",
  "savepoint",
  "release",
  "lock",
  "listen",
  "notify",
  "unlisten",
  "refresh",
  "reindex",
  "cluster",
  "comment",
  "security",
  "discard",
  "summarize",
  "describe",
  "show",
]);
/** Reserved words that can only start a write, so they are refused even inside parentheses. */
const nestedWriteKeywords = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "drop",
  "create",
  "alter",
  "truncate",
  "grant",
  "revoke",
]);

/** Functions that read files, other databases, the environment, or stall the server. */
const fileFunctions = new Set([
  "glob",
  "query",
  "query_table",
  "getenv",
  "sniff_csv",
  "pg_stat_file",
  "pg_sleep",
  "pg_sleep_for",
  "pg_sleep_until",
  "pg_terminate_backend",
  "pg_cancel_backend",
  "pg_reload_conf",
  "set_config",
  "current_setting",
  "dblink",
  "dblink_exec",
  "lo_import",
  "lo_export",
  "lo_get",
  "lo_open",
  "copy_from",
  "load_extension",
  "read_blob",
  "read_text",
]);
const filePrefixes = [
  "read_",
  "pg_read_",
  "pg_ls_",
  "parquet_",
  "iceberg_",
  "delta_",
  "sqlite_",
  "postgres_",
  "mysql_",
  "dblink_",
  "lo_",
];
const fileSuffixes = ["_scan"];

export function isFileFunction(name: string): boolean {
  const n = name.toLowerCase();
  return fileFunctions.has(n) || filePrefixes.some((p) => n.startsWith(p)) || fileSuffixes.some((s) => n.endsWith(s));
}

/** Known placeholder names that Quanta substitutes when it runs a contract's SQL. */
export const sqlPlaceholders = ["object", "property", "table", "column", "model", "field", "schema"] as const;

const placeholderPattern = /\$\{\s*([A-Za-z_][\w.]*)\s*\}|\{\s*([A-Za-z_][\w.]*)\s*\}/g;

/** Every `{name}` / `${name}` placeholder in a query, with its offset. */
export function placeholderUses(query: string): { name: string; offset: number }[] {
  return [...query.matchAll(placeholderPattern)].map((m) => ({ name: m[1] ?? m[2] ?? "", offset: m.index }));
}

/**
 * Replaces `${table}`, `{object}`, ... with plain identifiers of the same length, so the parser sees
 * valid SQL and every offset it reports is still the offset in the query the owner wrote.
 */
export function substitutePlaceholders(query: string): string {
  return query.replace(placeholderPattern, (m) => `q${"_".repeat(m.length - 1)}`);
}

/** Splits at top-level `;` (outside strings and comments); returns non-empty statements' first tokens. */
function statements(tokens: readonly SqlToken[]): SqlToken[][] {
  const out: SqlToken[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === ";") out.push([]);
    else out[out.length - 1]?.push(t);
  }
  return out.filter((s) => s.length > 0);
}

const parser = new nodeSqlParser.Parser();

interface PegError {
  message: string;
  location?: { start?: { offset?: number } };
  found?: string | null;
  expected?: { type: string; text?: string; description?: string }[];
}

function syntaxMessage(error: PegError): string {
  const found = error.found === null || error.found === undefined ? "end of query" : JSON.stringify(error.found);
  const expected = [
    ...new Set(
      (error.expected ?? [])
        .filter((e) => e.type === "literal" && e.text && /^[A-Z]/.test(e.text))
        .map((e) => e.text as string),
    ),
  ];
  const hint = expected.length
    ? ` (expected ${expected.slice(0, 6).join(", ")}${expected.length > 6 ? ", …" : ""})`
    : "";
  return `SQL syntax error at ${found}${hint}`;
}

/** Visits every object in the parser's AST. */
function walk(node: unknown, visit: (n: Record<string, unknown>) => void, depth = 0): void {
  if (depth > 500 || typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit, depth + 1);
    return;
  }
  visit(node as Record<string, unknown>);
  for (const v of Object.values(node)) walk(v, visit, depth + 1);
}

function functionName(node: Record<string, unknown>): string | undefined {
  if (node.type !== "function") return undefined;
  const name = node.name as { name?: { value?: unknown }[] } | string | undefined;
  if (typeof name === "string") return name;
  const parts = name?.name ?? [];
  const last = parts[parts.length - 1]?.value;
  return typeof last === "string" ? last : undefined;
}

/** Where a word (or quoted identifier) appears in the query, for positions the AST does not keep. */
function offsetOf(tokens: readonly SqlToken[], word: string, followedBy?: string): number {
  const i = tokens.findIndex(
    (t, k) =>
      (t.kind === "word" || t.kind === "quoted") &&
      t.text.toLowerCase() === word.toLowerCase() &&
      (followedBy === undefined || tokens[k + 1]?.text === followedBy),
  );
  return tokens[i]?.offset ?? 0;
}

/**
 * Proves that `query` is exactly one read-only SELECT that touches no files; otherwise says why.
 * Never executes anything: a real parser reads the query, a lexer gives positions.
 */
export function guardSql(query: string): SqlProblem[] {
  const sql = substitutePlaceholders(query);
  const tokens = lexSql(sql);
  const stmts = statements(tokens);
  if (stmts.length === 0) return [{ code: "sql-syntax-error", message: "query is empty", offset: 0 }];
  const problems: SqlProblem[] = [];
  if (stmts.length > 1) {
    problems.push({
      code: "sql-multiple-statements",
      message: `query holds ${stmts.length} statements; a quality rule runs exactly one SELECT`,
      offset: stmts[1]?.[0]?.offset ?? 0,
    });
  }
  for (const stmt of stmts) {
    const first = stmt.find((t) => t.kind !== "punct");
    if (first?.kind === "word" && writeKeywords.has(first.text)) {
      problems.push({
        code: "sql-not-read-only",
        message: `${first.text.toUpperCase()} is not allowed: a quality rule may only read (SELECT or WITH … SELECT)`,
        offset: first.offset,
      });
    }
    stmt.forEach((t, k) => {
      const prev = stmt[k - 1];
      if (t.kind === "word" && nestedWriteKeywords.has(t.text) && prev?.text === "(") {
        problems.push({
          code: "sql-not-read-only",
          message: `${t.text.toUpperCase()} is not allowed inside a quality query`,
          offset: t.offset,
        });
      }
      // DuckDB reads a file for a string in FROM/JOIN: `FROM 'data.csv'`.
      if (t.kind === "string" && prev?.kind === "word" && (prev.text === "from" || prev.text === "join")) {
        problems.push({
          code: "sql-file-access",
          message: `FROM ${JSON.stringify(t.text)} reads a file; query tables through placeholders or names`,
          offset: t.offset,
        });
      }
    });
  }
  if (problems.length > 0) return problems;

  let ast: unknown;
  try {
    ast = parser.astify(sql, { database: "postgresql" });
  } catch (error) {
    const e = error as PegError;
    return [{ code: "sql-syntax-error", message: syntaxMessage(e), offset: e.location?.start?.offset ?? 0 }];
  }
  const roots = Array.isArray(ast) ? ast : [ast];
  for (const root of roots) {
    const type = (root as { type?: unknown })?.type;
    if (type !== "select") {
      problems.push({
        code: "sql-not-read-only",
        message: `${String(type).toUpperCase()} is not allowed: a quality rule may only read`,
        offset: tokens[0]?.offset ?? 0,
      });
    }
  }
  walk(ast, (node) => {
    const into = node.into as { expr?: unknown; position?: unknown } | undefined;
    if (node.type === "select" && into && (into.expr || into.position)) {
      problems.push({
        code: "sql-select-into",
        message: "SELECT … INTO writes a table; a quality rule may only read",
        offset: offsetOf(tokens, "into"),
      });
    }
    const name = functionName(node);
    if (name && isFileFunction(name)) {
      problems.push({
        code: "sql-file-access",
        message: `function ${name}() reads files, other databases or server state; it is not allowed in a quality query`,
        offset: offsetOf(tokens, name, "("),
      });
    }
  });
  return problems;
}
