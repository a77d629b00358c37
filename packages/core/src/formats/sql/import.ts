import type { LogicalType } from "../../spec/odcs/model.js";
import { compact, type JsonObject } from "../convert-context.js";
import { formatLimits, type ImportInput, type ImportResult } from "../format.js";
import { readText, type TextSource } from "../text-source.js";
import { type CheckColumn, type CheckFinding, readCheck } from "./checks.js";
import { type LexOptions, lexSql, type SqlToken, splitStatements } from "./lexer.js";
import { closing, type ParsedField, type ParsedType, parseType, SqlTypeError, splitAtCommas, textOf } from "./types.js";

export type ImportDialect = "postgres" | "duckdb" | "snowflake" | "bigquery";

class SqlSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

interface Ident {
  readonly name: string;
  readonly quoted: boolean;
  readonly start: number;
}

interface Column {
  readonly name: Ident;
  type?: ParsedType;
  required: boolean;
  primaryKey: boolean;
  unique: boolean;
  description?: string;
  defaultValue?: string;
  readonly checks: { text: string; start: number }[];
  references?: ForeignKey;
}

interface ForeignKey {
  readonly columns: Ident[];
  readonly table: Ident;
  readonly refColumns: Ident[];
  readonly start: number;
}

interface Table {
  readonly name: Ident;
  readonly qualifiers: string[];
  readonly columns: Column[];
  primaryKey?: { columns: Ident[]; start: number };
  readonly uniques: { columns: Ident[]; start: number }[];
  readonly foreignKeys: ForeignKey[];
  readonly checks: { text: string; start: number }[];
  description?: string;
  /** Columns by lower-cased name, for lookups in big tables. */
  readonly byName: Map<string, Column[]>;
}

interface Comment {
  readonly kind: "table" | "column";
  readonly path: Ident[];
  readonly text: string | undefined;
  readonly start: number;
}

/** Words that end a column's type and start one of its constraints. */
const constraintWords = new Set([
  "constraint",
  "not",
  "null",
  "primary",
  "unique",
  "check",
  "default",
  "references",
  "collate",
  "generated",
  "comment",
  "options",
  "identity",
  "autoincrement",
  "auto_increment",
  "as",
  "with",
  "masking",
  "tag",
  "enforced",
  "deferrable",
  "initially",
  "on",
  "encode",
]);
const noWords: ReadonlySet<string> = new Set();
/** How many skipped statements of one kind are warned one by one. */
const skipsNamed = 10;
/** Words of `GENERATED { ALWAYS | BY DEFAULT } AS { IDENTITY | (expr) } [STORED]` and the like. */
const generatedWords: ReadonlySet<string> = new Set([
  "generated",
  "as",
  "identity",
  "default",
  "autoincrement",
  "auto_increment",
]);
/** Constraint modifiers that change nothing Quanta reads. */
const modifiers = new Set([
  "enforced",
  "deferrable",
  "initially",
  "deferred",
  "immediate",
  "rely",
  "norely",
  "validate",
  "novalidate",
  "enable",
  "disable",
  "valid",
  "asc",
  "desc",
]);
const tableModifiers = new Set([
  "or",
  "replace",
  "temp",
  "temporary",
  "transient",
  "volatile",
  "global",
  "local",
  "unlogged",
  "external",
]);

/** A cursor over the tokens [pos, end) of one statement or clause. */
class Cursor {
  constructor(
    readonly sql: string,
    readonly tokens: readonly SqlToken[],
    public pos: number,
    readonly end: number,
  ) {}

