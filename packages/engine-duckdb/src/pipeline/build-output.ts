import { mkdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { DuckDbDialect, EngineError, InputError, QuantaError, UnprocessableError } from "@quanta/core";
import { ConsumerSandbox, judgeConsumerSql } from "../consume/consumer-sandbox.js";
import type { SandboxDataset } from "../consume/sandbox-dataset.js";

const dialect = new DuckDbDialect();
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

export interface BuildStep {
  name: string;
  sql: string;
}

export interface BuildRequest {
  /** The inputs as views, with the masks and row filters of the reader's agreement. */
  inputs: readonly SandboxDataset[];
  steps: readonly BuildStep[];
  /** The Parquet file to write the last step's rows to; its folder is the only one DuckDB may write. */
  outputFile: string;
  outputDir: string;
  timeoutMs: number;
  threads?: number;
  memoryLimit?: string;
  /** Stops the build when aborted (a cancelled run): the running statement is interrupted. */
  signal?: AbortSignal;
}

export interface BuiltStep {
  name: string;
  /**
   * The statement DuckDB ran for the step: a temporary table (or view, see `buildOutput`) for a
   * step before the last, the `COPY … TO` of the output file (named without its folder) for the last.
   */
  sql: string;
  startedAt: string;
  /** Its statement's time; a view's is counting its rows (its rows are read by the step reading it). */
  ms: number;
  rows: number;
  status: "passed" | "failed";
  error: string | null;
}

export interface BuildResult {
  /** Rows of each input view, by its name. */
  rowsIn: Record<string, number>;
  rowsOut: number;
  steps: BuiltStep[];
}

/** A step failed: the steps so far (the failed one last) travel with it. */
export class BuildFailed extends UnprocessableError {
  constructor(
    message: string,
    readonly steps: BuiltStep[],
    readonly rowsIn: Record<string, number>,
    code: string,
  ) {
    super(message, { code });
  }
}

/** Why `signal` was aborted, in words. */
const abortReason = (signal: AbortSignal) =>
  signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "the build was stopped");

const viewKey = (d: SandboxDataset) => (d.schema ? `${d.schema}.${d.name}` : d.name);

/** The rows a `CREATE TABLE … AS` or a `COPY … TO` answers it wrote (its `Count` column). */
const countOf = (reader: { getRows(): unknown[][] }) => Number(reader.getRows()[0]?.[0] ?? 0);

/** What a view reads, whatever its name: a port of one dataset is one view under two names. */
const sourceKey = (d: SandboxDataset) =>
  JSON.stringify([d.files ?? null, d.format ?? null, d.table ?? null, d.masked ?? [], d.rowFilters ?? []]);

/** DuckDB errors of writing the file, not of computing the rows. */
const writeError = /^(IO|Permission) Error/;

type Node = Record<string, unknown>;
function* nodes(value: unknown): Generator<Node> {
  if (Array.isArray(value)) for (const v of value) yield* nodes(v);
  else if (typeof value === "object" && value !== null) {
    yield value as Node;
    for (const v of Object.values(value)) yield* nodes(v);
  }
}

type Conn = ConsumerSandbox["conn"];

