import { DuckDbDialect, EngineError, InputError, QuantaError, UnprocessableError } from "@quanta/core";
import { type DuckDBConnection, DuckDBInstance } from "../duckdb-api.js";
import { judgeParseTree } from "../duckdb-guard.js";
import { instanceOptions, loadRemoteExtensions, lockDown, rootsOf } from "../lock-down.js";
import { fileFormats, filesLiteral, readableRoot, readerSql } from "../sources.js";
import type { SandboxDataset } from "./sandbox-dataset.js";

const dialect = new DuckDbDialect();
/** Guard verdicts kept per sandbox. */
const maxVerdicts = 512;

const catalog = "reads the catalog (the views' definitions), not the rows they serve";
const typeValues = "lists every value of the column's ENUM type, not only those of the rows served";
/**
 * Scalar functions that answer from the files' statistics, the catalog or the server instead of
 * the rows a view serves: over a view with a row filter or masks they would show what it hides
 * (stats() reports the file's minimum and maximum, pg_get_viewdef the filter itself). Table
 * functions (parquet_metadata, duckdb_*, read_*, glob, summary …) the engine's guard refuses.
 */
const pastTheView: Record<string, string> = {
  stats: "reads the statistics of the files behind the view (minimum, maximum of every row), not the rows it serves",
  pg_get_viewdef: catalog,
  pg_get_expr: catalog,
  pg_get_constraintdef: catalog,
  col_description: catalog,
  obj_description: catalog,
  shobj_description: catalog,
  current_query: "reads the statement the server runs around the query",
  json_serialize_plan: "plans SQL passed as text, which this guard does not see",
  getvariable: "reads the server's variables",
  enum_range: typeValues,
  enum_range_boundary: typeValues,
  enum_first: typeValues,
  enum_last: typeValues,
};

function* nodes(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const v of value) yield* nodes(v);
  else if (typeof value === "object" && value !== null) {
    yield value as Record<string, unknown>;
    for (const v of Object.values(value)) yield* nodes(v);
  }
}

/** The engine's guard, then what only a reader behind a filtered or masked view must not do. */
export function judgeConsumerSql(serialized: string, tables: ReadonlySet<string>): ReturnType<typeof judgeParseTree> {
  const verdict = judgeParseTree(serialized, tables);
  if (!verdict.ok) return verdict;
  for (const node of nodes(JSON.parse(serialized))) {
    const name = node.class === "FUNCTION" ? String(node.function_name).toLowerCase() : "";
    const why = Object.hasOwn(pastTheView, name) ? pastTheView[name] : undefined;
    if (why) return { ok: false, reason: `function ${name}() ${why}` };
    // SUMMARIZE, DESCRIBE and SHOW: statements of their own, not a SELECT of rows.
    if (node.type === "SHOW_REF") return { ok: false, reason: "SUMMARIZE, DESCRIBE and SHOW are not allowed" };
  }
  return verdict;
}

/** How the guard knows a dataset's view: its name, or `schema.name` across ports (lower case, as DuckDB folds). */
const viewKey = (d: SandboxDataset) => (d.schema ? `${d.schema}.${d.name}` : d.name).toLowerCase();

export interface SandboxOptions {
  /** The only folder DuckDB may write (result files); one per sandbox, a file per query. */
  outputDir?: string | undefined;
  threads?: number;
  memoryLimit?: string;
}

/**
 * A fresh DuckDB instance that sees the port's datasets as views and nothing else: after the views
 * exist, file access is limited to their files (and the request's own output folder), extensions
 * cannot load, and the configuration is locked, so no statement can widen it again.
 */
