import type { Dialect } from "../dialect/dialect.js";
import type {
  Check,
  CheckResult,
  CheckStatus,
  DatasetProfile,
  Metric,
  MetricCheck,
  RunResult,
  RunStatus,
  SchemaCheck,
  SqlCheck,
  SqlValue,
} from "./check.js";
import type { ColumnInfo, ColumnStatistics, Connection, Row, StatementOptions } from "./connection.js";
import { describeThreshold, percentOf, satisfies } from "./evaluate.js";
import { resolvePlaceholders } from "./placeholders.js";
import { type DatasetPlan, planChecks, rowCountAlias } from "./plan-checks.js";
import { failedProfile, readProfile } from "./profile.js";
import { readSamples, sampleSize, withSamples } from "./samples.js";

export interface RunChecksOptions {
  /** Called as checks finish, for progress display on a terminal. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Longest one statement may run (a dataset's scan, a SQL rule, an introspection); then the engine
   * stops it and the checks it served end as `error`. No limit when not given.
   */
  checkTimeoutMs?: number | undefined;
  /** Longest the whole run may take; checks not done by then end as `error`. No limit when not given. */
  runTimeoutMs?: number | undefined;
  /** Stops the run (a server shutting down): the statement running is interrupted, checks not done end as `error`. */
  signal?: AbortSignal | undefined;
  /**
   * Also profile every dataset the checks read (row count, nulls, distinct values, min, max, mean,
   * top values per column), in the same aggregate scan as the dataset's metrics. The profile never
   * changes a check's result: when its aggregates fail, the checks run alone and the profile says why.
   */
  profile?: boolean | undefined;
}