/** A step's parse tree (DuckDB's `json_serialize_sql`), or undefined when it does not parse. */
async function parseTree(conn: Conn, sql: string): Promise<Node | undefined> {
  const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${dialect.stringLiteral(sql)})::VARCHAR`);
  const tree = JSON.parse(String(reader.getRows()[0]?.[0] ?? "{}")) as Node;
  return tree.error ? undefined : tree;
}

/** How often a parse tree reads the table `name` (lower case) of no schema: a step. */
const readsOf = (tree: Node | undefined, name: string) =>
  [...nodes(tree)].filter(
    (n) => n.type === "BASE_TABLE" && !n.schema_name && !n.catalog_name && String(n.table_name).toLowerCase() === name,
  ).length;

/**
 * Whether a step may stay a view, its rows read by the one step that reads it instead of being
 * held as a table first: one SELECT that only projects and filters one table (no join, aggregate,
 * window, DISTINCT, ORDER BY, LIMIT, sample, subquery or CTE), with functions DuckDB calls
 * consistent (no random(), now() …). Counting such a step's rows is a scan no heavier than the
 * step itself, and counts exactly the rows its reader gets.
 */
async function streamable(conn: Conn, tree: Node | undefined): Promise<boolean> {
  const statements = tree?.statements as Node[] | undefined;
  const node = statements?.[0]?.node as Node | undefined;
  const from = node?.from_table as Node | undefined;
  if (statements?.length !== 1 || node?.type !== "SELECT_NODE" || from?.type !== "BASE_TABLE" || from.sample)
    return false;
  const empty = (v: unknown) => Array.isArray(v) && v.length === 0;
  if (!empty(node.modifiers) || !empty((node.cte_map as Node | undefined)?.map)) return false;
  if (!empty(node.group_expressions) || !empty(node.group_sets)) return false;
  if (node.having || node.sample || node.qualify || node.aggregate_handling !== "STANDARD_HANDLING") return false;
  const functions = new Set<string>();
  const names = new Set<string>();
  for (const n of nodes([node.select_list, node.where_clause])) {
    if (n.class === "WINDOW" || n.class === "SUBQUERY") return false;
    if (n.class === "FUNCTION") functions.add(String(n.function_name).toLowerCase());
    const column = n.class === "COLUMN_REF" ? (n.column_names as string[]) : [];
    if (column.length === 1) names.add(String(column[0]).toLowerCase());
  }
  const list = (xs: Set<string>) => [...xs].map((x) => dialect.stringLiteral(x)).join(", ") || "NULL";
  // Every function a consistent scalar one, and no bare name DuckDB binds to an inconsistent
  // function (current_timestamp and current_date are written without parentheses).
  const judged = await conn.runAndReadAll(
    `SELECT count(DISTINCT function_name) FILTER (WHERE function_name IN (${list(functions)})),
       count(*) FILTER (WHERE function_name IN (${list(functions)})
         AND (function_type <> 'scalar' OR stability IS DISTINCT FROM 'CONSISTENT')),
       count(*) FILTER (WHERE function_name IN (${list(names)}) AND stability IS DISTINCT FROM 'CONSISTENT')
     FROM duckdb_functions()`,
  );
  const [known, unsafe, bare] = (judged.getRows()[0] ?? []).map(Number);
  return known === functions.size && unsafe === 0 && bare === 0;
}

/**
 * Builds a pipeline output in a locked-down DuckDB: the inputs are views carrying the reader's
 * masks and row filters (the consumer sandbox), each step's SQL is judged on DuckDB's parse tree
 * like a consumer's (one SELECT over the inputs and the earlier steps; no files, table functions,
 * ATTACH, COPY or settings), each step before the last becomes a temporary table (its own timing
 * and row count), and the last one is written to `outputFile` as Parquet straight from its SELECT:
 * the output is never held as a table before its file is written, and the `COPY` answers its rows.
 * A step before the last that only projects and filters one table and is read once (see
 * `streamable`) becomes a view instead, its rows counted: its reader reads it as it scans, so the
 * rows of a cleaning step are not held in memory first. A timer interrupts a statement at the run's
 * time limit.
 */
export async function buildOutput(request: BuildRequest): Promise<BuildResult> {
  const sandbox = await ConsumerSandbox.open(request.inputs, {
    outputDir: request.outputDir,
    threads: request.threads ?? 2,
    memoryLimit: request.memoryLimit ?? "2GB",
  });
  const steps: BuiltStep[] = [];
  const rowsIn: Record<string, number> = {};
  const deadline = Date.now() + request.timeoutMs;
  let timedOut = false;
  let stopped: string | undefined;
  const stop = () => {
    stopped ??= abortReason(request.signal as AbortSignal);
    sandbox.conn.interrupt();
  };
  request.signal?.addEventListener("abort", stop, { once: true });
  const run = async (sql: string) => {
    if (request.signal?.aborted) {
      stopped ??= abortReason(request.signal);
      throw new Error(stopped);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      timedOut = true;
      throw new Error("time limit");
    }
    const timer = setTimeout(() => {
      timedOut = true;
      sandbox.conn.interrupt();
    }, left);
    try {
      return await sandbox.conn.runAndReadAll(sql);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    // One count per source: the second name of a one-dataset port reads the same rows.
    const counted = new Map<string, number>();
    for (const d of request.inputs) {
      let rows = counted.get(sourceKey(d));
      if (rows === undefined) {
        rows = countOf(await run(`SELECT count(*) FROM ${viewName(d)}`));
        counted.set(sourceKey(d), rows);
      }
      rowsIn[viewKey(d)] = rows;
    }
    const tables = new Set(request.inputs.map((d) => viewKey(d).toLowerCase()));
    const last = request.steps[request.steps.length - 1];
    if (!last) throw new InputError("an output needs at least one step", { code: "steps-missing" });
    const trees: (Node | undefined)[] = [];
    for (const s of request.steps) trees.push(await parseTree(sandbox.conn, s.sql));
    for (const [i, step] of request.steps.entries()) {
      const startedAt = new Date().toISOString();
      const started = performance.now();
      const name = step.name.toLowerCase();
      const select = `SELECT * FROM (\n${step.sql}\n)`;
      const write = (file: string) => `COPY (${select}) TO ${dialect.stringLiteral(file)} (FORMAT parquet)`;
      const table = dialect.quoteIdentifier(step.name);
      let view = false;
      const statement = () =>
        step === last ? write(request.outputFile) : `CREATE TEMP ${view ? "VIEW" : "TABLE"} ${table} AS ${select}`;
      const record = (status: BuiltStep["status"], rows: number, error: string | null) =>
        steps.push({
          name: step.name,
          sql: step === last ? write(basename(request.outputFile)) : statement(),
          startedAt,
          ms: Math.round(performance.now() - started),
          rows,
          status,
          error,
        });
      for (const sql of [step.sql, `SELECT * FROM (\n${step.sql}\n)`]) {
        const tree = await sandbox.conn.runAndReadAll(
          `SELECT json_serialize_sql(${dialect.stringLiteral(sql)})::VARCHAR`,
        );
        const verdict = judgeConsumerSql(String(tree.getRows()[0]?.[0] ?? ""), tables);
        if (!verdict.ok) {
          const reason = `step "${step.name}" is refused: ${verdict.reason
            .replace(" in a contract rule", "")
            .replace(
              "the contract's objects",
              "the step's inputs",
            )}; a step is one SELECT over the input ports and earlier steps (${[...tables].join(", ")})`;
          record("failed", 0, reason);
          throw new BuildFailed(reason, steps, rowsIn, "sql-refused");
        }
      }
      // A step read once that only projects and filters stays a view (see `streamable`).
      view =
        step !== last &&
        trees.slice(i + 1).reduce((n, t) => n + readsOf(t, name), 0) === 1 &&
        (await streamable(sandbox.conn, trees[i]));
      try {
        const result = await run(statement());
        record("passed", view ? countOf(await run(`SELECT count(*) FROM ${table}`)) : countOf(result), null);
      } catch (e) {
        const writing = step === last && writeError.test(firstLine(e));
        const reason = stopped
          ? `step "${step.name}" was stopped: ${stopped}`
          : timedOut
            ? `step "${step.name}" was stopped at the run's time limit of ${Math.round(request.timeoutMs / 1000)} s`
            : writing
              ? `the output could not be written: ${firstLine(e)}`
              : `step "${step.name}" failed: ${firstLine(e)}`;
        record("failed", 0, reason);
        throw new BuildFailed(
          reason,
          steps,
          rowsIn,
          stopped ? "stopped" : timedOut ? "timeout" : writing ? "write-failed" : "step-failed",
        );
      }
      tables.add(step.name.toLowerCase());
    }
    return { rowsIn, rowsOut: steps[steps.length - 1]?.rows ?? 0, steps };
  } catch (e) {
    if (e instanceof BuildFailed || (e instanceof QuantaError && !(e instanceof EngineError))) throw e;
    throw new BuildFailed(
      stopped
        ? `the build was stopped: ${stopped}`
        : timedOut
          ? `the run was stopped at its time limit of ${Math.round(request.timeoutMs / 1000)} s`
          : firstLine(e),
      steps,
      rowsIn,
      stopped ? "stopped" : timedOut ? "timeout" : "build-failed",
    );
  } finally {
    request.signal?.removeEventListener("abort", stop);
    sandbox.close();
  }
}

