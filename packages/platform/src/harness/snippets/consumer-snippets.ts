/**
 * Code a consumer copies to read a port, in the shapes the API really answers: every call carries
 * the token (from `$QUANTA_TOKEN`, never the token itself), JSON rows are objects keyed by column
 * name. Pure: the route gathers the port's datasets and, for a store with grants, the agreement's
 * connection, and this turns them into text.
 */

export interface SnippetPort {
  /** The platform's address as the consumer reaches it. */
  baseUrl: string;
  productId: string;
  port: string;
  /** The port's datasets (views in the consume sandbox) with their top-level columns. */
  datasets: readonly { name: string; columns: readonly string[] }[];
  /** For a port in a store that holds grants, with an active agreement of the caller's team. */
  connection?: {
    agreementId: string;
    host: string;
    port: number;
    database: string;
    role: string;
    views: readonly { dataset: string; view: string }[];
  };
}

export type SnippetLanguage = "curl" | "python" | "typescript" | "duckdb" | "sql" | "psql";

export interface Snippet {
  language: SnippetLanguage;
  label: string;
  code: string;
  /** What the code needs before it runs (a token, a password). */
  note: string;
}

const tokenNote =
  "Reads your API token from $QUANTA_TOKEN: export QUANTA_TOKEN=… (make one with POST /api/tokens; `quanta login` stores one for the console).";

/** DuckDB (the consume sandbox) identifiers: plain lower-case names bare, anything else quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL identifiers: always quoted, so a view named like a keyword or with capitals works. */
const quotePg = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** POSIX single quotes: nothing inside is special except the quote itself. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Python and TypeScript string literals: JSON's escaping is valid in both. */
const lit = (s: string) => JSON.stringify(s);

function columnList(columns: readonly string[], quote: (name: string) => string): string {
  const cols = columns.length > 0 ? columns.slice(0, 8).map(quote) : ["*"];
  return cols.length > 3 ? `\n  ${cols.join(",\n  ")}\n` : ` ${cols.join(", ")} `;
}

/** A starting query over the first dataset: its columns, a few rows. */
export function exampleSql(port: SnippetPort, limit = 100): string {
  const ds = port.datasets[0];
  if (!ds) return "SELECT 1";
  return `SELECT${columnList(ds.columns, quoteIdent)}FROM ${quoteIdent(ds.name)}\nLIMIT ${limit}`;
}

/** Queries on a command line: one line, single spaces. */
const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

const pythonString = (s: string) =>
  s.includes("\n") && !s.includes('"""') && !s.endsWith('"') ? `"""${s.replaceAll("\\", "\\\\")}"""` : lit(s);

export function consumerSnippets(port: SnippetPort): Snippet[] {
  const sql = exampleSql(port);
  const url = `${port.baseUrl.replace(/\/+$/, "")}/api/products/${encodeURIComponent(port.productId)}/consume`;
  const request = (format: string, query = sql) => JSON.stringify({ port: port.port, sql: query, limit: 100, format });
  const curlHead = [
    `curl -sS --fail-with-body ${shellQuote(url)} \\`,
    '  -H "Authorization: Bearer $QUANTA_TOKEN" \\',
    "  -H 'Content-Type: application/json' \\",
  ];
  const first = port.datasets[0];
  const file = `${(first?.name ?? "port").replace(/[^\w.-]+/g, "_")}.parquet`;
  const snippets: Snippet[] = [
    {
      language: "curl",
      label: "curl",
      note: `${tokenNote} Prints CSV with a header row.`,
      code: [...curlHead, `  -d ${shellQuote(request("csv"))}`].join("\n"),
    },
    {
      language: "python",
      label: "Python",
      note: `${tokenNote} Standard library only (Python 3.8+).`,
      code: [
        "import json",
        "import os",
        "import urllib.error",
        "import urllib.request",
        "",
        `sql = ${pythonString(sql)}`,
        "request = urllib.request.Request(",
        `    ${lit(url)},`,
        `    data=json.dumps({"port": ${lit(port.port)}, "sql": sql, "limit": 100, "format": "json"}).encode(),`,
        "    headers={",
        `        "Authorization": "Bearer " + os.environ["QUANTA_TOKEN"],`,
        '        "Content-Type": "application/json",',
        "    },",
        ")",
        "try:",
        "    with urllib.request.urlopen(request) as response:",
        "        result = json.load(response)",
        "except urllib.error.HTTPError as error:",
        '    raise SystemExit(json.load(error)["error"]["message"])',
        "",
        "# Each row is an object: column name → value.",
        'for row in result["rows"]:',
        "    print(row)",
        'if result["truncated"]:',
        `    print("(more rows than the", result["rowCount"], "shown)")`,
      ].join("\n"),
    },
    {
      language: "typescript",
      label: "TypeScript",
      note: `${tokenNote} Node 18+ (fetch built in) or a browser.`,
      code: [
        "interface ConsumeResult {",
        "  columns: { name: string; type: string }[];",
        "  /** Each row is an object: column name → value. */",
        "  rows: Record<string, unknown>[];",
        "  rowCount: number;",
        "  truncated: boolean;",
        "}",
        "",
        `const response = await fetch(${lit(url)}, {`,
        '  method: "POST",',
        "  headers: {",
        "    Authorization: `Bearer ${process.env.QUANTA_TOKEN}`,",
        '    "Content-Type": "application/json",',
        "  },",
        `  body: JSON.stringify({ port: ${lit(port.port)}, sql: ${lit(sql)}, limit: 100, format: "json" }),`,
        "});",
        "if (!response.ok) throw new Error(((await response.json()) as { error: { message: string } }).error.message);",
        "const result = (await response.json()) as ConsumeResult;",
        "console.table(result.rows);",
      ].join("\n"),
    },
    {
      language: "duckdb",
      label: "DuckDB",
      note: `${tokenNote} Downloads the rows as Parquet, then queries the file with the DuckDB CLI.`,
      code: [
        ...curlHead,
        `  -d ${shellQuote(request("parquet", `SELECT * FROM ${quoteIdent(first?.name ?? "data")}`))} \\`,
        `  -o ${shellQuote(file)}`,
        `duckdb -c ${shellQuote(oneLine(`SELECT${columnList(first?.columns ?? [], quoteIdent)}FROM '${file}' LIMIT 100`))}`,
      ].join("\n"),
    },
    {
      language: "sql",
      label: "SQL",
      note: "The query the calls above send: it runs where the port's data lives, over views named after its datasets.",
      code: sql,
    },
  ];
  const connection = port.connection;
  if (connection) {
    const view = connection.views.find((v) => v.dataset === first?.name) ?? connection.views[0];
    const conninfo = `host=${connection.host} port=${connection.port} dbname=${connection.database} user=${connection.role}`;
    const query = `SELECT${columnList(first?.columns ?? [], quotePg)}FROM ${view ? view.view.split(".").map(quotePg).join(".") : "…"}\nLIMIT 100`;
    snippets.push({
      language: "psql",
      label: "psql",
      note: `Your agreement ${connection.agreementId} is a role of its own in the database. Its password is shown once by \`quanta access connection ${connection.agreementId}\`: put it in $PGPASSWORD or ~/.pgpass, never on the command line.`,
      code: [`psql ${shellQuote(conninfo)} \\`, `  -c ${shellQuote(oneLine(query))}`].join("\n"),
    });
  }
  return snippets;
}