type Outcome = Pick<CheckResult, "result" | "value" | "threshold" | "reason" | "samples" | "sql">;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))} s`;

/**
 * A statement the run's limits stopped or never started; `message` is the whole reason, and it is
 * not retried — except a statement over its own time limit (`ownLimit`), which may be retried smaller.
 */
class Stopped extends Error {
  constructor(
    message: string,
    readonly ownLimit = false,
  ) {
    super(message);
  }
}

/** Runs one engine statement under the run's limits. */
type Statement = <T>(work: (options: StatementOptions) => Promise<T>) => Promise<T>;

function limitedStatements(options: RunChecksOptions): Statement {
  const { checkTimeoutMs, runTimeoutMs, signal } = options;
  const deadline = runTimeoutMs === undefined ? undefined : Date.now() + runTimeoutMs;
  const stopped = () => {
    const why = signal?.reason;
    return new Stopped(`stopped: ${why instanceof Error ? why.message : String(why ?? "the run was cancelled")}`);
  };
  const runOut = () => new Stopped(`timed out: the test run reached its time limit of ${seconds(runTimeoutMs ?? 0)}`);
  return async (work) => {
    if (signal?.aborted) throw stopped();
    const left = deadline === undefined ? undefined : deadline - Date.now();
    if (left !== undefined && left <= 0) throw runOut();
    const byRun = left !== undefined && (checkTimeoutMs === undefined || left < checkTimeoutMs);
    const timeoutMs = byRun ? left : checkTimeoutMs;
    // Started before the engine's own timer of the same length, so it has fired when the engine's stop arrives.
    let timedOut = false;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => (timedOut = true), timeoutMs);
    try {
      return await work({ timeoutMs, signal });
    } catch (e) {
      if (signal?.aborted) throw stopped();
      if (timedOut) throw byRun ? runOut() : new Stopped(`timed out after ${seconds(timeoutMs ?? 0)}`, true);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
}
const sqlOf = (e: unknown): string | undefined => (e as { sql?: string } | undefined)?.sql;

/** A column by name: exact, or case-folded where the engine folds identifiers. */
function findColumn(columns: readonly ColumnInfo[], name: string, dialect: Dialect): ColumnInfo | undefined {
  return (
    columns.find((c) => c.name === name) ??
    (dialect.capabilities.caseInsensitiveIdentifiers
      ? columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
      : undefined)
  );
}

function propertiesOf(check: Check): string[] {
  if (check.kind === "metric") {
    const m = check.metric;
    return m.kind === "rowCount" ? [] : m.kind === "duplicateCount" ? [...m.properties] : [m.property];
  }
  if (check.kind === "schema") return check.expect.kind === "object" ? [] : [check.expect.property];
  return check.property !== undefined ? [check.property] : [];
}

/** Why the dialect cannot run a metric (a named skip), or `undefined` when it can. */
function unsupported(check: MetricCheck, dialect: Dialect): string | undefined {
  const m = check.metric;
  const usesRegex =
    (m.kind === "invalidCount" && m.pattern !== undefined) ||
    (m.kind === "violationCount" && m.violation.kind === "notMatching");
  if (usesRegex && !dialect.capabilities.regex) return `the ${dialect.name} engine has no regular expressions`;
  const usesArrays =
    m.kind === "violationCount" && (m.violation.kind === "fewerItemsThan" || m.violation.kind === "moreItemsThan");
  if (usesArrays && !dialect.capabilities.arrays) return `the ${dialect.name} engine has no arrays`;
  return undefined;
}

function judge(
  check: MetricCheck | SqlCheck,
  raw: SqlValue | undefined,
  rows: number | undefined,
  sql: string,
): Outcome {
  const threshold = describeThreshold(check.threshold, check.unit);
  if (raw === undefined) return { result: "error", threshold, sql, reason: "the query returned no value" };
  let value: SqlValue = raw;
  if (check.kind === "metric" && check.unit === "percent" && check.metric.kind !== "ageSeconds") {
    value = percentOf(Number(raw), rows ?? 0);
  }
  const ok = satisfies(check.threshold, value);
  if (ok === undefined)
    return {
      result: "error",
      value,
      threshold,
      sql,
      reason: `cannot compare ${JSON.stringify(value)} with ${threshold}`,
    };
  if (ok) return { result: "passed", value, threshold, sql };
  const result: CheckStatus = check.severity === "warning" ? "warning" : "failed";
  return { result, value, threshold, sql, reason: `${JSON.stringify(value)} is not ${threshold}` };
}

function judgeSchema(check: SchemaCheck, columns: readonly ColumnInfo[], dialect: Dialect): Outcome {
  const expect = check.expect;
  if (expect.kind === "object") return { result: "passed" };
  const column = findColumn(columns, expect.property, dialect);
  if (column === undefined) {
    return {
      result: "failed",
      reason: `${check.schema} has no column ${JSON.stringify(expect.property)} (columns: ${columns.map((c) => c.name).join(", ")})`,
    };
  }
  if (expect.kind === "property") return { result: "passed" };
  const wanted = [expect.logicalType, expect.physicalType].filter(Boolean).join(" / ");
  const problems: string[] = [];
  const notes: string[] = [];
  if (expect.logicalType !== undefined) {
    const ok = dialect.logicalTypeAccepts(expect.logicalType, column.type);
    if (ok === false) problems.push(`${column.type} is not compatible with logicalType ${expect.logicalType}`);
    if (ok === undefined) notes.push(`engine type ${column.type} has no known logical type`);
  }
  if (expect.physicalType !== undefined) {
    const ok = dialect.physicalTypeMatches(expect.physicalType, column.type);
    if (ok === false) problems.push(`${column.type} is not physicalType ${expect.physicalType}`);
  }
  if (problems.length > 0)
    return { result: "failed", value: column.type, threshold: wanted, reason: problems.join("; ") };
  return {
    result: "passed",
    value: column.type,
    threshold: wanted,
    ...(notes.length > 0 ? { reason: notes.join("; ") } : {}),
  };
}

/** failed > error > warning > passed; skipped checks do not change the run's result. */
export function runStatus(results: readonly CheckResult[]): RunStatus {
  const has = (s: CheckStatus) => results.some((r) => r.result === s);
  return has("failed") ? "failed" : has("error") ? "error" : has("warning") ? "warning" : "passed";
}

/**
 * Runs checks on a connection: introspection for schema checks, one aggregate scan per dataset
 * for every metric, then each contract SQL rule after the read-only guard. Never throws for a
 * check's sake: each check ends with a result, and a failing batch falls back to one query per
 * check so the broken one is named and the others still run. A statement over its time limit is
 * stopped and ends its checks as `error` ("timed out after 30 s"); the run goes on with the next.
 */
export async function runChecks(
  checks: readonly Check[],
  connection: Connection,
  options: RunChecksOptions = {},
): Promise<RunResult> {
  const started = Date.now();
  const dialect = connection.dialect;
  const statement = limitedStatements(options);
  const outcomes = new Map<string, Outcome>();
  const total = checks.length;
  const settle = (key: string, outcome: Outcome) => {
    outcomes.set(key, outcome);
    options.onProgress?.(outcomes.size, total);
  };

  for (const check of checks) {
    if (check.kind === "skipped") settle(check.key, { result: "skipped", reason: check.reason });
    if (check.kind === "invalid") settle(check.key, { result: "error", reason: check.reason });
  }

  // Introspect every dataset once; a missing dataset or column skips the checks that need it.
  const columnsOf = new Map<string, ColumnInfo[]>();
  const profiles = new Map<string, DatasetProfile>();
  const unprofiled = (dataset: string, reason: string) =>
    profiles.set(dataset, { dataset, rows: null, columns: [], reason });
  const schemas = [
    ...new Set(checks.flatMap((c) => (c.schema !== undefined && !outcomes.has(c.key) ? [c.schema] : []))),
  ];
  for (const schema of schemas) {
    const mine = checks.filter((c) => c.schema === schema && !outcomes.has(c.key));
    let columns: ColumnInfo[] | undefined;
    try {
      columns = await statement((o) => connection.introspect(schema, o));
    } catch (e) {
      unprofiled(schema, `cannot read ${schema}: ${message(e)}`);
      for (const c of mine)
        settle(c.key, {
          result: "error",
          reason: `cannot read ${schema}: ${message(e)}`,
          ...(sqlOf(e) ? { sql: sqlOf(e) } : {}),
        });
      continue;
    }
    if (columns === undefined) {
      unprofiled(schema, `${schema} not found`);
      for (const c of mine) {
        const objectCheck = c.kind === "schema" && c.expect.kind === "object";
        settle(
          c.key,
          objectCheck
            ? { result: "failed", reason: `${schema} not found` }
            : { result: "skipped", reason: `${schema} not found` },
        );
      }
      continue;
    }
    columnsOf.set(schema, columns);
    for (const c of mine) {
      if (c.kind === "schema") {
        settle(c.key, judgeSchema(c, columns, dialect));
        continue;
      }
      const missing = propertiesOf(c).filter((p) => findColumn(columns, p, dialect) === undefined);
      if (missing.length > 0)
        settle(c.key, {
          result: "skipped",
          reason: `${schema} has no column ${missing.map((m) => JSON.stringify(m)).join(", ")}`,
        });
      else if (c.kind === "metric") {
        const why = unsupported(c, dialect);
        if (why !== undefined) settle(c.key, { result: "skipped", reason: why });
      }
    }
  }

  // Each dataset's batched scan and each SQL rule is one unit of work, independent of the others:
  // an engine that runs statements side by side (separate sessions) gets them all at once, up to
  // its limit, so a SQL rule's scan overlaps the main one instead of following it.
  const metricChecks = checks.filter((c): c is MetricCheck => c.kind === "metric" && !outcomes.has(c.key));
  const relationOf = (s: string) => connection.relation(s);
  // What the engine keeps without a scan (a Parquet footer, PostgreSQL's statistics): read first,
  // so a figure stated exactly there is not computed again in the scan.
  const statistics = new Map<string, ReadonlyMap<string, ColumnStatistics>>();
  if (options.profile)
    for (const s of columnsOf.keys()) {
      const found = await engineStatistics(s, connection, statement);
      if (found !== undefined) statistics.set(s, found);
    }
  let plans: DatasetPlan[];
  try {
    plans = planChecks(metricChecks, dialect, relationOf, options.profile ? columnsOf : undefined, statistics);
  } catch (e) {
    // A column name the dialect cannot quote (a NUL in it): no profile, the checks as without one.
    if (!options.profile) throw e;
    plans = planChecks(metricChecks, dialect, relationOf);
    for (const s of columnsOf.keys()) unprofiled(s, `cannot profile ${s}: ${message(e)}`);
  }
  const work: (() => Promise<void>)[] = [
    ...plans.map(
      (plan) => () => runPlan(plan, metricChecks, connection, statement, settle, (p) => profiles.set(p.dataset, p)),
    ),
    ...checks.flatMap((check) =>
      check.kind === "sql" && !outcomes.has(check.key)
        ? [async () => settle(check.key, await runSqlCheck(check, connection, statement))]
        : [],
    ),
  ];
  await inParallel(work, Math.max(1, connection.capabilities.concurrentStatements ?? 1));

  const results: CheckResult[] = checks.map((c) => {
    const o = outcomes.get(c.key) ?? { result: "error", reason: "not run" };
    const r: CheckResult = { key: c.key, name: c.name, type: c.type, dimension: c.dimension, result: o.result };
    if (c.id !== undefined) r.id = c.id;
    if (c.schema !== undefined) r.schema = c.schema;
    if (c.property !== undefined) r.property = c.property;
    if (o.value !== undefined) r.value = o.value;
    if (o.threshold !== undefined) r.threshold = o.threshold;
    if (o.reason !== undefined) r.reason = o.reason;
    if (o.samples !== undefined) r.samples = o.samples;
    if (o.sql !== undefined) r.sql = o.sql;
    return r;
  });
  const run: RunResult = { result: runStatus(results), durationMs: Math.round(Date.now() - started), checks: results };
  if (options.profile) run.profiles = schemas.flatMap((s) => profiles.get(s) ?? []);
  return run;
}

/** Runs `tasks`, at most `limit` at a time, in their order; settles when all have. */
async function inParallel(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await (tasks[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

async function runPlan(
  plan: DatasetPlan,
  checks: readonly MetricCheck[],
  connection: Connection,
  statement: Statement,
  settle: (key: string, o: Outcome) => void,
  profiled: (profile: DatasetProfile) => void,
): Promise<void> {
  const mine = checks.filter((c) => plan.aliasOf.has(c.key));
  const profile = plan.profile;
  let profileFailure: string | undefined;
  if (profile !== undefined) {
    let row: Row | undefined;
    try {
      row = (await statement((o) => connection.run(profile.sql, o)))[0] ?? {};
    } catch (e) {
      // Stopped by the run's own deadline or a cancel: the checks alone would be stopped alike.
      if (e instanceof Stopped && !e.ownLimit) {
        profiled(failedProfile(plan.schema, profile.plan, null, e.message));
        for (const c of mine) settle(c.key, stoppedOutcome(c, plan, e));
        return;
      }
      // The profile (or a check: the message cannot tell) broke the scan, or made it too slow: the
      // checks run as they would have without it.
      profileFailure = `the scan with the profile failed, the checks ran without it: ${message(e)}`;
      if (mine.length === 0) {
        profiled(failedProfile(plan.schema, profile.plan, null, profileFailure));
        return;
      }
    }
    if (row !== undefined) {
      profiled(readProfile(plan.schema, profile.plan, row, Number(row[rowCountAlias] ?? 0)));
      await judgeAll(mine, plan, row, connection, statement, settle);
      return;
    }
  }
  const withoutProfile = (rows: number | null) => {
    if (profile !== undefined && profileFailure !== undefined)
      profiled(failedProfile(plan.schema, profile.plan, rows, profileFailure));
  };
  let row: Row | undefined;
  try {
    row = (await statement((o) => connection.run(plan.sql, o)))[0] ?? {};
  } catch (e) {
    withoutProfile(null);
    // Out of time: one query per check would only take as long again, each.
    if (e instanceof Stopped) {
      for (const c of mine) settle(c.key, stoppedOutcome(c, plan, e));
      return;
    }
    // One expression broke the batch (a type the contract got wrong, a bad pattern …): find it.
  }
  if (row !== undefined) {
    withoutProfile(Number(row[rowCountAlias] ?? 0));
    await judgeAll(mine, plan, row, connection, statement, settle);
    return;
  }
  const dialect = connection.dialect;
  for (const c of mine) {
    const sql = dialect.aggregateQuery(plan.relation, [
      { alias: rowCountAlias, metric: { kind: "rowCount" } },
      { alias: "value", metric: c.metric },
    ]);
    try {
      const row = (await statement((o) => connection.run(sql, o)))[0] ?? {};
      settle(c.key, judge(c, row.value, Number(row[rowCountAlias] ?? 0), sql));
    } catch (e) {
      settle(c.key, { result: "error", threshold: describeThreshold(c.threshold, c.unit), sql, reason: message(e) });
    }
  }
}

/** Judges every check of a dataset from its scan's row (then names offending values of those that failed). */
async function judgeAll(
  mine: readonly MetricCheck[],
  plan: DatasetPlan,
  row: Readonly<Record<string, SqlValue>>,
  connection: Connection,
  statement: Statement,
  settle: (key: string, o: Outcome) => void,
): Promise<void> {
  const rows = Number(row[rowCountAlias] ?? 0);
  for (const c of mine) {
    const outcome = judge(c, row[plan.aliasOf.get(c.key) ?? ""], rows, plan.sql);
    const sample = plan.sampleOf.get(c.key);
    settle(c.key, sample === undefined ? outcome : await namingSamples(outcome, sample, plan, connection, statement));
  }
}

const stoppedOutcome = (c: MetricCheck, plan: DatasetPlan, e: Stopped): Outcome => ({
  result: "error",
  threshold: describeThreshold(c.threshold, c.unit),
  sql: plan.sql,
  reason: e.message,
});

/**
 * The engine's own statistics of a dataset (no scan), for figures the scan leaves unknown. A
 * courtesy: an engine without them, or a failure to read them, leaves those figures null.
 */
async function engineStatistics(
  schema: string,
  connection: Connection,
  statement: Statement,
): Promise<ReadonlyMap<string, ColumnStatistics> | undefined> {
  const read = connection.columnStatistics?.bind(connection);
  if (read === undefined) return undefined;
  try {
    return await statement((o) => read(schema, o));
  } catch {
    return undefined;
  }
}

/**
 * A failed (or warned) check names the offending values: one more query over the dataset, only
 * then, so a passing run scans once. The sample is a courtesy; if it fails, the outcome stands.
 */
async function namingSamples(
  outcome: Outcome,
  sample: Metric,
  plan: DatasetPlan,
  connection: Connection,
  statement: Statement,
): Promise<Outcome> {
  if (outcome.result !== "failed" && outcome.result !== "warning") return outcome;
  const sql = connection.dialect.aggregateQuery(plan.relation, [{ alias: "sample", metric: sample }]);
  let samples: string[];
  try {
    samples = readSamples((await statement((o) => connection.run(sql, o)))[0]?.sample);
  } catch {
    return outcome;
  }
  if (samples.length === 0) return outcome;
  return { ...outcome, reason: withSamples(outcome.reason ?? "", samples), samples: samples.slice(0, sampleSize) };
}

async function runSqlCheck(check: SqlCheck, connection: Connection, statement: Statement): Promise<Outcome> {
  const threshold = describeThreshold(check.threshold, check.unit);
  const resolved = resolvePlaceholders(check.query, {
    relation: connection.relation(check.schema ?? ""),
    ...(check.property !== undefined ? { column: connection.dialect.quoteIdentifier(check.property) } : {}),
  });
  if ("error" in resolved) return { result: "error", threshold, sql: check.query, reason: resolved.error };
  const sql = resolved.sql;
  let verdict: Awaited<ReturnType<Connection["guard"]>>;
  try {
    verdict = await statement((o) => connection.guard(sql, o));
  } catch (e) {
    return { result: "error", threshold, sql, reason: e instanceof Stopped ? e.message : `refused: ${message(e)}` };
  }
  if (!verdict.ok) return { result: "error", threshold, sql, reason: `refused: ${verdict.reason}` };
  try {
    const rows = await statement((o) => connection.run(sql, o));
    const first = rows[0];
    const value = first === undefined ? undefined : Object.values(first)[0];
    return judge(check, value, undefined, sql);
  } catch (e) {
    return { result: "error", threshold, sql, reason: message(e) };
  }
}