  peek(k = 0): SqlToken | undefined {
    return this.pos + k < this.end ? this.tokens[this.pos + k] : undefined;
  }
  is(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.kind === "word" && t.lower === word;
  }
  isPunct(p: string, k = 0): boolean {
    const t = this.peek(k);
    return t?.kind === "punct" && t.text === p;
  }
  eatPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.pos++;
    return true;
  }
  eat(word: string): boolean {
    if (!this.is(word)) return false;
    this.pos++;
    return true;
  }
  /** Where an error about the next token points: the token, or just after the last one. */
  here(): number {
    return this.peek()?.start ?? this.tokens[this.end - 1]?.end ?? 0;
  }
  found(): string {
    const t = this.peek();
    return t === undefined ? "the end of the statement" : t.kind === "string" ? "a string" : JSON.stringify(t.text);
  }
  expect(word: string): void {
    if (!this.eat(word)) throw new SqlSyntaxError(this.here(), `expected ${word.toUpperCase()}, found ${this.found()}`);
  }
  expectPunct(p: string): SqlToken {
    if (!this.isPunct(p)) throw new SqlSyntaxError(this.here(), `expected ${p}, found ${this.found()}`);
    return this.tokens[this.pos++] as SqlToken;
  }
  ident(what: string): Ident {
    const t = this.peek();
    if (!t || (t.kind !== "word" && t.kind !== "quoted")) {
      throw new SqlSyntaxError(this.here(), `expected ${what}, found ${this.found()}`);
    }
    if (t.text === "") throw new SqlSyntaxError(t.start, `${what} cannot be empty`);
    this.pos++;
    return { name: t.text, quoted: t.kind === "quoted", start: t.start };
  }
  /** `a.b.c`, where a BigQuery backtick name may hold the dots itself. */
  namePath(what: string): Ident[] {
    const parts: Ident[] = [];
    do {
      const id = this.ident(what);
      if (id.quoted && this.sql[id.start] === "`" && id.name.includes(".")) {
        for (const p of id.name.split(".")) parts.push({ name: p, quoted: true, start: id.start });
      } else parts.push(id);
    } while (this.eatPunct("."));
    return parts;
  }
  /** The index of the bracket closing the `(` at the cursor. */
  closeOf(): number {
    const close = closing(this.tokens, this.pos, this.end);
    if (close < 0) throw new SqlSyntaxError(this.here(), "( is never closed");
    return close;
  }
  /** `( a, b )` */
  identList(what: string): Ident[] {
    this.expectPunct("(");
    const list: Ident[] = [];
    do {
      list.push(this.ident(what));
      while (this.is("asc") || this.is("desc")) this.pos++;
    } while (this.eatPunct(","));
    this.expectPunct(")");
    return list;
  }
  string(what: string): string {
    const t = this.peek();
    if (t?.kind !== "string")
      throw new SqlSyntaxError(this.here(), `expected ${what} (a quoted string), found ${this.found()}`);
    this.pos++;
    return t.text;
  }
}

export interface SqlImportOptions {
  readonly dialect: ImportDialect;
  readonly id?: string;
}

/** Reads SQL DDL: every CREATE TABLE becomes a schema object (ODCS v3.1.0). */
export function importSql(input: ImportInput, options: SqlImportOptions): ImportResult {
  const read = readText(input, "SQL");
  if (!("text" in read)) return { value: {}, issues: [read] };
  const src = read;
  const sql = src.text;
  const lex: LexOptions = { bigquery: options.dialect === "bigquery", slashComments: options.dialect === "snowflake" };
  const lexed = lexSql(sql, lex);
  if (lexed.error) {
    src.error(lexed.error.offset, "sql-syntax-error", lexed.error.message);
    return { value: {}, issues: src.issues };
  }
  const reader = new DdlReader(src, lex);
  for (const statement of splitStatements(lexed.tokens)) reader.statement(statement);
  return reader.result(options.id ?? idFromFile(input.file));
}

function idFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const stem = base.replace(/\.[^.]*$/, "").replace(/\.(ddl|schema)$/i, "");
  return stem === "" || stem.startsWith("<") ? "sql-import" : stem;
}

/** Names compared as the databases do: quoted names exactly, an unquoted one ignoring case (it folds). */
const same = (a: Ident, b: Ident) =>
  a.name === b.name || (!(a.quoted && b.quoted) && a.name.toLowerCase() === b.name.toLowerCase());

class DdlReader {
  private readonly tables: Table[] = [];
  private readonly comments: Comment[] = [];
  private readonly alters: { table: Ident[]; start: number; apply: (t: Table) => void }[] = [];
  /** Skipped statements by kind: how many, and where the first one not named is. */
  private readonly skips = new Map<string, { count: number; first: SqlToken }>();
  /** Enum types by lower-cased name → their labels. */
  private readonly enums = new Map<string, string[]>();
  private elements = 0;

  constructor(
    private readonly src: TextSource,
    private readonly lex: LexOptions,
  ) {}

