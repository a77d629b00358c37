import type { Dialect } from "../dialect/dialect.js";
import type {
  Check,
  CheckResult,
  CheckStatus,
  MetricCheck,
  RunResult,
  RunStatus,
  SchemaCheck,
  SqlCheck,
  SqlValue,
} from "./check.js";
import type { ColumnInfo, Connection } from "./connection.js";
import { describeThreshold, percentOf, satisfies } from "./evaluate.js";
import { resolvePlaceholders } from "./placeholders.js";
import { type DatasetPlan, planChecks, rowCountAlias } from "./plan-checks.js";

export interface RunChecksOptions {
  /** Called as checks finish, for progress display on a terminal. */
  onProgress?: (done: number, total: number) => void;
}

type Outcome = Pick<CheckResult, "result" | "value" | "threshold" | "reason" | "sql">;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
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
 * check so the broken one is named and the others still run.
 */
export async function runChecks(
  checks: readonly Check[],
  connection: Connection,
  options: RunChecksOptions = {},
): Promise<RunResult> {
  const started = Date.now();
  const dialect = connection.dialect;
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
  const schemas = [
    ...new Set(checks.flatMap((c) => (c.schema !== undefined && !outcomes.has(c.key) ? [c.schema] : []))),
  ];
  for (const schema of schemas) {
    const mine = checks.filter((c) => c.schema === schema && !outcomes.has(c.key));
    let columns: ColumnInfo[] | undefined;
    try {
      columns = await connection.introspect(schema);
    } catch (e) {
      for (const c of mine)
        settle(c.key, {
          result: "error",
          reason: `cannot read ${schema}: ${message(e)}`,
          ...(sqlOf(e) ? { sql: sqlOf(e) } : {}),
        });
      continue;
    }
    if (columns === undefined) {
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

  const metricChecks = checks.filter((c): c is MetricCheck => c.kind === "metric" && !outcomes.has(c.key));
  for (const plan of planChecks(metricChecks, dialect, (s) => connection.relation(s))) {
    await runPlan(plan, metricChecks, connection, settle);
  }

  for (const check of checks) {
    if (check.kind !== "sql" || outcomes.has(check.key)) continue;
    settle(check.key, await runSqlCheck(check, connection));
  }

  const results: CheckResult[] = checks.map((c) => {
    const o = outcomes.get(c.key) ?? { result: "error", reason: "not run" };
    const r: CheckResult = { key: c.key, name: c.name, type: c.type, dimension: c.dimension, result: o.result };
    if (c.id !== undefined) r.id = c.id;
    if (c.schema !== undefined) r.schema = c.schema;
    if (c.property !== undefined) r.property = c.property;
    if (o.value !== undefined) r.value = o.value;
    if (o.threshold !== undefined) r.threshold = o.threshold;
    if (o.reason !== undefined) r.reason = o.reason;
    if (o.sql !== undefined) r.sql = o.sql;
    return r;
  });
  return { result: runStatus(results), durationMs: Math.round(Date.now() - started), checks: results };
}

async function runPlan(
  plan: DatasetPlan,
  checks: readonly MetricCheck[],
  connection: Connection,
  settle: (key: string, o: Outcome) => void,
): Promise<void> {
  const mine = checks.filter((c) => plan.aliasOf.has(c.key));
  try {
    const row = (await connection.run(plan.sql))[0] ?? {};
    const rows = Number(row[rowCountAlias] ?? 0);
    for (const c of mine) settle(c.key, judge(c, row[plan.aliasOf.get(c.key) ?? ""], rows, plan.sql));
    return;
  } catch {
    // One expression broke the batch (a type the contract got wrong, a bad pattern …): find it.
  }
  const dialect = connection.dialect;
  for (const c of mine) {
    const sql = dialect.aggregateQuery(plan.relation, [
      { alias: rowCountAlias, metric: { kind: "rowCount" } },
      { alias: "value", metric: c.metric },
    ]);
    try {
      const row = (await connection.run(sql))[0] ?? {};
      settle(c.key, judge(c, row.value, Number(row[rowCountAlias] ?? 0), sql));
    } catch (e) {
      settle(c.key, { result: "error", threshold: describeThreshold(c.threshold, c.unit), sql, reason: message(e) });
    }
  }
}

async function runSqlCheck(check: SqlCheck, connection: Connection): Promise<Outcome> {
  const threshold = describeThreshold(check.threshold, check.unit);
  const resolved = resolvePlaceholders(check.query, {
    relation: connection.relation(check.schema ?? ""),
    ...(check.property !== undefined ? { column: connection.dialect.quoteIdentifier(check.property) } : {}),
  });
  if ("error" in resolved) return { result: "error", threshold, sql: check.query, reason: resolved.error };
  const sql = resolved.sql;
  let verdict: Awaited<ReturnType<Connection["guard"]>>;
  try {
    verdict = await connection.guard(sql);
  } catch (e) {
    return { result: "error", threshold, sql, reason: `refused: ${message(e)}` };
  }
  if (!verdict.ok) return { result: "error", threshold, sql, reason: `refused: ${verdict.reason}` };
  try {
    const rows = await connection.run(sql);
    const first = rows[0];
    const value = first === undefined ? undefined : Object.values(first)[0];
    return judge(check, value, undefined, sql);
  } catch (e) {
    return { result: "error", threshold, sql, reason: message(e) };
  }
}