export class ConsumerSandbox {
  private readonly verdicts = new Map<string, ReturnType<typeof judgeParseTree>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly tables: ReadonlySet<string>,
  ) {}

  static async open(datasets: readonly SandboxDataset[], options: SandboxOptions = {}): Promise<ConsumerSandbox> {
    const instance = await DuckDBInstance.create(":memory:", {
      ...instanceOptions,
      threads: String(options.threads ?? 2),
      memory_limit: options.memoryLimit ?? "1GB",
    });
    const conn = await instance.connect();
    const sandbox = new ConsumerSandbox(instance, conn, new Set(datasets.map((d) => viewKey(d))));
    try {
      await loadRemoteExtensions(
        conn,
        datasets.flatMap((d) => d.files ?? []),
      );
      // Database files attached read-only, each once, under names the consumer cannot write (the
      // guard refuses any table but the views): only the views below read them.
      const databases = [...new Set(datasets.flatMap((d) => (d.table ? [d.table.database] : [])))];
      for (const [i, database] of databases.entries()) {
        await conn
          .run(`ATTACH ${dialect.stringLiteral(database)} AS quanta_db_${i} (READ_ONLY)`)
          .catch((e: unknown) => {
            throw new UnprocessableError(
              `a DuckDB database of the port cannot be opened: ${(e as Error).message.split("\n")[0]}`,
              {
                code: "dataset-unreadable",
              },
            );
          });
      }
      for (const schema of new Set(datasets.flatMap((d) => (d.schema ? [d.schema] : [])))) {
        await conn.run(`CREATE SCHEMA ${dialect.quoteIdentifier(schema)}`);
      }
      for (const d of datasets) {
        const view = (d.schema ? `${dialect.quoteIdentifier(d.schema)}.` : "") + dialect.quoteIdentifier(d.name);
        const source = datasetSql(d, databases);
        // Masks and row filters live in the view itself: the consumer's SQL can only read the view.
        await conn.run(`CREATE VIEW ${view} AS ${await protectedSelect(conn, d, source)}`).catch((e: unknown) => {
          if (e instanceof QuantaError && !(e instanceof EngineError)) throw e;
          throw new UnprocessableError(`dataset "${d.name}" cannot be read: ${(e as Error).message.split("\n")[0]}`, {
            code: "dataset-unreadable",
          });
        });
      }
      const roots = [...datasets.flatMap((d) => (d.files ?? []).map(readableRoot)), ...databases.map(readableRoot)];
      await lockDown(conn, rootsOf(roots, options.outputDir ? [options.outputDir] : []));
    } catch (e) {
      sandbox.close();
      throw e;
    }
    return sandbox;
  }

  /**
   * Refuses anything but one SELECT over the port's datasets (DuckDB's own parse tree): no table
   * functions (read_csv, glob …), no file paths, no other databases, no settings, nothing that
   * reads statistics or the catalog instead of the rows the views serve.
   */
  async guard(sql: string, conn: DuckDBConnection = this.conn): Promise<void> {
    let verdict = this.verdicts.get(sql);
    if (!verdict) {
      const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${dialect.stringLiteral(sql)})::VARCHAR`);
      verdict = judgeConsumerSql(String(reader.getRows()[0]?.[0] ?? ""), this.tables);
      // A pooled sandbox sees the same statements again (dashboards, previews): the verdict depends
      // only on the text and this sandbox's tables, so it is kept (the oldest dropped past the cap).
      if (this.verdicts.size >= maxVerdicts) this.verdicts.delete(this.verdicts.keys().next().value ?? "");
      this.verdicts.set(sql, verdict);
    }
    if (!verdict.ok) {
      throw new InputError(
        `${verdict.reason.replace(" in a contract rule", "").replace("the contract's objects", "the port's datasets")}; a consume query is one SELECT over the port's datasets (${[...this.tables].join(", ")})`,
        { code: "sql-refused" },
      );
    }
  }

  /** Another connection to the same views and settings (one per query of a pooled sandbox). */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  close(): void {
    try {
      this.conn.closeSync();
      this.instance.closeSync();
    } catch {
      // already closed
    }
  }
}

/**
 * What a masked column serves instead of its values, keeping the column's type: text columns read
 * `'***'` (a reader sees that something is hidden), every other type NULL of its own type, so a
 * masked BOOLEAN is still a BOOLEAN and a date a date (a `'***'` string there breaks the reader's
 * types, filters and sums). `CASE WHEN FALSE THEN col END` is that typed NULL without writing the
 * type out: no type text taken from the file is spliced into SQL.
 */