const viewName = (d: SandboxDataset) =>
  (d.schema ? `${dialect.quoteIdentifier(d.schema)}.` : "") + dialect.quoteIdentifier(d.name);

/**
 * Writes each input view (its masks and row filters applied) as Parquet under `dir`: a view
 * `port.dataset` to `dir/port/dataset.parquet`; views without a schema are skipped. What a
 * command step reads: never the upstream files themselves, which would bypass the agreement.
 */
export async function exportInputs(request: {
  inputs: readonly SandboxDataset[];
  dir: string;
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<{ rowsIn: Record<string, number>; files: Record<string, string> }> {
  for (const schema of new Set(request.inputs.flatMap((d) => (d.schema ? [d.schema] : []))))
    await mkdir(join(request.dir, schema), { recursive: true });
  const sandbox = await ConsumerSandbox.open(request.inputs, { outputDir: request.dir, threads: 2 });
  const timer = setTimeout(() => sandbox.conn.interrupt(), request.timeoutMs);
  const stop = () => sandbox.conn.interrupt();
  request.signal?.addEventListener("abort", stop, { once: true });
  try {
    const rowsIn: Record<string, number> = {};
    const files: Record<string, string> = {};
    for (const d of request.inputs) {
      if (request.signal?.aborted) throw new Error(abortReason(request.signal));
      if (!d.schema) continue;
      const file = join(request.dir, d.schema, `${d.name}.parquet`);
      const counted = await sandbox.conn.runAndReadAll(`SELECT count(*) FROM ${viewName(d)}`);
      rowsIn[viewKey(d)] = Number(counted.getRows()[0]?.[0] ?? 0);
      await sandbox.conn.run(`COPY (SELECT * FROM ${viewName(d)}) TO ${dialect.stringLiteral(file)} (FORMAT parquet)`);
      files[viewKey(d)] = file;
    }
    return { rowsIn, files };
  } catch (e) {
    throw new BuildFailed(`the inputs could not be written for the command: ${firstLine(e)}`, [], {}, "inputs-failed");
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", stop);
    sandbox.close();
  }
}
