import nodeSqlParser from "node-sql-parser/build/postgresql.js";
import { guardSql } from "../../lint/sql-guard.js";
import type { LogicalType } from "../../spec/odcs/model.js";
import { type LexOptions, lexSql } from "./lexer.js";

/**
 * CHECK constraints read into what Quanta executes: bounds and lengths become
 * `logicalTypeOptions`, `IN (...)` a value set, and any other condition over the table's own
 * columns written in portable SQL a `type: sql` rule counting the rows that break it. The
 * expression is parsed by node-sql-parser (PostgreSQL grammar), which also proves that the rule's
 * SQL is what Quanta's SQL guard will accept.
 */

type Node = Record<string, unknown>;

export interface CheckColumn {
  readonly name: string;
  /** Undefined for a column declared without a type. */
  readonly logicalType: LogicalType | undefined;
}

/** What one CHECK gives a column or the table. */
export type CheckFinding =
  | { kind: "option"; column: string; key: string; value: number | string }
  | { kind: "values"; column: string; values: (string | number | boolean)[] }
  | { kind: "sql"; condition: string; offset: number }
  | { kind: "unmapped"; offset: number; reason: string };

const parser = new nodeSqlParser.Parser();
const prefix = "SELECT 1 FROM t WHERE ";

const portableOperators = new Set([
  "=",
  "<>",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "AND",
  "OR",
  "+",
  "-",
  "*",
  "/",
  "%",
  "||",
  "IS",
  "IS NOT",
  "IN",
  "NOT IN",
  "BETWEEN",
  "NOT BETWEEN",
  "LIKE",
  "NOT LIKE",
]);
const portableFunctions = new Set([
  "length",
  "char_length",
  "lower",
  "upper",
  "abs",
  "coalesce",
  "trim",
  "round",
  "floor",
  "ceil",
  "nullif",
  "not",
]);
const lengthFunctions = new Set(["length", "char_length", "character_length", "len"]);
const numeric = new Set<LogicalType>(["integer", "number"]);
const temporal = new Set<LogicalType>(["date", "timestamp", "time"]);

/** A column by its exact name, else ignoring case (unquoted names fold). */
function find(columns: ReadonlyMap<string, CheckColumn>, name: string | undefined): CheckColumn | undefined {
  if (name === undefined) return undefined;
  const exact = columns.get(name);
  if (exact) return exact;
  for (const [key, column] of columns) if (key.toLowerCase() === name.toLowerCase()) return column;
  return undefined;
}

function columnName(node: Node): string | undefined {
  if (node.type !== "column_ref" || node.table) return undefined;
  const column = node.column as unknown;
  if (typeof column === "string") return column;
  const expr = (column as { expr?: { value?: unknown } } | undefined)?.expr?.value;
  return typeof expr === "string" ? expr : undefined;
}

function functionName(node: Node): string | undefined {
  if (node.type !== "function") return undefined;
  const parts = (node.name as { name?: { value?: unknown }[] } | undefined)?.name;
  const last = parts?.[parts.length - 1]?.value;
  return typeof last === "string" ? last.toLowerCase() : undefined;
}

/**
 * String literals of a condition as the dialect writes them (doubled quotes, BigQuery's
 * backslashes), swapped for numbered placeholders before node-sql-parser reads it, so that every
 * value is the one the DDL means whatever escapes the PostgreSQL grammar applies.
 */
const placeholder = "\u0001s";

/** Puts each string's value as written back in place of its placeholder, in the tree just parsed. */
function restoreStrings(node: unknown, values: readonly string[]): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const n of node) restoreStrings(n, values);
    return;
  }
  const n = node as Node;
  if (n.type === "single_quote_string" && typeof n.value === "string" && n.value.startsWith(placeholder)) {
    n.value = values[Number(n.value.slice(placeholder.length))] ?? "";
    return;
  }
  for (const [key, child] of Object.entries(n)) if (key !== "loc") restoreStrings(child, values);
}

function stringValue(node: Node): string {
  return String(node.value);
}

interface Segment {
  readonly from: number;
  readonly to: number;
  readonly origin: number;
  readonly originEnd: number;
  readonly literal: boolean;
}

