/**
 * The check IR: what a contract promises about its data, engine-neutral.
 * Built from an ODCS contract by `buildChecks`, turned into SQL by a `Dialect` (via `planChecks`),
 * run by `runChecks` on any `Connection`, evaluated here in core so every engine reports alike.
 */

/** A scalar a contract can put in SQL: thresholds, valid values, missing values. */
export type SqlValue = string | number | boolean | null;

/** Data QoS dimensions (ODCS `dimension`); SLA checks use the SLI name (`latency`, `retention` …). */
export type Dimension =
  | "accuracy"
  | "completeness"
  | "conformity"
  | "consistency"
  | "coverage"
  | "timeliness"
  | "uniqueness"
  | (string & {});

/** The eight ODCS comparison operators. */
export type Operator =
  | "mustBe"
  | "mustNotBe"
  | "mustBeGreaterThan"
  | "mustBeGreaterOrEqualTo"
  | "mustBeLessThan"
  | "mustBeLessOrEqualTo"
  | "mustBeBetween"
  | "mustNotBeBetween";

export const operators: readonly Operator[] = [
  "mustBe",
  "mustNotBe",
  "mustBeGreaterThan",
  "mustBeGreaterOrEqualTo",
  "mustBeLessThan",
  "mustBeLessOrEqualTo",
  "mustBeBetween",
  "mustNotBeBetween",
];

/** What the measured value must satisfy; `value` is a pair for the two `…Between` operators. */
export interface Threshold {
  operator: Operator;
  value: SqlValue | readonly [number, number];
}

/** `rows`: the metric as a count; `percent`: count / row count × 100. */
export type Unit = "rows" | "percent";

/** A value rule on one non-null property value; a row whose value breaks it is a violation. */
export type Violation =
  /** value < bound (≤ when `exclusive`); a string bound compares dates/timestamps. */
  | { kind: "lessThan"; value: number | string; exclusive: boolean }
  | { kind: "greaterThan"; value: number | string; exclusive: boolean }
  | { kind: "shorterThan"; length: number }
  | { kind: "longerThan"; length: number }
  | { kind: "notMatching"; pattern: string }
  | { kind: "notMultipleOf"; value: number }
  | { kind: "fewerItemsThan"; count: number }
  | { kind: "moreItemsThan"; count: number };

/**
 * A count-style (or min/max style) measurement over one dataset: every metric of a dataset is
 * computed in ONE aggregate query, so adding checks does not add scans.
 */
export type Metric =
  | { kind: "rowCount" }
  | { kind: "nullCount"; property: string }
  /** null, or one of `values` (ODCS `missingValues`; e.g. "", "n/a"). */
  | { kind: "missingCount"; property: string; values: readonly SqlValue[] }
  /** Non-null values outside `validValues` and/or not matching `pattern`. */
  | { kind: "invalidCount"; property: string; validValues?: readonly SqlValue[]; pattern?: string }
  /** Rows minus distinct rows over `properties` (one tuple for composite keys); nulls excluded for one property. */
  | { kind: "duplicateCount"; properties: readonly string[] }
  | { kind: "violationCount"; property: string; violation: Violation }
  /** Seconds between now and the newest (`max`) or oldest (`min`) value of a timestamp/date property. */
  | { kind: "ageSeconds"; property: string; of: "max" | "min" }
  /**
   * The first `limit` distinct values (as text, in code-point order) that `invalidCount` with the
   * same arguments counts, as a JSON array text (null when none): computed in the same scan, so a
   * failed valid-values rule names what broke it.
   */
  | { kind: "invalidSample"; property: string; validValues?: readonly SqlValue[]; pattern?: string; limit: number };

export type MetricKind = Metric["kind"];

/**
 * An aggregate only a profile asks for (never a check's metric): it rides in the dataset's one
 * scan beside the check metrics. Nulls reuse the `nullCount` metric, distinct values reuse a
 * uniqueness check's `duplicateCount`, so a figure a check already computes costs nothing more.
 */
export type ProfileMetric =
  | { kind: "minValue"; property: string }
  | { kind: "maxValue"; property: string }
  /** Numeric columns only; as double precision. */
  | { kind: "meanValue"; property: string }
  /** Rows where a boolean column is true (false = non-null − true): its top values and distinct count. */
  | { kind: "trueCount"; property: string };

/** Anything one dataset's aggregate scan computes. */
export type AggregateMetric = Metric | ProfileMetric;
export type AggregateMetricKind = AggregateMetric["kind"];