  statement(tokens: SqlToken[]): void {
    const c = new Cursor(this.src.text, tokens, 0, tokens.length);
    const first = tokens[0] as SqlToken;
    try {
      if (c.is("create")) {
        let k = 1;
        while (c.peek(k)?.kind === "word" && tableModifiers.has(c.peek(k)?.lower ?? "")) k++;
        if (c.is("table", k)) {
          c.pos = k + 1;
          this.createTable(c);
          return;
        }
        if (c.is("type", k) && this.createEnum(c, k + 1)) return;
        const kind = tokens
          .slice(1, k + 1)
          .filter((t) => t.kind === "word" && t.lower !== "or" && t.lower !== "replace")
          .map((t) => t.text.toUpperCase())
          .join(" ");
        this.skipped(first, `CREATE ${kind || "statement"}`);
        return;
      }
      if (c.is("comment")) {
        c.pos++;
        if (c.eat("if")) c.expect("exists");
        c.expect("on");
        this.comment(c);
        return;
      }
      if (c.is("alter") && c.is("table", 1)) {
        c.pos = 2;
        if (this.alterTable(c)) return;
      }
      const words = tokens.slice(0, 2).filter((t) => t.kind === "word");
      this.skipped(first, words.map((t) => t.text.toUpperCase()).join(" ") || "statement");
    } catch (e) {
      if (e instanceof SqlSyntaxError || e instanceof SqlTypeError) {
        this.src.error(e.offset, "sql-syntax-error", e.message);
        return;
      }
      throw e;
    }
  }

  /** `CREATE TYPE name AS ENUM ('a', 'b')` (PostgreSQL, DuckDB): columns of that type get its values. */
  private createEnum(c: Cursor, from: number): boolean {
    c.pos = from;
    const path = c.namePath("a type name");
    if (!c.eat("as") || !c.eat("enum") || !c.isPunct("(")) return false;
    const close = c.closeOf();
    const values: string[] = [];
    for (const [a, b] of splitAtCommas(c.tokens, c.pos + 1, close)) {
      const t = c.tokens[a] as SqlToken;
      if (t.kind !== "string" || b - a !== 1)
        throw new SqlSyntaxError(t.start, `expected an enum label (a quoted string), found ${JSON.stringify(t.text)}`);
      values.push(t.text);
    }
    this.enums.set((path[path.length - 1] as Ident).name.toLowerCase(), values);
    return true;
  }

  private skipped(at: SqlToken, what: string): void {
    // A data dump holds thousands of INSERTs: the first few are named, the rest counted once.
    const seen = this.skips.get(what) ?? { count: 0, first: at };
    seen.count++;
    this.skips.set(what, seen);
    if (seen.count > skipsNamed) {
      if (seen.count === skipsNamed + 1) seen.first = at;
      return;
    }
    this.src.warn(
      at.start,
      "sql-statement-skipped",
      `${what} is not read: only CREATE TABLE, COMMENT ON and ALTER TABLE … ADD constraints describe a contract; skipped`,
    );
  }

  private createTable(c: Cursor): void {
    if (c.eat("if")) {
      c.expect("not");
      c.expect("exists");
    }
    const path = c.namePath("a table name");
    const name = path[path.length - 1] as Ident;
    if (!c.isPunct("(")) {
      this.src.warn(
        name.start,
        "sql-table-without-columns",
        `table ${name.name} is not defined by a column list (${c.found()}); skipped`,
      );
      return;
    }
    const close = c.closeOf();
    if (close === c.pos + 1) throw new SqlSyntaxError(c.tokens[close]?.start ?? 0, "the column list is empty");
    const table: Table = {
      name,
      qualifiers: path.slice(0, -1).map((p) => p.name),
      columns: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
      byName: new Map(),
    };
    for (const [a, b] of splitAtCommas(c.tokens, c.pos + 1, close)) {
      const el = new Cursor(c.sql, c.tokens, a, b);
      const w = el.peek();
      const isConstraint =
        w?.kind === "word" &&
        ([
          "constraint",
          "primary",
          "foreign",
          "check",
          "exclude",
          "index",
          "key",
          "fulltext",
          "spatial",
          "like",
        ].includes(w.lower) ||
          (w.lower === "unique" && (el.isPunct("(", 1) || el.is("key", 1) || el.is("index", 1))));
      if (isConstraint) this.tableConstraint(el, table);
      else this.column(el, table);
    }
    c.pos = close + 1;
    this.tableOptions(c, table);
    const earlier = this.tables.findIndex((t) => same(t.name, name));
    if (earlier >= 0) {
      this.src.warn(name.start, "sql-table-redefined", `table ${name.name} is defined again; this definition is read`);
      this.tables.splice(earlier, 1);
    }
    if (table.columns.length === 0) {
      this.src.warn(name.start, "sql-table-without-columns", `table ${name.name} has no columns; skipped`);
      return;
    }
    this.elements += 1 + table.columns.length;
    if (this.elements > formatLimits.maxElements) {
      throw new SqlSyntaxError(
        name.start,
        `more than ${formatLimits.maxElements} tables and columns; the limit is reached`,
      );
    }
    this.tables.push(table);
  }

