export interface SqlToken {
  kind: "word" | "quoted" | "string" | "number" | "punct";
  /** Words lower-cased; quoted identifiers unquoted; strings without quotes. */
  text: string;
  offset: number;
}

/**
 * A small SQL lexer: enough to split statements and find keywords outside strings and comments.
 * The parser proves the structure; this only gives positions and catches what the parser's
 * dialect would misread (DuckDB's `FROM 'file.csv'`, statements the parser does not know).
 */
export function lexSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      const start = i;
      let text = "";
      i++;
      while (i < n) {
        if (sql[i] === c && sql[i + 1] === c) {
          text += c;
          i += 2;
        } else if (sql[i] === c) {
          i++;
          break;
        } else {
          text += sql[i];
          i++;
        }
      }
      tokens.push({ kind: c === "'" ? "string" : "quoted", text, offset: start });
    } else if (c === "$" && /^\$[A-Za-z_]*\$/.test(sql.slice(i, i + 64))) {
      const tag = (/^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? n : end + tag.length;
      tokens.push({ kind: "string", text: sql.slice(i + tag.length, end < 0 ? n : end), offset: i });
      i = stop;
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[\w$]/.test(sql[i] as string)) i++;
      tokens.push({ kind: "word", text: sql.slice(start, i).toLowerCase(), offset: start });
    } else if (/\d/.test(c)) {
      const start = i;
      while (i < n && /[\d.eE]/.test(sql[i] as string)) i++;
      tokens.push({ kind: "number", text: sql.slice(start, i), offset: start });
    } else {
      tokens.push({ kind: "punct", text: c, offset: i });
      i++;
    }
  }
  return tokens;
}