/** What the check is about, as reported in results (`type` in the JSON output). */
export type CheckType =
  | "objectExists"
  | "propertyExists"
  | "propertyType"
  | "required"
  | "unique"
  | "primaryKey"
  | "minimum"
  | "maximum"
  | "exclusiveMinimum"
  | "exclusiveMaximum"
  | "minLength"
  | "maxLength"
  | "pattern"
  | "format"
  | "multipleOf"
  | "minItems"
  | "maxItems"
  | "nullValues"
  | "missingValues"
  | "invalidValues"
  | "duplicateValues"
  | "rowCount"
  | "sql"
  | "text"
  | "custom"
  | "freshness"
  | "retention";

/** Contract severity folded to what it does to the run: `warning` turns a failure into a warning. */
export type CheckSeverity = "error" | "warning";

interface CheckBase {
  /** Stable across runs of the same contract: `<object>.<property>.<type>[.<n>]`. */
  key: string;
  /** The rule's own `id` when the contract gives one. */
  id?: string;
  name: string;
  type: CheckType;
  dimension: Dimension;
  /** The schema object (table/dataset) the check is about. */
  schema?: string;
  property?: string;
  severity: CheckSeverity;
}

/** Schema checks are answered from `Connection.introspect`, not from SQL over the data. */
export interface SchemaCheck extends CheckBase {
  kind: "schema";
  schema: string;
  expect:
    | { kind: "object" }
    | { kind: "property"; property: string }
    | { kind: "type"; property: string; logicalType?: string; physicalType?: string };
}

export interface MetricCheck extends CheckBase {
  kind: "metric";
  schema: string;
  metric: Metric;
  threshold: Threshold;
  unit: Unit;
}

/** A scalar SQL query written in the contract; runs only after the read-only guard accepts it. */
export interface SqlCheck extends CheckBase {
  kind: "sql";
  /** As written, placeholders unresolved (`{object}`, `${table}`, `{property}`, `${column}`, `{model}`, `{field}`). */
  query: string;
  threshold: Threshold;
  unit: Unit;
}

/** Reported, never run: `text` rules (documentation) and `custom` rules for engines Quanta does not run. */
export interface SkippedCheck extends CheckBase {
  kind: "skipped";
  reason: string;
}

/** A rule Quanta cannot interpret (unknown metric, missing operator …): reported as `error` with the reason. */
export interface InvalidCheck extends CheckBase {
  kind: "invalid";
  reason: string;
}

export type Check = SchemaCheck | MetricCheck | SqlCheck | SkippedCheck | InvalidCheck;
export type CheckKind = Check["kind"];

export type CheckStatus = "passed" | "warning" | "failed" | "error" | "skipped";

/** One check's outcome: always present for every check, whatever happened to the others. */
export interface CheckResult {
  key: string;
  id?: string;
  name: string;
  type: CheckType;
  dimension: Dimension;
  schema?: string;
  property?: string;
  result: CheckStatus;
  value?: SqlValue;
  threshold?: string;
  reason?: string;
  /** A failed (or warned) valid-values rule: up to 5 distinct offending values, as text; also in `reason`. */
  samples?: string[];
  sql?: string;
}

export type RunStatus = "passed" | "warning" | "failed" | "error";

export interface RunResult {
  result: RunStatus;
  durationMs: number;
  checks: CheckResult[];
  /** Each dataset's profile, computed in the same scan as its checks (only with `profile: true`). */
  profiles?: DatasetProfile[];
}

/** One value and how often it occurs (approximate where the engine counts approximately). */
export interface ValueCount {
  value: string;
  count: number;
}

/**
 * What a column's data looks like, from the dataset's scan. A figure the engine could not compute
 * (a type without an order, a statistic the engine does not keep) is null, never invented.
 */
export interface ColumnProfile {
  name: string;
  /** The engine's type of the column, as introspection answers it. */
  type: string;
  nulls: number | null;
  /** Share of rows that are null, 0..1. */
  nullRate: number | null;
  /** Distinct values; approximate on engines that estimate (see `distinctApproximate`). */
  distinct: number | null;
  distinctApproximate: boolean;
  min: string | number | null;
  max: string | number | null;
  /** Numeric columns only. */
  mean: number | null;
  /** The most frequent values, most frequent first (at most 5). */
  top: ValueCount[] | null;
}

/** A dataset's profile: every column introspection found, declared in the contract or not. */
export interface DatasetProfile {
  dataset: string;
  rows: number | null;
  columns: ColumnProfile[];
  /** Why the profile is partial or missing (the scan failed, too many columns …). */
  reason?: string;
}