  private column(c: Cursor, table: Table): void {
    const name = c.ident("a column name");
    const typeStart = c.pos;
    const stack: string[] = [];
    while (c.pos < c.end) {
      const t = c.peek() as SqlToken;
      if (stack.length === 0 && t.kind === "word" && constraintWords.has(t.lower)) {
        if (!(t.lower === "with" && (c.is("time", 1) || c.is("local", 1)))) break;
      }
      const before = c.tokens[c.pos - 1];
      if (t.kind === "punct") {
        if (t.text === "(" || t.text === "[") stack.push(t.text === "(" ? ")" : "]");
        else if (t.text === "<" && before?.kind === "word" && /^(struct|array|map|range)$/.test(before.lower)) {
          stack.push(">");
        } else if (stack[stack.length - 1] === t.text) stack.pop();
      }
      c.pos++;
    }
    const column: Column = { name, required: false, primaryKey: false, unique: false, checks: [] };
    if (c.pos > typeStart) column.type = parseType(c.sql, c.tokens, typeStart, c.pos);
    else this.src.warn(name.start, "sql-column-without-type", `column ${name.name} declares no type`);
    this.columnConstraints(c, column, table);
    const folded = name.name.toLowerCase();
    const clash = (table.byName.get(folded) ?? []).some((k) => same(k.name, name));
    if (clash) {
      this.src.warn(name.start, "sql-column-duplicate", `column ${name.name} is declared twice; the first is kept`);
      return;
    }
    table.columns.push(column);
    table.byName.set(folded, [...(table.byName.get(folded) ?? []), column]);
  }

  /** Moves past one clause: to the next constraint word outside brackets (other than the clause's own words). */
  private skipClause(c: Cursor, own: ReadonlySet<string> = noWords): void {
    let depth = 0;
    c.pos++;
    while (c.pos < c.end) {
      const t = c.peek() as SqlToken;
      const stops = t.kind === "word" && constraintWords.has(t.lower) && !modifiers.has(t.lower) && !own.has(t.lower);
      if (depth === 0 && stops) break;
      if (t.kind === "punct" && t.text === "(") depth++;
      if (t.kind === "punct" && t.text === ")") depth--;
      c.pos++;
    }
  }

  private columnConstraints(c: Cursor, column: Column, table: Table): void {
    while (c.pos < c.end) {
      const t = c.peek() as SqlToken;
      const w = t.kind === "word" ? t.lower : "";
      if (w === "constraint") {
        c.pos++;
        c.ident("a constraint name");
      } else if (w === "not" && c.is("null", 1)) {
        column.required = true;
        c.pos += 2;
      } else if (w === "not" && (c.is("enforced", 1) || c.is("deferrable", 1))) {
        c.pos += 2;
      } else if (w === "null") {
        c.pos++;
      } else if (w === "primary") {
        c.pos++;
        c.expect("key");
        column.primaryKey = true;
      } else if (w === "unique") {
        c.pos++;
        c.eat("key");
        column.unique = true;
      } else if (w === "check") {
        c.pos++;
        column.checks.push(this.checkBody(c));
      } else if (w === "default") {
        const from = c.pos + 1;
        this.skipClause(c);
        column.defaultValue = textOf(c.sql, c.tokens, from, c.pos);
      } else if (w === "references") {
        c.pos++;
        column.references = this.references(c, [column.name], t.start);
      } else if (w === "comment") {
        c.pos++;
        if (c.isPunct("=")) c.pos++;
        column.description = c.string("the comment");
      } else if (w === "options") {
        c.pos++;
        const description = this.options(c);
        if (description !== undefined) column.description = description;
      } else if (modifiers.has(w)) {
        c.pos++;
      } else {
        const from = c.pos;
        this.skipClause(c, generatedWords.has(w) ? generatedWords : noWords);
        this.src.warn(
          t.start,
          "sql-constraint-not-mapped",
          `${textOf(c.sql, c.tokens, from, c.pos)} on column ${column.name.name} of ${table.name.name} has no place in a contract; not carried`,
        );
      }
    }
  }

  /** `( condition )` after CHECK. */
  private checkBody(c: Cursor): { text: string; start: number } {
    if (!c.isPunct("(")) throw new SqlSyntaxError(c.here(), `expected ( after CHECK, found ${c.found()}`);
    const open = c.pos;
    const close = c.closeOf();
    const inner = c.tokens[open + 1] as SqlToken;
    const last = c.tokens[close] as SqlToken;
    c.pos = close + 1;
    if (close === open + 1) throw new SqlSyntaxError(last.start, "CHECK has no condition");
    return { text: c.sql.slice(inner.start, last.start).trimEnd(), start: inner.start };
  }

