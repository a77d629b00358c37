/**
 * Tokens of SQL DDL with their offsets, for every dialect Quanta reads: `"quoted"` and
 * `` `backtick` `` identifiers, `'strings'` (doubled quotes, BigQuery's backslash escapes and its
 * double-quoted strings), `$tag$` strings, `--`, `/* *\/`, `#` and `//` comments, and unicode
 * words. The core lint lexer only knows ASCII words and no backticks, hence this one.
 */

export type SqlTokenKind = "word" | "quoted" | "string" | "number" | "punct";

export interface SqlToken {
  readonly kind: SqlTokenKind;
  /** Words as written; identifiers and strings unquoted and unescaped. */
  readonly text: string;
  /** `text` lower-cased, for keywords. */
  readonly lower: string;
  readonly start: number;
  readonly end: number;
}

export interface LexOptions {
  /** BigQuery: `"..."` is a string, backslash escapes in strings, `#` comments. */
  readonly bigquery?: boolean;
  /** Snowflake: `//` comments. */
  readonly slashComments?: boolean;
}

export interface LexError {
  readonly offset: number;
  readonly message: string;
}

const operators = ["<=", ">=", "<>", "!=", "::", "||"];

export function lexSql(sql: string, options: LexOptions = {}): { tokens: SqlToken[]; error?: LexError } {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  const push = (kind: SqlTokenKind, text: string, start: number, end: number) =>
    tokens.push({ kind, text, lower: kind === "word" ? text.toLowerCase() : text, start, end });
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "\\" && (i === 0 || sql[i - 1] === "\n")) {
      // A psql meta-command (`\restrict` in pg_dump output) is a line of its own, not SQL.
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (
      (c === "-" && next === "-") ||
      (c === "#" && options.bigquery) ||
      (c === "/" && next === "/" && options.slashComments)
    ) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return { tokens, error: { offset: i, message: "comment /* is never closed" } };
      i = end + 2;
    } else if (c === "'" || c === '"' || c === "`") {
      const start = i;
      const backslash = options.bigquery === true;
      let text = "";
      i++;
      let closed = false;
      while (i < n) {
        const d = sql[i] as string;
        if (backslash && d === "\\" && i + 1 < n) {
          const e = sql[i + 1] as string;
          text += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
          i += 2;
        } else if (d === c && sql[i + 1] === c) {
          text += c;
          i += 2;
        } else if (d === c) {
          i++;
          closed = true;
          break;
        } else {
          text += d;
          i++;
        }
      }
      if (!closed) {
        const what = c === "'" ? "string" : "quoted identifier";
        return { tokens, error: { offset: start, message: `${what} starting with ${c} is never closed` } };
      }
      const isString = c === "'" || (c === '"' && options.bigquery === true);
      push(isString ? "string" : "quoted", text, start, i);
    } else if (c === "$" && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      const tag = (/^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) return { tokens, error: { offset: i, message: `string starting with ${tag} is never closed` } };
      push("string", sql.slice(i + tag.length, end), i, end + tag.length);
      i = end + tag.length;
    } else if (/[\p{L}_]/u.test(c)) {
      const start = i;
      i++;
      while (i < n && /[\p{L}\p{N}\p{M}_$]/u.test(sql[i] as string)) i++;
      push("word", sql.slice(start, i), start, i);
    } else if (/\d/.test(c) || (c === "." && next !== undefined && /\d/.test(next))) {
      const start = i;
      while (i < n && /[\d.]/.test(sql[i] as string)) i++;
      if (i < n && /[eE]/.test(sql[i] as string) && /[\d+-]/.test(sql[i + 1] ?? "")) {
        i += 2;
        while (i < n && /\d/.test(sql[i] as string)) i++;
      }
      push("number", sql.slice(start, i), start, i);
    } else {
      const two = sql.slice(i, i + 2);
      const op = operators.includes(two) ? two : c;
      push("punct", op, i, i + op.length);
      i += op.length;
    }
  }
  return { tokens };
}

/** Splits tokens into statements at `;` outside parentheses; empty statements are dropped. */
export function splitStatements(tokens: readonly SqlToken[]): SqlToken[][] {
  const out: SqlToken[][] = [];
  let current: SqlToken[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")") depth = Math.max(0, depth - 1);
    if (t.kind === "punct" && t.text === ";" && depth === 0) {
      if (current.length > 0) out.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  if (current.length > 0) out.push(current);
  return out;
}