function withPlaceholders(condition: string, lex: LexOptions): { text: string; segments: Segment[]; values: string[] } {
  const { tokens } = lexSql(condition, lex);
  const segments: Segment[] = [];
  const values: string[] = [];
  let text = "";
  let last = 0;
  const raw = (upTo: number) => {
    if (upTo <= last) return;
    segments.push({ from: text.length, to: text.length + upTo - last, origin: last, originEnd: upTo, literal: false });
    text += condition.slice(last, upTo);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as (typeof tokens)[number];
    const [name, close, cast] = [tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    // pg_dump writes `(col)::text`, which the PostgreSQL grammar of node-sql-parser cannot read: drop the brackets.
    if (t.text === "(" && t.kind === "punct" && name && (name.kind === "word" || name.kind === "quoted")) {
      if (close?.kind === "punct" && close.text === ")" && cast?.kind === "punct" && cast.text === "::") {
        raw(t.start);
        last = name.start;
        raw(name.end);
        last = close.end;
        i += 2;
        continue;
      }
    }
    if (t.kind !== "string") continue;
    raw(t.start);
    const swapped = `'${placeholder}${values.length}'`;
    segments.push({
      from: text.length,
      to: text.length + swapped.length,
      origin: t.start,
      originEnd: t.end,
      literal: true,
    });
    text += swapped;
    values.push(t.text);
    last = t.end;
    // `'x'::text`: the grammar cannot read a cast string on the right of `~`; the value is what counts.
    let k = i + 1;
    if (tokens[k]?.kind === "punct" && tokens[k]?.text === "::") {
      k++;
      while (tokens[k]?.kind === "word") k++;
      if (k > i + 2) {
        last = (tokens[k - 1] as (typeof tokens)[number]).end;
        i = k - 1;
      }
    }
  }
  raw(condition.length);
  return { text, segments, values };
}

/** An offset into the condition with placeholders, back in the condition as written. */
function originalOffset(segments: readonly Segment[], at: number, end: boolean): number {
  for (const s of segments) {
    if (at < s.from || at > s.to || (at === s.to && !end && s.to !== s.from)) continue;
    if (s.literal) return end ? s.originEnd : s.origin;
    return s.origin + (at - s.from);
  }
  return segments[segments.length - 1]?.originEnd ?? 0;
}

/** `x::text`, `(0)::numeric`: the value or column cast, which is what a bound or list compares. */
function uncast(node: Node): Node {
  return node.type === "cast" && node.expr && typeof node.expr === "object" ? uncast(node.expr as Node) : node;
}

function literal(input: Node | undefined): string | number | boolean | undefined {
  if (!input) return undefined;
  const node = uncast(input);
  if (node.type === "number") return Number(node.value);
  if (node.type === "single_quote_string") return stringValue(node);
  if (node.type === "bool") return node.value === true;
  if (node.type === "unary_expr" && node.operator === "-" && (node.expr as Node | undefined)?.type === "number") {
    return -Number((node.expr as Node).value);
  }
  return undefined;
}

function args(node: Node): Node[] {
  const a = node.args as { value?: unknown } | undefined;
  return Array.isArray(a?.value) ? (a.value as Node[]) : [];
}

/** Splits `a AND b AND c` into its parts. */
function conjuncts(node: Node): Node[] {
  if (node.type === "binary_expr" && node.operator === "AND") {
    return [...conjuncts(node.left as Node), ...conjuncts(node.right as Node)];
  }
  return [node];
}

/** Whether an expression is written in SQL that PostgreSQL and DuckDB read alike, over known columns. */
function portable(node: unknown, columns: ReadonlyMap<string, CheckColumn>): boolean {
  if (node === null || typeof node !== "object") return true;
  if (Array.isArray(node)) return node.every((n) => portable(n, columns));
  const n = node as Node;
  switch (n.type) {
    case "column_ref": {
      const name = columnName(n);
      return find(columns, name) !== undefined;
    }
    case "number":
    case "single_quote_string":
    case "bool":
    case "null":
      return true;
    case "binary_expr":
      return portableOperators.has(String(n.operator)) && portable(n.left, columns) && portable(n.right, columns);
    case "unary_expr":
      return (n.operator === "NOT" || n.operator === "-") && portable(n.expr, columns);
    case "expr_list":
      return portable(n.value, columns);
    case "function": {
      const name = functionName(n);
      return name !== undefined && portableFunctions.has(name) && portable(args(n), columns);
    }
    default:
      return false;
  }
}

const flip: Readonly<Record<string, string>> = { ">": "<", ">=": "<=", "<": ">", "<=": ">=" };
const boundKey: Readonly<Record<string, string>> = {
  ">=": "minimum",
  ">": "exclusiveMinimum",
  "<=": "maximum",
  "<": "exclusiveMaximum",
};
const lengthKey: Readonly<Record<string, string>> = { ">=": "minLength", "<=": "maxLength" };

/** `col ~ 're'` (PostgreSQL) or `regexp_matches(col, 're')` (DuckDB): a regular expression searched for. */
function regexOf(operator: string, left: Node, right: Node): { column: string; regex: string } | undefined {
  if (operator === "~" && right.type === "single_quote_string") {
    const column = columnName(uncast(left));
    return column === undefined ? undefined : { column, regex: stringValue(right) };
  }
  return undefined;
}

function regexCall(node: Node): { column: string; regex: string } | undefined {
  const name = functionName(node);
  const [col, re] = args(node);
  if (!col || !re || args(node).length !== 2 || uncast(re).type !== "single_quote_string") return undefined;
  const column = columnName(uncast(col));
  const regex = stringValue(uncast(re));
  if (column === undefined) return undefined;
  if (name === "regexp_matches") return { column, regex };
  // Snowflake's REGEXP_LIKE matches the whole value: the same as a search for an anchored pattern.
  if (name === "regexp_like" && regex.startsWith("^") && regex.endsWith("$")) return { column, regex };
  return undefined;
}

/** A simple condition on one column (a bound, a length, a value set), or undefined. */
function simple(node: Node, columns: ReadonlyMap<string, CheckColumn>): CheckFinding[] | undefined {
  const call = node.type === "function" ? regexCall(node) : undefined;
  const called = find(columns, call?.column);
  if (call && called?.logicalType === "string")
    return [{ kind: "option", column: called.name, key: "pattern", value: call.regex }];
  if (node.type !== "binary_expr") return undefined;
  const op = String(node.operator);
  let left = uncast(node.left as Node);
  let right = uncast(node.right as Node);
  let operator = op;
  if (flip[op] && literal(left) !== undefined) {
    [left, right] = [right, left];
    operator = flip[op] as string;
  }
  const col = columnName(left);
  const column = find(columns, col);
  const fn = functionName(left);
  const lengthOf =
    fn && lengthFunctions.has(fn) && args(left).length === 1 ? columnName(uncast(args(left)[0] as Node)) : undefined;
  const lengthColumn = find(columns, lengthOf);
  const values = operator === "BETWEEN" ? ((right.value as Node[] | undefined) ?? []).map(literal) : [literal(right)];
  if (column) {
    const type = column.logicalType;
    const fits = (v: unknown) =>
      type !== undefined &&
      ((numeric.has(type) && typeof v === "number") || (temporal.has(type) && typeof v === "string"));
    if (boundKey[operator] && fits(values[0])) {
      return [{ kind: "option", column: column.name, key: boundKey[operator] as string, value: values[0] as number }];
    }
    if (operator === "BETWEEN" && values.length === 2 && values.every(fits)) {
      return [
        { kind: "option", column: column.name, key: "minimum", value: values[0] as number },
        { kind: "option", column: column.name, key: "maximum", value: values[1] as number },
      ];
    }
    // pg_dump writes `x IN ('a', 'b')` as `x = ANY (ARRAY['a'::text, 'b'::text])`.
    const anyArray =
      operator === "=" && functionName(right) === "any" && args(right).length === 1 && args(right)[0]?.type === "array"
        ? ((args(right)[0] as Node).expr_list as Node | undefined)
        : undefined;
    if ((operator === "IN" && right.type === "expr_list") || anyArray) {
      const list = (((anyArray ?? right).value as Node[]) ?? []).map(literal);
      if (list.length > 0 && list.every((v) => v !== undefined)) {
        return [{ kind: "values", column: column.name, values: list as (string | number | boolean)[] }];
      }
    }
  }
  const pattern = regexOf(operator, left, right);
  if (pattern && find(columns, pattern.column)?.logicalType === "string") {
    return [
      {
        kind: "option",
        column: (find(columns, pattern.column) as CheckColumn).name,
        key: "pattern",
        value: pattern.regex,
      },
    ];
  }
  if (lengthColumn?.logicalType === "string") {
    const n = values[0];
    if (lengthKey[operator] && typeof n === "number" && Number.isInteger(n) && n >= 0) {
      return [{ kind: "option", column: lengthColumn.name, key: lengthKey[operator] as string, value: n }];
    }
    if (operator === "<" && typeof n === "number" && Number.isInteger(n) && n > 0) {
      return [{ kind: "option", column: lengthColumn.name, key: "maxLength", value: n - 1 }];
    }
    if (operator === ">" && typeof n === "number" && Number.isInteger(n) && n >= 0) {
      return [{ kind: "option", column: lengthColumn.name, key: "minLength", value: n + 1 }];
    }
    if (operator === "BETWEEN" && values.length === 2 && values.every((v) => typeof v === "number" && v >= 0)) {
      return [
        { kind: "option", column: lengthColumn.name, key: "minLength", value: values[0] as number },
        { kind: "option", column: lengthColumn.name, key: "maxLength", value: values[1] as number },
      ];
    }
  }
  return undefined;
}

function validRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Reads one CHECK condition (its text and the offset it starts at in the file). */
export function readCheck(
  condition: string,
  offset: number,
  columns: ReadonlyMap<string, CheckColumn>,
  lex: LexOptions = {},
): CheckFinding[] {
  const swapped = withPlaceholders(condition, lex);
  const back = (at: number, end = false) => originalOffset(swapped.segments, at - prefix.length, end);
  let ast: Node;
  try {
    const parsed = parser.astify(`${prefix}${swapped.text}`, {
      database: "postgresql",
      parseOptions: { includeLocations: true },
    }) as unknown;
    ast = (Array.isArray(parsed) ? parsed[0] : parsed) as Node;
    restoreStrings(ast, swapped.values);
  } catch (e) {
    const at = (e as { location?: { start?: { offset?: number } } }).location?.start?.offset;
    const where = at === undefined ? offset : offset + back(Math.max(prefix.length, at));
    return [{ kind: "unmapped", offset: where, reason: "it is not SQL Quanta can run on DuckDB and PostgreSQL" }];
  }
  const where = ast.where as Node | undefined;
  if (!where) return [{ kind: "unmapped", offset, reason: "it has no condition" }];
  const out: CheckFinding[] = [];
  for (const part of conjuncts(where)) {
    const found = simple(part, columns)?.filter((f) => {
      if (f.kind !== "option" || f.key !== "pattern" || validRegex(String(f.value))) return true;
      out.push({
        kind: "unmapped",
        offset,
        reason: `${JSON.stringify(f.value)} is not a regular expression Quanta can check`,
      });
      return false;
    });
    if (found) {
      out.push(...found);
      continue;
    }
    const loc = part.loc as { start: { offset: number }; end: { offset: number } } | undefined;
    const text = loc ? condition.slice(back(loc.start.offset), back(loc.end.offset, true)) : condition;
    const at = loc ? offset + back(loc.start.offset) : offset;
    // The rule must also pass the guard every contract's SQL goes through (its parser reads
    // backslashes in strings as escapes, unlike PostgreSQL and DuckDB).
    const guarded = guardSql(`SELECT COUNT(*) FROM {object} WHERE NOT (${text})`);
    if (portable(part, columns) && guarded.length === 0) out.push({ kind: "sql", condition: text, offset: at });
    else {
      out.push({
        kind: "unmapped",
        offset: at,
        reason: "it uses SQL that is not portable to DuckDB and PostgreSQL, or names columns of no table here",
      });
    }
  }
  return out;
}