  /** `REFERENCES t [(cols)] [ON DELETE …] [MATCH …]` */
  private references(c: Cursor, columns: Ident[], start: number): ForeignKey {
    const path = c.namePath("the referenced table");
    const refColumns = c.isPunct("(") ? c.identList("a referenced column") : [];
    for (;;) {
      if (c.is("on") && (c.is("delete", 1) || c.is("update", 1))) {
        c.pos += 2;
        if (c.eat("no")) c.expect("action");
        else if (c.eat("set")) c.pos++;
        else c.pos++;
      } else if (c.eat("match")) c.pos++;
      else if (c.is("not") && (c.is("enforced", 1) || c.is("deferrable", 1))) c.pos += 2;
      else if (modifiers.has(c.peek()?.lower ?? "") && c.peek()?.kind === "word") c.pos++;
      else break;
    }
    return { columns, table: path[path.length - 1] as Ident, refColumns, start };
  }

  /** BigQuery `OPTIONS(description = '...', ...)`: the description, other options warned. */
  private options(c: Cursor): string | undefined {
    const open = c.peek();
    const close = c.closeOf();
    let description: string | undefined;
    for (const [a, b] of splitAtCommas(c.tokens, c.pos + 1, close)) {
      const key = c.tokens[a] as SqlToken;
      const value = c.tokens[a + 2];
      if (key.lower === "description" && b - a === 3 && value?.kind === "string") description = value.text;
      else {
        this.src.warn(
          key.start,
          "sql-option-not-mapped",
          `option ${textOf(c.sql, c.tokens, a, b)} has no place in a contract; not carried`,
        );
      }
    }
    if (!open) throw new SqlSyntaxError(c.here(), "expected (");
    c.pos = close + 1;
    return description;
  }

  private tableConstraint(c: Cursor, table: Table): void {
    if (c.eat("constraint")) c.ident("a constraint name");
    const t = c.peek();
    if (!t) throw new SqlSyntaxError(c.here(), "expected a constraint after the constraint's name");
    if (c.eat("primary")) {
      c.expect("key");
      const columns = c.identList("a key column");
      if (table.primaryKey) {
        this.src.warn(
          t.start,
          "sql-primary-key-twice",
          `table ${table.name.name} declares a second primary key; ignored`,
        );
      } else table.primaryKey = { columns, start: t.start };
    } else if (c.eat("unique")) {
      if (!c.eat("key")) c.eat("index");
      if (!c.isPunct("(")) c.ident("an index name");
      table.uniques.push({ columns: c.identList("a unique column"), start: t.start });
    } else if (c.eat("foreign")) {
      c.expect("key");
      const columns = c.identList("a foreign key column");
      c.expect("references");
      table.foreignKeys.push(this.references(c, columns, t.start));
    } else if (c.eat("check")) {
      table.checks.push(this.checkBody(c));
    } else {
      this.src.warn(
        t.start,
        "sql-constraint-not-mapped",
        `${textOf(c.sql, c.tokens, c.pos, c.end)} in table ${table.name.name} has no place in a contract; not carried`,
      );
      c.pos = c.end;
      return;
    }
    while (c.pos < c.end && c.peek()?.kind === "word" && modifiers.has(c.peek()?.lower ?? "")) c.pos++;
    if (c.is("not") && (c.is("enforced", 1) || c.is("deferrable", 1))) c.pos += 2;
    if (c.pos < c.end) {
      this.src.warn(
        c.here(),
        "sql-constraint-not-mapped",
        `${textOf(c.sql, c.tokens, c.pos, c.end)} after the constraint is not read; not carried`,
      );
    }
  }

  /** What follows the column list: COMMENT = '...', OPTIONS(...), and options Quanta does not map. */
  private tableOptions(c: Cursor, table: Table): void {
    let unmapped: number | undefined;
    const flush = () => {
      if (unmapped === undefined) return;
      const end = c.pos;
      this.src.warn(
        c.tokens[unmapped]?.start ?? 0,
        "sql-table-option-not-mapped",
        `${textOf(c.sql, c.tokens, unmapped, end)} of table ${table.name.name} has no place in a contract; not carried`,
      );
      unmapped = undefined;
    };
    while (c.pos < c.end) {
      if (c.is("comment") && (c.isPunct("=", 1) || c.peek(1)?.kind === "string")) {
        flush();
        c.pos++;
        if (c.isPunct("=")) c.pos++;
        table.description = c.string("the comment");
      } else if (c.is("options") && c.isPunct("(", 1)) {
        flush();
        c.pos++;
        const description = this.options(c);
        if (description !== undefined) table.description = description;
      } else {
        unmapped ??= c.pos;
        if (c.isPunct("(")) c.pos = c.closeOf() + 1;
        else c.pos++;
      }
    }
    flush();
  }