function maskExpression(column: string, type: string | undefined): string {
  const col = dialect.quoteIdentifier(column);
  // An unknown type (the column is not in the file) keeps the text mask; the view then fails to bind.
  const text = type === undefined || dialect.baseType(type) === "varchar";
  return `${text ? "'***'::VARCHAR" : `CASE WHEN FALSE THEN ${col} END`} AS ${col}`;
}

/** The source's columns (name as in the file, DuckDB type), keyed by lower-cased name (DuckDB folds identifiers). */
async function columnsOf(
  conn: DuckDBConnection,
  d: SandboxDataset,
  source: string,
): Promise<Map<string, { name: string; type: string }>> {
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`).catch((e: unknown) => {
    throw new UnprocessableError(`dataset "${d.name}" cannot be read: ${(e as Error).message.split("\n")[0]}`, {
      code: "dataset-unreadable",
    });
  });
  return new Map(
    described.getRows().map((r) => [String(r[0]).toLowerCase(), { name: String(r[0]), type: String(r[1]) }]),
  );
}

/**
 * `SELECT * REPLACE (<mask> AS masked…) FROM source WHERE (filter) AND …`, masks as `maskExpression`
 * writes them. Each row filter is a producer's boolean expression: it must parse as one expression
 * over the dataset's own columns (no table functions, files or other tables) and be of type
 * BOOLEAN, else the port serves nothing.
 */
async function protectedSelect(conn: DuckDBConnection, d: SandboxDataset, source: string): Promise<string> {
  const masked = d.masked ?? [];
  const columns = masked.length > 0 ? await columnsOf(conn, d, source) : new Map();
  // The column keeps its name as the file spells it (a contract may spell it in another case).
  const mask = (c: string) => {
    const column = columns.get(c.toLowerCase());
    return maskExpression(column?.name ?? c, column?.type);
  };
  const replace = masked.length > 0 ? ` REPLACE (${masked.map(mask).join(", ")})` : "";
  const filters = d.rowFilters ?? [];
  for (const f of filters) {
    const refuse = (why: string) =>
      new UnprocessableError(
        `the row filter ${JSON.stringify(f)} of "${d.name}" ${why}; the port serves no data until it is fixed`,
        { code: "row-filter-invalid" },
      );
    const probe = `SELECT * FROM quanta_rows WHERE (\n${f}\n)`;
    const tree = await conn.runAndReadAll(`SELECT json_serialize_sql(${dialect.stringLiteral(probe)})::VARCHAR`);
    const verdict = judgeParseTree(String(tree.getRows()[0]?.[0] ?? ""), new Set(["quanta_rows"]));
    if (!verdict.ok) throw refuse(`is refused: ${verdict.reason.replace(" in a contract rule", "")}`);
    const typed = await conn.runAndReadAll(`DESCRIBE SELECT (\n${f}\n) AS keep FROM ${source}`).catch((e: unknown) => {
      throw refuse(`does not bind: ${(e as Error).message.split("\n")[0]}`);
    });
    const type = String(typed.getRows()[0]?.[1] ?? "");
    if (type !== "BOOLEAN") throw refuse(`is of type ${type || "unknown"}, not BOOLEAN`);
  }
  // One level per filter, so no filter's text can change how another one groups (OR/AND precedence).
  const filtered = filters.reduce(
    (from, f, i) => `(SELECT * FROM ${from} WHERE (\n${f}\n)) AS quanta_filter_${i}`,
    source,
  );
  return `SELECT *${replace} FROM ${filtered}`;
}

/** The engine's table function for the dataset's format (the same readers contract tests use). */
function datasetSql(d: SandboxDataset, databases: readonly string[]): string {
  if (d.table) {
    const t = d.table;
    return [`quanta_db_${databases.indexOf(t.database)}`, ...(t.schema ? [t.schema] : []), t.table]
      .map((part, i) => (i === 0 ? part : dialect.quoteIdentifier(part)))
      .join(".");
  }
  const format = d.format ?? "";
  if (!fileFormats.includes(format) || !d.files?.length) {
    throw new UnprocessableError(`cannot read format ${format || "(none)"} of "${d.name}"`, {
      code: "unreadable-format",
    });
  }
  return readerSql(format, filesLiteral(d.files));
}
