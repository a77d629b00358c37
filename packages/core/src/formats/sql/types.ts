import type { LogicalType } from "../../spec/odcs/model.js";
import { formatLimits } from "../format.js";
import type { SqlToken } from "./lexer.js";

/** A column type as declared, with the logical type it maps to and its nested fields or items. */
export interface ParsedType {
  readonly logicalType: LogicalType;
  /** The declared spelling, whitespace collapsed: `NUMERIC(10,2)`, `STRUCT<a INT64>`. */
  readonly physicalType: string;
  readonly maxLength?: number;
  readonly timezone?: boolean;
  readonly fields?: readonly ParsedField[];
  readonly items?: ParsedType;
  /** The base name when it is not a type Quanta knows (read as string). */
  readonly unknownName?: string;
  /** The values of an inline `ENUM('a', 'b')` (DuckDB, MySQL). */
  readonly enumValues?: readonly string[];
  readonly start: number;
}

export interface ParsedField {
  readonly name: string;
  readonly start: number;
  readonly type: ParsedType;
  readonly required: boolean;
  readonly description?: string;
}

export class SqlTypeError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Base type names (first word, lower case) → logical type; one table for every dialect. */
export const scalarTypes: Readonly<Record<string, LogicalType>> = {
  int: "integer",
  integer: "integer",
  bigint: "integer",
  smallint: "integer",
  tinyint: "integer",
  mediumint: "integer",
  int2: "integer",
  int4: "integer",
  int8: "integer",
  int64: "integer",
  hugeint: "integer",
  uhugeint: "integer",
  ubigint: "integer",
  uinteger: "integer",
  usmallint: "integer",
  utinyint: "integer",
  serial: "integer",
  serial4: "integer",
  serial8: "integer",
  bigserial: "integer",
  smallserial: "integer",
  byteint: "integer",
  numeric: "number",
  decimal: "number",
  dec: "number",
  number: "number",
  bignumeric: "number",
  bigdecimal: "number",
  float: "number",
  float4: "number",
  float8: "number",
  float64: "number",
  double: "number",
  real: "number",
  money: "number",
  smallmoney: "number",
  varchar: "string",
  varchar2: "string",
  nvarchar: "string",
  char: "string",
  nchar: "string",
  character: "string",
  bpchar: "string",
  text: "string",
  string: "string",
  citext: "string",
  uuid: "string",
  uniqueidentifier: "string",
  name: "string",
  bytea: "string",
  blob: "string",
  bytes: "string",
  binary: "string",
  varbinary: "string",
  interval: "string",
  inet: "string",
  cidr: "string",
  macaddr: "string",
  xml: "string",
  enum: "string",
  bit: "string",
  geography: "string",
  geometry: "string",
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamp",
  timestamp_ntz: "timestamp",
  timestamp_ltz: "timestamp",
  timestamp_tz: "timestamp",
  timestamp_s: "timestamp",
  timestamp_ms: "timestamp",
  timestamp_ns: "timestamp",
  datetime: "timestamp",
  datetime2: "timestamp",
  smalldatetime: "timestamp",
  datetimeoffset: "timestamp",
  time: "time",
  timetz: "time",
  json: "object",
  jsonb: "object",
  variant: "object",
  object: "object",
  super: "object",
  map: "object",
  struct: "object",
  row: "object",
  array: "array",
};

const withZone = new Set(["timestamptz", "timetz", "timestamp_tz", "timestamp_ltz", "datetimeoffset"]);
const lengthTypes = new Set(["varchar", "varchar2", "nvarchar", "char", "nchar", "character", "bpchar", "string"]);

/** The source text of tokens [from, to), whitespace runs collapsed to one space. */
export function textOf(sql: string, tokens: readonly SqlToken[], from: number, to: number): string {
  const first = tokens[from];
  const last = tokens[to - 1];
  if (!first || !last) return "";
  return sql.slice(first.start, last.end).replace(/\s+/g, " ");
}

const isPunct = (t: SqlToken | undefined, p: string) => t?.kind === "punct" && t.text === p;

/** Index of the bracket closing the one at `open` (`(`/`)` or `<`/`>`), or -1. */
export function closing(tokens: readonly SqlToken[], open: number, end: number): number {
  const o = tokens[open]?.text;
  const c = o === "<" ? ">" : ")";
  let depth = 0;
  for (let i = open; i < end; i++) {
    const t = tokens[i];
    if (t?.kind !== "punct") continue;
    if (t.text === o) depth++;
    else if (t.text === c && --depth === 0) return i;
  }
  return -1;
}