  private comment(c: Cursor): void {
    const kindToken = c.peek();
    const kind = c.is("table") ? "table" : c.is("column") ? "column" : undefined;
    if (!kind || !kindToken) {
      this.src.warn(
        kindToken?.start ?? c.here(),
        "sql-statement-skipped",
        `COMMENT ON ${kindToken?.text.toUpperCase() ?? ""} is not read: only comments on tables and columns describe a contract; skipped`,
      );
      return;
    }
    c.pos++;
    const path = c.namePath(kind === "table" ? "a table name" : "table.column");
    c.expect("is");
    const text = c.eat("null") ? undefined : c.string("the comment");
    this.comments.push({ kind, path, text, start: kindToken.start });
  }

  /** `ALTER TABLE [ONLY] [IF EXISTS] t ADD [CONSTRAINT n] PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK …` (pg_dump writes keys so). */
  private alterTable(c: Cursor): boolean {
    c.eat("only");
    if (c.eat("if")) c.expect("exists");
    const path = c.namePath("a table name");
    if (!c.is("add")) return false;
    c.pos++;
    const k = c.is("constraint") ? 2 : 0;
    if (!["primary", "unique", "foreign", "check"].includes(c.peek(k)?.lower ?? "")) return false;
    const start = c.peek()?.start ?? 0;
    const rest = new Cursor(c.sql, c.tokens, c.pos, c.end);
    this.alters.push({ table: path, start, apply: (t) => this.tableConstraint(rest, t) });
    return true;
  }

  // ---- building the contract ----

  result(id: string): ImportResult {
    for (const [what, { count, first }] of this.skips) {
      if (count <= skipsNamed) continue;
      this.src.warn(
        first.start,
        "sql-statement-skipped",
        `${count - skipsNamed} more ${what} statements from here on are not read either; skipped`,
      );
    }
    for (const alter of this.alters) {
      const name = alter.table[alter.table.length - 1] as Ident;
      const table = this.tables.find((t) => same(t.name, name));
      if (!table) {
        this.src.warn(
          alter.start,
          "sql-unknown-table",
          `ALTER TABLE names ${name.name}, which no CREATE TABLE defines; skipped`,
        );
        continue;
      }
      try {
        alter.apply(table);
      } catch (e) {
        if (!(e instanceof SqlSyntaxError)) throw e;
        this.src.error(e.offset, "sql-syntax-error", e.message);
      }
    }
    for (const comment of this.comments) this.applyComment(comment);
    if (this.src.issues.some((i) => i.severity === "error")) return { value: {}, issues: this.sortedIssues() };
    if (this.tables.length === 0) {
      this.src.error(0, "sql-no-tables", "no CREATE TABLE statement here, so no schema to import");
      return { value: {}, issues: this.src.issues };
    }
    const schema = this.tables.map((t) => this.object(t));
    const value: JsonObject = {
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id,
      name: id,
      version: "1.0.0",
      status: "draft",
      schema,
    };
    return { value, issues: this.sortedIssues() };
  }

