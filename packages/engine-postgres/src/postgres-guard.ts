import type { GuardVerdict } from "@quanta/core";

/**
 * The read-only guard for SQL written in a contract, in two passes:
 * 1. `judgeSqlText`: PostgreSQL's lexical rules (strings, E'' escapes, $tag$ quoting, nested
 *    comments, quoted identifiers), so a keyword hidden in a string is not a keyword and one
 *    outside a string is never missed: exactly one statement, starting SELECT/WITH/VALUES, no
 *    data-modifying clause, no function reaching files, other servers, settings or sessions.
 * 2. `judgePlan`: the server's own `EXPLAIN (VERBOSE, FORMAT JSON)` of the statement (planned,
 *    never executed): no ModifyTable or row locks, no system catalogs.
 * Then the statement runs in a READ ONLY transaction with a statement timeout (the engine's own
 * enforcement); the role Quanta connects as should only hold SELECT on the data, the real boundary.
 */

type Token =
  | { kind: "word"; text: string; quoted: boolean }
  | { kind: "punct"; text: string }
  | { kind: "literal" }
  | { kind: "unterminated"; what: string };

const wordStart = /[A-Za-z_\u0080-\uffff]/;
const wordPart = /[A-Za-z0-9_$\u0080-\uffff]/;

/** PostgreSQL's lexer, reduced to what the guard needs. */
export function lexPostgres(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const closeQuoted = (quote: string, backslashes: boolean): boolean => {
    // i is just after the opening quote; doubled quotes (and \x in E'' strings) stay inside.
    while (i < n) {
      const c = sql[i];
      if (backslashes && c === "\\") i += 2;
      else if (c === quote) {
        if (sql[i + 1] === quote) i += 2;
        else {
          i++;
          return true;
        }
      } else i++;
    }
    return false;
  };
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) i++;
    else if (c === "-" && next === "-") {
      while (i < n && sql[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      if (depth > 0) return [...tokens, { kind: "unterminated", what: "comment" }];
    } else if (c === "'" || ((c === "E" || c === "e") && next === "'")) {
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      if (!closeQuoted("'", escapes)) return [...tokens, { kind: "unterminated", what: "string" }];
      tokens.push({ kind: "literal" });
    } else if ((c === "U" || c === "u") && next === "&" && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      const quote = sql[i + 2] as string;
      const start = i + 3;
      i += 3;
      if (!closeQuoted(quote, false))
        return [...tokens, { kind: "unterminated", what: quote === "'" ? "string" : "quoted identifier" }];
      // Unicode escapes in a U&"…" name are not decoded: such a name is never a known function.
      tokens.push(quote === "'" ? { kind: "literal" } : { kind: "word", text: sql.slice(start, i - 1), quoted: true });
    } else if (c === '"') {
      const start = ++i;
      if (!closeQuoted('"', false)) return [...tokens, { kind: "unterminated", what: "quoted identifier" }];
      tokens.push({ kind: "word", text: sql.slice(start, i - 1).replaceAll('""', '"'), quoted: true });
    } else if (c === "$") {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag !== null) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end < 0) return [...tokens, { kind: "unterminated", what: "dollar-quoted string" }];
        i = end + tag[0].length;
        tokens.push({ kind: "literal" });
      } else {
        i++;
        while (i < n && /[0-9]/.test(sql[i] as string)) i++;
        tokens.push({ kind: "punct", text: "$" });
      }
    } else if (wordStart.test(c)) {
      const start = i;
      while (i < n && wordPart.test(sql[i] as string)) i++;
      tokens.push({ kind: "word", text: sql.slice(start, i).toLowerCase(), quoted: false });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(next ?? ""))) {
      // Letters glued to a number (1e5, 0x1F) become a word of their own: more words to judge, none missed.
      i++;
      while (i < n && /[0-9._]/.test(sql[i] as string)) i++;
      tokens.push({ kind: "literal" });
    } else {
      tokens.push({ kind: "punct", text: c });
      i++;
    }
  }
  return tokens;
}

/** Statements a contract's check may start with. */
const readStarts = new Set(["select", "with", "values", "table"]);

/** Words that make a read statement write (data-modifying CTEs, SELECT INTO) or lock rows. */
const writeWords = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "into",
  "truncate",
  "drop",
  "create",
  "alter",
  "copy",
]);

