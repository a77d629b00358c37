import type { Path } from "../../issues.js";
import type { LintContext, LintRule } from "../lint-rule.js";
import { qualityRules } from "../odcs-walk.js";
import { positionInScalar } from "../scalar-position.js";
import { guardSql, placeholderUses, type SqlProblem, type SqlProblemCode, sqlPlaceholders } from "../sql-guard.js";

interface Found {
  path: Path;
  query: string;
  problem: SqlProblem;
}

// Each SQL rule reports one code; the guard runs once per document.
const cache = new WeakMap<object, Found[]>();

function sqlProblems(ctx: LintContext): Found[] {
  const cached = cache.get(ctx.src);
  if (cached) return cached;
  const found: Found[] = [];
  for (const q of qualityRules(ctx.value)) {
    if (q.node.type !== "sql" || typeof q.node.query !== "string") continue;
    const path = [...q.path, "query"];
    for (const problem of guardSql(q.node.query)) found.push({ path, query: q.node.query, problem });
  }
  cache.set(ctx.src, found);
  return found;
}

function sqlRule(code: SqlProblemCode, description: string): LintRule {
  return {
    code,
    severity: "error",
    description,
    check(ctx) {
      for (const { path, query, problem } of sqlProblems(ctx)) {
        if (problem.code !== code) continue;
        const position = positionInScalar(ctx.src, path, query, problem.offset);
        if (position) ctx.report(path, problem.message, { position });
        else {
          const before = query.slice(0, problem.offset);
          const line = before.split("\n").length;
          const column = problem.offset - before.lastIndexOf("\n");
          ctx.report(path, `${problem.message} (query line ${line}, column ${column})`);
        }
      }
    },
  };
}

export const sqlRules: readonly LintRule[] = [
  sqlRule(
    "sql-syntax-error",
    "An SQL quality rule's `query` that does not parse (placeholders such as `{object}` are substituted first); the position points inside the query.",
  ),
  sqlRule(
    "sql-not-read-only",
    "An SQL quality query that is not a read-only SELECT (INSERT, UPDATE, DELETE, DROP, CREATE, ATTACH, COPY, PRAGMA, SET, INSTALL, LOAD, CALL, …).",
  ),
  sqlRule("sql-multiple-statements", "An SQL quality `query` holding more than one statement."),
  sqlRule("sql-select-into", "An SQL quality query using SELECT … INTO (which creates a table)."),
  sqlRule(
    "sql-file-access",
    "An SQL quality query reading files, other databases or server state (read_csv, read_parquet, read_json, pg_read_file, `FROM 'file.csv'`, …).",
  ),
];

const columnPlaceholders = new Set(["property", "column", "field"]);
const known = new Set<string>(sqlPlaceholders);

function placeholderRule(
  code: string,
  description: string,
  problem: (name: string, level: string) => string | undefined,
): LintRule {
  return {
    code,
    severity: "error",
    description,
    check(ctx) {
      for (const q of qualityRules(ctx.value)) {
        if (q.node.type !== "sql" || typeof q.node.query !== "string") continue;
        const path = [...q.path, "query"];
        for (const use of placeholderUses(q.node.query)) {
          const message = problem(use.name, q.level);
          if (!message) continue;
          const position = positionInScalar(ctx.src, path, q.node.query, use.offset);
          ctx.report(path, message, position ? { position } : {});
        }
      }
    },
  };
}

export const sqlPlaceholderRules: readonly LintRule[] = [
  placeholderRule(
    "sql-placeholder-unknown",
    `A placeholder in an SQL quality query that Quanta does not substitute (known: ${sqlPlaceholders.map((p) => `{${p}}`).join(", ")}, also as \`\${…}\`).`,
    (name) =>
      known.has(name)
        ? undefined
        : `placeholder {${name}} is not substituted when the check runs; use one of ${sqlPlaceholders.map((p) => `{${p}}`).join(", ")}`,
  ),
  placeholderRule(
    "sql-placeholder-out-of-scope",
    "A column placeholder (`{property}`, `{column}`, `{field}`) in an SQL quality rule of a schema object, where there is no property to name.",
    (name, level) =>
      level === "object" && columnPlaceholders.has(name)
        ? `placeholder {${name}} names a property, but this rule belongs to a schema object; write the column name`
        : undefined,
  ),
];