  private sortedIssues() {
    return [...this.src.issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private applyComment(comment: Comment): void {
    const last = comment.path[comment.path.length - 1] as Ident;
    if (comment.kind === "table") {
      const table = this.tables.find((t) => same(t.name, last));
      if (!table) {
        this.src.warn(
          comment.start,
          "sql-unknown-table",
          `COMMENT ON TABLE names ${last.name}, which no CREATE TABLE defines; skipped`,
        );
      } else if (comment.text !== undefined) table.description = comment.text;
      return;
    }
    const tableName = comment.path[comment.path.length - 2];
    const table = tableName && this.tables.find((t) => same(t.name, tableName));
    const column = table?.columns.find((k) => same(k.name, last));
    if (!column) {
      this.src.warn(
        comment.start,
        "sql-unknown-column",
        `COMMENT ON COLUMN names ${comment.path.map((p) => p.name).join(".")}, which no CREATE TABLE defines; skipped`,
      );
    } else if (comment.text !== undefined) column.description = comment.text;
  }

  private findColumn(table: Table, id: Ident, what: string): Column | undefined {
    const column = table.columns.find((k) => same(k.name, id));
    if (!column) {
      this.src.warn(
        id.start,
        "sql-unknown-column",
        `${what} names ${id.name}, which is not a column of ${table.name.name}; ignored`,
      );
    }
    return column;
  }

  private object(table: Table): JsonObject {
    const pk = table.primaryKey?.columns ?? [];
    const pkColumns = pk.map((id) => this.findColumn(table, id, "PRIMARY KEY")).filter((k) => k !== undefined);
    const inlinePk = table.columns.filter((k) => k.primaryKey);
    if (pkColumns.length > 0 && inlinePk.some((k) => !pkColumns.includes(k))) {
      this.src.warn(
        table.primaryKey?.start ?? 0,
        "sql-primary-key-twice",
        `table ${table.name.name} declares its primary key twice; the table constraint is read`,
      );
    }
    const keyColumns = pkColumns.length > 0 ? pkColumns : inlinePk;
    const uniques = new Set(table.columns.filter((k) => k.unique));
    const objectQuality: JsonObject[] = [];
    const objectRelationships: JsonObject[] = [];
    for (const u of table.uniques) {
      const cols = u.columns.map((id) => this.findColumn(table, id, "UNIQUE")).filter((k) => k !== undefined);
      if (cols.length !== u.columns.length) continue;
      if (cols.length === 1) uniques.add(cols[0] as Column);
      else {
        objectQuality.push({
          metric: "duplicateValues",
          arguments: { properties: cols.map((k) => k.name.name) },
          mustBe: 0,
          description: `UNIQUE (${cols.map((k) => k.name.name).join(", ")})`,
        });
      }
    }
    if (keyColumns.length === 1) uniques.add(keyColumns[0] as Column);
    const columnRefs = new Map<Column, string>();
    const externalRefs = new Map<Column, string>();
    for (const fk of [...table.foreignKeys, ...table.columns.flatMap((k) => (k.references ? [k.references] : []))]) {
      const cols = fk.columns.map((id) => this.findColumn(table, id, "FOREIGN KEY")).filter((k) => k !== undefined);
      if (cols.length !== fk.columns.length) continue;
      const targets = this.referenced(fk, table);
      if (!targets) continue;
      if (targets.external) {
        const to = `${targets.table}${targets.columns[0] === "" ? "" : `(${targets.columns.join(", ")})`}`;
        for (const k of cols) externalRefs.set(k, to);
        continue;
      }
      if (cols.length === 1) columnRefs.set(cols[0] as Column, `${targets.table}.${targets.columns[0]}`);
      else {
        objectRelationships.push({
          type: "foreignKey",
          from: cols.map((k) => `${table.name.name}.${k.name.name}`),
          to: targets.columns.map((k) => `${targets.table}.${k}`),
        });
      }
    }
    const checkColumns = new Map<string, CheckColumn>(
      table.columns.map((k) => [k.name.name, { name: k.name.name, logicalType: k.type?.logicalType }]),
    );
    const findings = new Map<string, CheckFinding[]>();
    for (const check of [...table.checks, ...table.columns.flatMap((k) => k.checks)]) {
      for (const f of readCheck(check.text, check.start, checkColumns, this.lex)) {
        if (f.kind === "option" || f.kind === "values") {
          const list = findings.get(f.column) ?? [];
          list.push(f);
          findings.set(f.column, list);
        } else if (f.kind === "sql") {
          objectQuality.push({
            type: "sql",
            name: `CHECK (${f.condition})`.slice(0, 200),
            query: `SELECT COUNT(*) FROM {object} WHERE NOT (${f.condition})`,
            mustBe: 0,
          });
        } else {
          this.src.warn(f.offset, "sql-check-not-mapped", `CHECK (${check.text}) is not carried: ${f.reason}`);
        }
      }
    }
    const properties = table.columns.map((k) =>
      this.property(k, {
        required: k.required || keyColumns.includes(k),
        unique: uniques.has(k),
        keyPosition: keyColumns.indexOf(k),
        findings: findings.get(k.name.name) ?? [],
        reference: columnRefs.get(k),
        externalReference: externalRefs.get(k),
      }),
    );
    const customProperties =
      table.qualifiers.length > 0
        ? [
            {
              property: table.qualifiers.length > 1 ? "sqlDatabaseSchema" : "sqlSchema",
              value: table.qualifiers.join("."),
            },
          ]
        : undefined;
    return compact({
      name: table.name.name,
      physicalName: table.name.name,
      physicalType: "table",
      description: table.description,
      properties,
      relationships: objectRelationships,
      quality: objectQuality,
      customProperties,
    });
  }

  /** The referenced table and columns by the names they have here; the primary key when no columns are named. */
  private referenced(fk: ForeignKey, from: Table): { table: string; columns: string[]; external?: true } | undefined {
    const target = this.tables.find((t) => same(t.name, fk.table));
    if (!target) {
      const columns = fk.refColumns.map((k) => k.name);
      this.src.warn(
        fk.start,
        "sql-reference-external",
        `REFERENCES ${fk.table.name}: no CREATE TABLE here defines it, so the foreign key is kept as the custom property references, not as a relationship`,
      );
      return { table: fk.table.name, columns: columns.length > 0 ? columns : [""], external: true };
    }
    let columns = fk.refColumns.map((id) => this.findColumn(target, id, "REFERENCES")?.name.name);
    if (fk.refColumns.length === 0) {
      const pk =
        target.primaryKey?.columns.map((id) => target.columns.find((k) => same(k.name, id))?.name.name) ??
        target.columns.filter((k) => k.primaryKey).map((k) => k.name.name);
      columns = pk;
    }
    if (columns.length !== fk.columns.length || columns.some((k) => k === undefined)) {
      this.src.warn(
        fk.start,
        "sql-foreign-key-mismatch",
        `the foreign key of ${from.name.name} does not pair its columns with ${target.name.name}'s; not carried`,
      );
      return undefined;
    }
    return { table: target.name.name, columns: columns as string[] };
  }

  private property(
    column: Column,
    facts: {
      required: boolean;
      unique: boolean;
      keyPosition: number;
      findings: CheckFinding[];
      reference?: string | undefined;
      externalReference?: string | undefined;
    },
  ): JsonObject {
    const type = column.type;
    const enumValues =
      type?.enumValues ??
      (type?.unknownName !== undefined ? this.enums.get(type.unknownName.toLowerCase()) : undefined);
    if (type?.unknownName !== undefined && enumValues === undefined) {
      this.src.warn(
        type.start,
        "sql-type-unknown",
        `type ${type.physicalType} is not one Quanta knows; read as string`,
      );
    }
    const logicalType: LogicalType | undefined = type?.logicalType;
    const options: JsonObject = {};
    const quality: JsonObject[] = [];
    if (type?.maxLength !== undefined) options.maxLength = type.maxLength;
    if (type?.timezone) options.timezone = true;
    if (enumValues && enumValues.length > 0) {
      quality.push({ metric: "invalidValues", arguments: { validValues: enumValues }, mustBe: 0 });
    }
    for (const f of facts.findings) {
      if (f.kind === "option") options[f.key] = f.value;
      else if (f.kind === "values") {
        quality.push({ metric: "invalidValues", arguments: { validValues: f.values }, mustBe: 0 });
      }
    }
    const customProperties = [
      ...(column.defaultValue !== undefined ? [{ property: "default", value: column.defaultValue }] : []),
      ...(facts.externalReference !== undefined ? [{ property: "references", value: facts.externalReference }] : []),
    ];
    return compact({
      name: column.name.name,
      physicalName: column.name.name,
      logicalType,
      physicalType: type?.physicalType,
      description: column.description,
      required: facts.required || undefined,
      unique: facts.unique || undefined,
      primaryKey: facts.keyPosition >= 0 || undefined,
      primaryKeyPosition: facts.keyPosition >= 0 ? facts.keyPosition + 1 : undefined,
      logicalTypeOptions: options,
      ...(type ? nested(type) : {}),
      relationships: facts.reference ? [{ type: "foreignKey", to: facts.reference }] : undefined,
      quality,
      customProperties,
    });
  }
}

/** The fields of a STRUCT and the items of an array, as ODCS `properties` and `items`. */
function nested(type: ParsedType): JsonObject {
  if (type.fields) return { properties: type.fields.map(field) };
  if (type.items) return { items: item(type.items) };
  return {};
}

function item(type: ParsedType): JsonObject {
  return compact({
    logicalType: type.logicalType,
    physicalType: type.physicalType,
    logicalTypeOptions: compact({ maxLength: type.maxLength, timezone: type.timezone }),
    ...nested(type),
  });
}

function field(f: ParsedField): JsonObject {
  return compact({
    name: f.name,
    ...item(f.type),
    description: f.description,
    required: f.required || undefined,
  });
}