/** Splits [from, to) at commas outside brackets (`<>` only after STRUCT/ARRAY/MAP). */
export function splitAtCommas(tokens: readonly SqlToken[], from: number, to: number): [number, number][] {
  const parts: [number, number][] = [];
  const stack: string[] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const t = tokens[i] as SqlToken;
    if (t.kind !== "punct") continue;
    const before = tokens[i - 1];
    if (t.text === "(") stack.push(")");
    else if (t.text === "<" && before?.kind === "word" && /^(struct|array|map|range)$/.test(before.lower))
      stack.push(">");
    else if ((t.text === ")" || t.text === ">") && stack[stack.length - 1] === t.text) stack.pop();
    else if (t.text === "," && stack.length === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  if (start < to) parts.push([start, to]);
  return parts;
}

/** Parses the type written in tokens [from, to). Throws SqlTypeError for what cannot be a type. */
export function parseType(sql: string, tokens: readonly SqlToken[], from: number, to: number, depth = 0): ParsedType {
  const first = tokens[from];
  if (!first || from >= to) throw new SqlTypeError(tokens[from - 1]?.end ?? 0, "a type is missing here");
  if (depth > formatLimits.maxDepth) {
    throw new SqlTypeError(first.start, `types nest deeper than ${formatLimits.maxDepth} levels`);
  }
  const physicalType = textOf(sql, tokens, from, to);
  const start = first.start;
  // `INTEGER[]`, `VARCHAR[3]`, `INT ARRAY`: an array of what comes before.
  const last = tokens[to - 1] as SqlToken;
  if (isPunct(last, "]")) {
    let open = to - 2;
    while (open > from && !isPunct(tokens[open], "[")) open--;
    if (open <= from) throw new SqlTypeError(last.start, "] closes no [ in this type");
    return { logicalType: "array", physicalType, items: parseType(sql, tokens, from, open, depth + 1), start };
  }
  if (last.kind === "word" && last.lower === "array" && to - from > 1) {
    return { logicalType: "array", physicalType, items: parseType(sql, tokens, from, to - 1, depth + 1), start };
  }
  if (first.kind !== "word" && first.kind !== "quoted")
    throw new SqlTypeError(first.start, `expected a type, found ${first.text}`);
  const base = first.lower;
  const opener = tokens[from + 1];
  if ((base === "struct" || base === "row") && (isPunct(opener, "(") || isPunct(opener, "<"))) {
    const close = closing(tokens, from + 1, to);
    if (close < 0) throw new SqlTypeError(opener?.start ?? start, `${opener?.text} is never closed`);
    const fields = splitAtCommas(tokens, from + 2, close).map(([a, b]) => parseField(sql, tokens, a, b, depth + 1));
    const seen = new Set<string>();
    for (const f of fields) {
      if (seen.has(f.name.toLowerCase())) throw new SqlTypeError(f.start, `field ${f.name} is declared twice`);
      seen.add(f.name.toLowerCase());
    }
    return { logicalType: "object", physicalType, fields, start };
  }
  if ((base === "array" || base === "list") && (isPunct(opener, "<") || isPunct(opener, "("))) {
    const close = closing(tokens, from + 1, to);
    if (close < 0) throw new SqlTypeError(opener?.start ?? start, `${opener?.text} is never closed`);
    return { logicalType: "array", physicalType, items: parseType(sql, tokens, from + 2, close, depth + 1), start };
  }
  const words: string[] = [];
  let i = from;
  while (i < to && tokens[i]?.kind === "word") {
    words.push((tokens[i] as SqlToken).lower);
    i++;
  }
  const spelled = words.join(" ");
  const params: number[] = [];
  const labels: string[] = [];
  if (isPunct(tokens[i], "(")) {
    const close = closing(tokens, i, to);
    for (let k = i + 1; k < close; k++) {
      if (tokens[k]?.kind === "number") params.push(Number(tokens[k]?.text));
      if (tokens[k]?.kind === "string") labels.push(tokens[k]?.text ?? "");
    }
  }
  // Snowflake's NUMBER(p, 0) (and NUMBER(p)) is how it spells an integer.
  const logicalType = base === "number" && (params.length === 1 || params[1] === 0) ? "integer" : scalarTypes[base];
  const timezone = withZone.has(base) || / with time zone/.test(spelled) || undefined;
  const maxLength = lengthTypes.has(base) && params.length === 1 && !/ bit| byte/.test(spelled) ? params[0] : undefined;
  if (logicalType === undefined) return { logicalType: "string", physicalType, unknownName: first.text, start };
  return {
    logicalType,
    physicalType,
    ...(base === "enum" && labels.length > 0 ? { enumValues: labels } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(timezone && (logicalType === "timestamp" || logicalType === "time") ? { timezone: true } : {}),
    start,
  };
}

/** A STRUCT field: `name type [NOT NULL] [OPTIONS(description = '...')]`. */
function parseField(sql: string, tokens: readonly SqlToken[], from: number, to: number, depth: number): ParsedField {
  const name = tokens[from];
  if (!name || (name.kind !== "word" && name.kind !== "quoted")) {
    throw new SqlTypeError(name?.start ?? tokens[from - 1]?.end ?? 0, "expected a field name");
  }
  let end = to;
  let required = false;
  let description: string | undefined;
  const options = tokens.findIndex((t, k) => k > from && k < to && t.kind === "word" && t.lower === "options");
  if (options > 0 && isPunct(tokens[options + 1], "(")) {
    const close = closing(tokens, options + 1, to);
    for (let k = options + 2; k < close; k++) {
      if (tokens[k]?.lower === "description" && isPunct(tokens[k + 1], "=") && tokens[k + 2]?.kind === "string") {
        description = tokens[k + 2]?.text;
      }
    }
    end = options;
  }
  if (tokens[end - 1]?.lower === "null" && tokens[end - 2]?.lower === "not") {
    required = true;
    end -= 2;
  }
  const type = parseType(sql, tokens, from + 1, end, depth);
  return { name: name.text, start: name.start, type, required, ...(description !== undefined ? { description } : {}) };
}
