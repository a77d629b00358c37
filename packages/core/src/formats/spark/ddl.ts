import { formatLimits } from "../format.js";
import type { TextSource } from "../text-source.js";
import { knownTypes, primitive, type SparkField, type SparkType } from "./types.js";

type Token =
  | { kind: "word"; text: string; at: number }
  | { kind: "quoted"; text: string; at: number }
  | { kind: "string"; text: string; at: number }
  | { kind: "number"; text: string; at: number }
  | { kind: "punct"; text: string; at: number }
  | { kind: "end"; text: ""; at: number };

class DdlError extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

const escapes: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", "0": "\u0000" };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const at = i;
    if (c === "`") {
      let name = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new DdlError(at, "unterminated `quoted` name");
        if (text[i] === "`") {
          if (text[i + 1] === "`") {
            name += "`";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += text[i];
        i++;
      }
      tokens.push({ kind: "quoted", text: name, at });
      continue;
    }
    if (c === "'" || c === '"') {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new DdlError(at, "unterminated string");
        const d = text[i] ?? "";
        if (d === "\\") {
          const e = text[i + 1] ?? "";
          value += escapes[e] ?? e;
          i += 2;
          continue;
        }
        if (d === c) {
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: "string", text: value, at });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (word) {
      tokens.push({ kind: "word", text: word[0], at });
      i += word[0].length;
      continue;
    }
    const num = /^\d+/.exec(text.slice(i, i + 32));
    if (num) {
      tokens.push({ kind: "number", text: num[0], at });
      i += num[0].length;
      continue;
    }
    if ("<>(),:;".includes(c)) {
      tokens.push({ kind: "punct", text: c, at });
      i++;
      continue;
    }
    throw new DdlError(at, `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: "end", text: "", at: text.length });
  return tokens;
}

/**
 * Parses a Spark DDL column list (`id BIGINT NOT NULL, name STRING COMMENT '...'`, what
 * `StructType.toDDL` writes and `StructType.fromDDL` reads) into fields. Problems are reported on
 * `src` at their offset; the result is undefined then.
 */
export function parseDdl(src: TextSource): SparkField[] | undefined {
  const statement = /^\s*(?:--[^\n]*\n\s*)*(CREATE|ALTER|REPLACE|SELECT|INSERT)\b/i.exec(src.text);
  if (statement?.[1]) {
    src.error(
      statement.index + statement[0].length - statement[1].length,
      "spark-ddl-statement",
      `a ${statement[1].toUpperCase()} statement is not supported: give the column list (what df.schema.toDDL prints)`,
    );
    return undefined;
  }
  try {
    return new DdlParser(tokenize(src.text)).columns();
  } catch (e) {
    if (e instanceof DdlError) {
      src.error(e.at, "spark-ddl-syntax", e.message);
      return undefined;
    }
    throw e;
  }
}

class DdlParser {
  private i = 0;
  private count = 0;

  constructor(private readonly tokens: Token[]) {}

  get peek(): Token {
    return this.tokens[this.i] ?? { kind: "end", text: "", at: 0 };
  }

  private next(): Token {
    const t = this.peek;
    if (t.kind !== "end") this.i++;
    return t;
  }

  private atPunct(text: string): boolean {
    return this.peek.kind === "punct" && this.peek.text === text;
  }

  atEnd(): boolean {
    return this.peek.kind === "end";
  }

  private isWord(word: string): boolean {
    return this.peek.kind === "word" && this.peek.text.toUpperCase() === word;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.kind !== "punct" || t.text !== text) throw new DdlError(t.at, `expected ${text}, found ${describe(t)}`);
    return t;
  }

  columns(): SparkField[] {
    const fields: SparkField[] = [];
    if (this.atEnd()) throw new DdlError(0, "no columns: expected name TYPE, ...");
    for (;;) {
      fields.push(this.field(1, false));
      const t = this.next();
      if (t.kind === "end") break;
      if (t.kind === "punct" && t.text === ";" && this.atEnd()) break;
      if (t.kind !== "punct" || t.text !== ",") throw new DdlError(t.at, `expected , or the end, found ${describe(t)}`);
    }
    return fields;
  }

  private field(depth: number, inStruct: boolean): SparkField {
    if (++this.count > formatLimits.maxElements) {
      throw new DdlError(this.peek.at, `more than ${formatLimits.maxElements} fields`);
    }
    const t = this.next();
    if (t.kind !== "word" && t.kind !== "quoted")
      throw new DdlError(t.at, `expected a column name, found ${describe(t)}`);
    if (inStruct && this.atPunct(":")) this.next();
    const type = this.type(depth);
    let nullable = true;
    let comment: string | undefined;
    for (;;) {
      if (this.isWord("NOT")) {
        const not = this.next();
        if (!this.isWord("NULL")) throw new DdlError(not.at, "expected NULL after NOT");
        this.next();
        nullable = false;
      } else if (this.isWord("COMMENT")) {
        this.next();
        const s = this.next();
        if (s.kind !== "string") throw new DdlError(s.at, `expected a quoted comment, found ${describe(s)}`);
        comment = s.text;
      } else if (this.isWord("DEFAULT") || this.isWord("GENERATED")) {
        throw new DdlError(
          this.peek.at,
          `${this.peek.text.toUpperCase()} is not supported: a contract has no column defaults`,
        );
      } else {
        break;
      }
    }
    return { name: t.text, type, nullable, ...(comment !== undefined ? { comment } : {}), at: t.at };
  }

  type(depth: number): SparkType {
    const t = this.next();
    if (depth > formatLimits.maxDepth)
      throw new DdlError(t.at, `types nest more than ${formatLimits.maxDepth} levels deep`);
    if (t.kind !== "word") throw new DdlError(t.at, `expected a type, found ${describe(t)}`);
    const name = t.text.toUpperCase();
    if (name === "ARRAY") {
      this.expect("<");
      const element = this.type(depth + 1);
      this.expect(">");
      return { kind: "array", element, containsNull: true };
    }
    if (name === "MAP") {
      this.expect("<");
      const key = this.type(depth + 1);
      this.expect(",");
      const value = this.type(depth + 1);
      this.expect(">");
      return { kind: "map", key, value, valueContainsNull: true };
    }
    if (name === "STRUCT") {
      this.expect("<");
      const fields: SparkField[] = [];
      if (!this.atPunct(">")) {
        for (;;) {
          fields.push(this.field(depth + 1, true));
          if (this.atPunct(",")) {
            this.next();
            continue;
          }
          break;
        }
      }
      this.expect(">");
      return { kind: "struct", fields };
    }
    if (name === "INTERVAL") {
      let spelled = "INTERVAL";
      const units = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];
      if (units.some((u) => this.isWord(u))) {
        spelled += ` ${this.next().text}`;
        if (this.isWord("TO")) {
          this.next();
          const to = this.next();
          spelled += ` TO ${to.text}`;
        }
      }
      const p = primitive(spelled);
      if (!p) throw new DdlError(t.at, `${spelled} is not a Spark interval type`);
      return p;
    }
    const params: number[] = [];
    if (this.atPunct("(")) {
      this.next();
      for (;;) {
        const n = this.next();
        if (n.kind !== "number") throw new DdlError(n.at, `expected a number, found ${describe(n)}`);
        params.push(Number(n.text));
        if (this.atPunct(",")) {
          this.next();
          continue;
        }
        break;
      }
      this.expect(")");
    }
    const p = primitive(t.text, params);
    if (!p) {
      throw new DdlError(
        t.at,
        `${t.text}${params.length ? `(${params.join(",")})` : ""} is not a Spark type (known: ${knownTypes.join(", ")})`,
      );
    }
    return p;
  }
}

function describe(t: Token): string {
  return t.kind === "end" ? "the end" : t.kind === "string" ? "a string" : JSON.stringify(t.text);
}

/** Parses one DDL type (a property's physicalType such as `MAP<STRING, BIGINT>`), or undefined. */
export function parseDdlType(text: string): SparkType | undefined {
  try {
    const parser = new DdlParser(tokenize(text));
    const type = parser.type(1);
    return parser.peek.kind === "end" ? type : undefined;
  } catch {
    return undefined;
  }
}