/** Functions reading files, reaching other servers, changing settings or sessions, or stalling. */
const forbiddenFunctions = new Set([
  "pg_stat_file",
  "set_config",
  "current_setting",
  "nextval",
  "setval",
  "pg_notify",
  "pg_reload_conf",
  "pg_promote",
  "pg_import_system_collations",
  "pg_export_snapshot",
  "txid_current",
  "pg_current_xact_id",
  // Run a query given as text, out of the guard's sight.
  "ts_stat",
  "ts_rewrite",
]);
const forbiddenPrefixes = [
  "pg_read_",
  "pg_ls_",
  "pg_file_",
  "lo_",
  "dblink",
  "pg_sleep",
  "pg_terminate",
  "pg_cancel",
  "pg_rotate",
  "pg_switch",
  "pg_create_",
  "pg_drop_",
  "pg_replication_",
  "pg_logical_",
  "pg_advisory",
  "pg_try_advisory",
  "pg_stat_reset",
  "pg_stat_get_",
  "pg_wal_",
  "pg_copy_",
  "pg_backup",
];
/** `query_to_xml('…')` and friends run a query given as text, out of the guard's sight. */
const forbiddenSuffixes = ["_to_xml", "_to_xmlschema", "_to_xml_and_xmlschema"];

export function isForbiddenFunction(name: string): boolean {
  const n = name.toLowerCase();
  return (
    forbiddenFunctions.has(n) ||
    forbiddenPrefixes.some((p) => n.startsWith(p)) ||
    forbiddenSuffixes.some((s) => n.endsWith(s))
  );
}

const refuse = (reason: string): GuardVerdict => ({ ok: false, reason });

/** The lexical pass; `{ ok: true }` means the server may now plan it. */
export function judgeSqlText(sql: string): GuardVerdict {
  const tokens = lexPostgres(sql);
  const broken = tokens.find((t) => t.kind === "unterminated");
  if (broken !== undefined && broken.kind === "unterminated")
    return refuse(`the SQL has an unterminated ${broken.what}`);
  const statements: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === ";") statements.push([]);
    else statements[statements.length - 1]?.push(t);
  }
  const nonEmpty = statements.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return refuse("the SQL is empty");
  if (nonEmpty.length > 1) return refuse(`exactly one statement is allowed, found ${nonEmpty.length}`);
  const statement = nonEmpty[0] as Token[];
  const first = statement.find((t) => !(t.kind === "punct" && t.text === "("));
  if (first === undefined || first.kind !== "word" || first.quoted || !readStarts.has(first.text))
    return refuse(
      `only a SELECT is allowed${first?.kind === "word" ? `, found ${first.quoted ? JSON.stringify(first.text) : first.text.toUpperCase()}` : ""}`,
    );
  for (const [i, t] of statement.entries()) {
    if (t.kind !== "word") continue;
    if (!t.quoted && writeWords.has(t.text)) return refuse(`${t.text.toUpperCase()} is not allowed in a contract rule`);
    const next = statement[i + 1];
    if (next?.kind === "punct" && next.text === "(" && isForbiddenFunction(t.text))
      return refuse(`function ${t.text} is not allowed in a contract rule`);
    if (!t.quoted && t.text === "for") {
      const lock = statement[i + 1];
      if (lock?.kind === "word" && ["update", "share", "no", "key"].includes(lock.text))
        return refuse("row locks (FOR UPDATE/SHARE) are not allowed in a contract rule");
    }
  }
  return { ok: true };
}

type PlanNode = Record<string, unknown>;

/** Schemas whose tables a contract rule has no business reading (password hashes, other sessions' SQL …). */
const systemSchemas = new Set(["pg_catalog", "information_schema", "pg_toast"]);

function* planNodes(node: unknown): Generator<PlanNode> {
  if (typeof node !== "object" || node === null) return;
  if (Array.isArray(node)) {
    for (const n of node) yield* planNodes(n);
    return;
  }
  const p = node as PlanNode;
  yield p;
  yield* planNodes(p.Plans);
}

/** The plan pass, over `EXPLAIN (VERBOSE, FORMAT JSON)` output (an array of `{ Plan }`). */
export function judgePlan(explained: unknown): GuardVerdict {
  const roots = (Array.isArray(explained) ? explained : [explained]).map((e) => (e as PlanNode | null)?.Plan);
  for (const node of planNodes(roots)) {
    const type = String(node["Node Type"] ?? "");
    if (type === "ModifyTable") return refuse(`the statement writes (${String(node.Operation ?? "modify")})`);
    if (type === "LockRows") return refuse("row locks (FOR UPDATE/SHARE) are not allowed in a contract rule");
    const schema = node.Schema;
    if (typeof schema === "string" && systemSchemas.has(schema) && node["Relation Name"] !== undefined)
      return refuse(`reading the system catalog ${schema}.${String(node["Relation Name"])} is not allowed`);
    const fn = node["Function Name"];
    if (typeof fn === "string" && isForbiddenFunction(fn))
      return refuse(`function ${fn} is not allowed in a contract rule`);
  }
  return { ok: true };
}
