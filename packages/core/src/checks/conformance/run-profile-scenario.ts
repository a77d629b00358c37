import type { Dialect } from "../../dialect/dialect.js";
import { buildChecks } from "../build-checks.js";
import type { AggregateMetric, CheckResult, DatasetProfile } from "../check.js";
import type { Connection } from "../connection.js";
import { runChecks } from "../run-checks.js";
import type { ProfileScenario } from "./profile-scenarios.js";

/** A connection that records every statement it runs over the data (not introspection or statistics). */
export function countingStatements(
  connection: Connection,
  dialect: Dialect = connection.dialect,
): { connection: Connection; statements: string[] } {
  const statements: string[] = [];
  const counted: Connection = {
    dialect,
    capabilities: connection.capabilities,
    run: (sql, options) => {
      statements.push(sql);
      return connection.run(sql, options);
    },
    relation: (object) => connection.relation(object),
    introspect: (object, options) => connection.introspect(object, options),
    guard: (sql, options) => connection.guard(sql, options),
    close: () => connection.close(),
  };
  const statistics = connection.columnStatistics?.bind(connection);
  if (statistics) counted.columnStatistics = statistics;
  return { connection: counted, statements };
}

/**
 * The connection's dialect with the profile's `mean` (always computed in the scan) replaced by
 * `failing`, an expression the engine rejects when it runs: a profile aggregate that errors.
 */
export function breakingProfile(dialect: Dialect, failing: string): Dialect {
  const broken = Object.create(dialect) as Dialect;
  broken.metric = (metric: AggregateMetric, relation: string) =>
    metric.kind === "meanValue" ? failing : dialect.metric(metric, relation);
  return broken;
}

const near = (a: unknown, b: unknown): boolean => {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  // Timestamps: engines print `2024-01-01 00:00:00` or `2024-01-01T00:00:00` (and may add a zone).
  if (typeof a === "string" && typeof b === "string")
    return a.replace("T", " ").replace(/(\.0+)?(Z|[+-]00(:00)?)$/, "") === b;
  return JSON.stringify(a) === JSON.stringify(b);
};

/** One line per figure that is not as expected (empty when the profile conforms). */
export function profileMismatches(
  scenario: ProfileScenario,
  profiles: readonly DatasetProfile[] | undefined,
): string[] {
  const out: string[] = [];
  for (const [dataset, want] of Object.entries(scenario.expect)) {
    const got = profiles?.find((p) => p.dataset === dataset);
    if (got === undefined) {
      out.push(`${dataset}: no profile (have: ${(profiles ?? []).map((p) => p.dataset).join(", ")})`);
      continue;
    }
    if (!near(got.rows, want.rows)) out.push(`${dataset}: rows ${got.rows}, expected ${want.rows}`);
    if (want.reason !== undefined && got.reason !== want.reason)
      out.push(`${dataset}: reason ${JSON.stringify(got.reason)}, expected ${JSON.stringify(want.reason)}`);
    if (want.columnCount !== undefined && got.columns.length !== want.columnCount)
      out.push(`${dataset}: ${got.columns.length} columns, expected ${want.columnCount}`);
    for (const [name, figures] of Object.entries(want.columns ?? {})) {
      const column = got.columns.find((c) => c.name === name);
      if (column === undefined) {
        out.push(`${dataset}.${name}: no such column (have: ${got.columns.map((c) => c.name).join(", ")})`);
        continue;
      }
      for (const [figure, value] of Object.entries(figures)) {
        const actual = column[figure as keyof typeof column];
        if (!near(actual, value))
          out.push(`${dataset}.${name}.${figure}: ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`);
      }
    }
  }
  return out;
}

export interface ProfileScenarioOutcome {
  profiles: DatasetProfile[] | undefined;
  /** Statements run over the data with the profile. */
  statements: string[];
  /** One line per expectation not met: figures, statement count, and any check the profile changed. */
  mismatches: string[];
}

/**
 * Runs a profile scenario on a connection already loaded with its data: the checks with the
 * profile and without it. The profile must be as expected, ride in the checks' statements (no
 * more statements than the scenario allows), and leave every check's result as without it.
 */
export async function runProfileScenario(
  scenario: ProfileScenario,
  connection: Connection,
): Promise<ProfileScenarioOutcome> {
  const checks = buildChecks(scenario.contract);
  const plain = await runChecks(checks, connection);
  const counted = countingStatements(connection);
  const profiled = await runChecks(checks, counted.connection, { profile: true });
  const mismatches = profileMismatches(scenario, profiled.profiles);
  if (counted.statements.length !== scenario.statements)
    mismatches.push(`${counted.statements.length} statements over the data, expected ${scenario.statements}`);
  mismatches.push(...changedChecks(plain.checks, profiled.checks));
  return { profiles: profiled.profiles, statements: counted.statements, mismatches };
}

/**
 * Checks whose outcome differs between two runs of the same contract (value, result, reason,
 * SQL); ages (freshness, retention) are compared by result only, the clock moved between runs.
 */
export function changedChecks(before: readonly CheckResult[], after: readonly CheckResult[]): string[] {
  const out: string[] = [];
  for (const b of before) {
    const a = after.find((r) => r.key === b.key);
    const aging = b.type === "freshness" || b.type === "retention";
    const pick = (r: CheckResult | undefined) =>
      r &&
      JSON.stringify(aging ? { result: r.result } : { result: r.result, value: r.value, reason: r.reason, sql: r.sql });
    if (pick(a) !== pick(b)) out.push(`${b.key} changed with the profile: ${pick(b)} → ${pick(a)}`);
  }
  return out;
}
