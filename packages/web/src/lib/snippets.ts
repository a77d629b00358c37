export interface SnippetInput {
  /** The platform's address as the browser sees it (`window.location.origin`). */
  baseUrl: string;
  productId: string;
  port: string;
  /** The port's datasets (views in the consume sandbox) with their columns. */
  datasets: { name: string; columns: string[] }[];
}

export type SnippetLanguage = "sql" | "python" | "typescript" | "shell";

export const snippetLabels: Record<SnippetLanguage, string> = {
  sql: "SQL",
  python: "Python",
  typescript: "TypeScript",
  shell: "curl",
};

/** SQL identifiers in the consume sandbox are DuckDB's: quote any name that is not plain lower-case. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A starting query: the first dataset's columns, a few rows. */
export function exampleSql(input: SnippetInput): string {
  const ds = input.datasets[0];
  if (!ds) return "SELECT 1";
  const cols = ds.columns.length > 0 ? ds.columns.slice(0, 8).map(quoteIdent) : ["*"];
  const list = cols.length > 3 ? `\n  ${cols.join(",\n  ")}\n` : ` ${cols.join(", ")} `;
  return `SELECT${list}FROM ${quoteIdent(ds.name)}\nLIMIT 100`;
}

/** Python and TypeScript string literals: JSON's escaping is valid in both. */
const lit = (s: string) => JSON.stringify(s);

/** Code a consumer copies to read the port: the SQL itself and calls of the consume API. */
export function snippets(input: SnippetInput): Record<SnippetLanguage, string> {
  const sql = exampleSql(input);
  const url = `${input.baseUrl}/api/products/${encodeURIComponent(input.productId)}/consume`;
  const body = { port: input.port, sql, limit: 100, format: "json" };
  const pySql = sql.includes("\n") ? `"""${sql.replaceAll("\\", "\\\\").replaceAll('"""', '\\"\\"\\"')}"""` : lit(sql);
  return {
    sql,
    python: [
      "import json, urllib.request",
      "",
      `sql = ${pySql}`,
      "request = urllib.request.Request(",
      `    ${lit(url)},`,
      `    data=json.dumps({"port": ${lit(input.port)}, "sql": sql, "limit": 100, "format": "json"}).encode(),`,
      '    headers={"content-type": "application/json"},',
      ")",
      "with urllib.request.urlopen(request) as response:",
      "    result = json.load(response)",
      'names = [c["name"] for c in result["columns"]]',
      'for row in result["rows"]:',
      "    print(dict(zip(names, row)))",
    ].join("\n"),
    typescript: [
      `const response = await fetch(${lit(url)}, {`,
      '  method: "POST",',
      '  headers: { "content-type": "application/json" },',
      `  body: JSON.stringify(${JSON.stringify(body, null, 2).replaceAll("\n", "\n  ")}),`,
      "});",
      "if (!response.ok) throw new Error((await response.json()).error.message);",
      "const { columns, rows } = (await response.json()) as { columns: { name: string }[]; rows: unknown[][] };",
      "console.table(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.name, row[i]]))));",
    ].join("\n"),
    shell: [
      `curl -sS ${shellQuote(url)} \\`,
      "  -H 'content-type: application/json' \\",
      `  -d ${shellQuote(JSON.stringify({ ...body, format: "csv" }))}`,
    ].join("\n"),
  };
}

/** POSIX single quotes: nothing inside is special except the quote itself. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
