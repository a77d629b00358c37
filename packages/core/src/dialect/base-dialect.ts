import type { AggregateMetric, AggregateMetricKind, SqlValue, Violation } from "../checks/check.js";
import { calendarPatterns } from "../checks/string-formats.js";
import { InputError } from "../errors.js";
import type { AggregateItem, Dialect, DialectCapabilities, LogicalType, ProfileShape } from "./dialect.js";

type MetricSql<K extends AggregateMetricKind> = (
  d: BaseDialect,
  m: Extract<AggregateMetric, { kind: K }>,
  relation: string,
) => string;
type ViolationSql<K extends Violation["kind"]> = (
  d: BaseDialect,
  expr: string,
  v: Extract<Violation, { kind: K }>,
) => string;

/** Metric → SQL, one entry per metric kind (a new kind does not compile until it is handled here). */
const metricSql: { [K in AggregateMetricKind]: MetricSql<K> } = {
  rowCount: (d) => d.countAll(),
  nullCount: (d, m) => d.countIf(`${d.quoteIdentifier(m.property)} IS NULL`),
  missingCount: (d, m) => {
    const col = d.quoteIdentifier(m.property);
    const values = m.values.filter((v) => v !== null);
    return d.countIf(values.length === 0 ? `${col} IS NULL` : `${col} IS NULL OR ${d.inList(col, values)}`);
  },
  invalidCount: (d, m) => d.countIf(invalidCondition(d, m)),
  invalidSample: (d, m) => d.sampleDistinct(d.asText(d.quoteIdentifier(m.property)), invalidCondition(d, m), m.limit),
  duplicateCount: (d, m, relation) => d.duplicateCount(m.properties, relation),
  violationCount: (d, m) => {
    const col = d.quoteIdentifier(m.property);
    return d.countIf(`${col} IS NOT NULL AND ${d.violation(col, m.violation)}`);
  },
  ageSeconds: (d, m) => d.ageSeconds(`${m.of}(${d.quoteIdentifier(m.property)})`),
  minValue: (d, m) => `min(${d.quoteIdentifier(m.property)})`,
  maxValue: (d, m) => `max(${d.quoteIdentifier(m.property)})`,
  meanValue: (d, m) => `CAST(avg(${d.quoteIdentifier(m.property)}) AS DOUBLE PRECISION)`,
  trueCount: (d, m) => d.countIf(d.quoteIdentifier(m.property)),
};

/** True for a row whose non-null value is outside `validValues` or does not match `pattern`. */
function invalidCondition(
  d: BaseDialect,
  m: { property: string; validValues?: readonly SqlValue[]; pattern?: string },
) {
  const col = d.quoteIdentifier(m.property);
  const bad: string[] = [];
  const valid = (m.validValues ?? []).filter((v) => v !== null);
  if (m.validValues !== undefined) bad.push(valid.length === 0 ? "TRUE" : `NOT (${d.inList(col, valid)})`);
  if (m.pattern !== undefined) bad.push(`NOT ${d.regexMatches(d.asText(col), m.pattern)}`);
  return `${col} IS NOT NULL AND (${bad.length === 0 ? "FALSE" : bad.join(" OR ")})`;
}

/** Violation → SQL condition (true when a non-null value breaks the rule). */
const violationSql: { [K in Violation["kind"]]: ViolationSql<K> } = {
  lessThan: (d, e, v) => `${e} ${v.exclusive ? "<=" : "<"} ${d.literal(v.value)}`,
  greaterThan: (d, e, v) => `${e} ${v.exclusive ? ">=" : ">"} ${d.literal(v.value)}`,
  shorterThan: (d, e, v) => `${d.textLength(d.asText(e))} < ${d.literal(v.length)}`,
  longerThan: (d, e, v) => `${d.textLength(d.asText(e))} > ${d.literal(v.length)}`,
  notMatching: (d, e, v) =>
    calendarPatterns.has(v.pattern)
      ? d.notCalendarMatch(e, v.pattern)
      : `NOT ${d.regexMatches(d.asText(e), v.pattern)}`,
  // Tolerant of binary floating point: 0.3 is a multiple of 0.1.
  notMultipleOf: (d, e, v) => {
    const q = `(CAST(${e} AS DOUBLE PRECISION) / ${d.literal(v.value)})`;
    return `abs(${q} - round(${q})) > 1e-9`;
  },
  fewerItemsThan: (d, e, v) => `${d.arrayLength(e)} < ${d.literal(v.count)}`,
  moreItemsThan: (d, e, v) => `${d.arrayLength(e)} > ${d.literal(v.count)}`,
};

/** Engine type (lower-case, without parameters) → ODCS logical type. PostgreSQL spellings. */
export const baseLogicalTypes: Readonly<Record<string, LogicalType>> = {
  text: "string",
  varchar: "string",
  "character varying": "string",
  character: "string",
  char: "string",
  bpchar: "string",
  uuid: "string",
  name: "string",
  citext: "string",
  smallint: "integer",
  integer: "integer",
  int: "integer",
  int2: "integer",
  int4: "integer",
  int8: "integer",
  bigint: "integer",
  numeric: "number",
  decimal: "number",
  real: "number",
  float4: "number",
  float8: "number",
  "double precision": "number",
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  timestamp: "timestamp",
  "timestamp without time zone": "timestamp",
  "timestamp with time zone": "timestamp",
  timestamptz: "timestamp",
  time: "time",
  "time without time zone": "time",
  "time with time zone": "time",
  json: "object",
  jsonb: "object",
  array: "array",
};

/** Logical types whose columns also satisfy another logical type (an integer column is a valid `number`). */
const logicalWidening: Partial<Record<LogicalType, readonly LogicalType[]>> = {
  number: ["integer"],
};

/** Spellings of the same physical type (lower-case) → one canonical name. PostgreSQL spellings. */
const basePhysicalAliases: Record<string, string> = {
  int: "integer",
  int4: "integer",
  integer: "integer",
  int2: "smallint",
  smallint: "smallint",
  int8: "bigint",
  bigint: "bigint",
  long: "bigint",
  text: "text",
  string: "text",
  varchar: "varchar",
  "character varying": "varchar",
  char: "char",
  character: "char",
  bpchar: "char",
  float: "double",
  float8: "double",
  double: "double",
  "double precision": "double",
  real: "real",
  float4: "real",
  numeric: "decimal",
  decimal: "decimal",
  bool: "boolean",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  "timestamp without time zone": "timestamp",
  timestamptz: "timestamptz",
  "timestamp with time zone": "timestamptz",
  time: "time",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
};

/**
 * The default (PostgreSQL-flavoured) SQL generator. Dialects override small hooks — quoting,
 * regex, lengths, time arithmetic, type tables — and the capability flags that differ.
 */
export class BaseDialect implements Dialect {
  readonly name: string = "base";
  readonly capabilities: DialectCapabilities = {
    filterClause: true,
    countDistinctTuple: true,
    regex: true,
    arrays: true,
    caseInsensitiveIdentifiers: false,
  };

  quoteIdentifier(name: string): string {
    if (name.includes("\0")) throw new InputError(`identifier contains a NUL character: ${JSON.stringify(name)}`);
    return `"${name.replaceAll('"', '""')}"`;
  }

  literal(value: SqlValue): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new InputError(`not a finite number: ${value}`);
      return String(value);
    }
    return this.stringLiteral(value);
  }

  /** Standard SQL: quotes doubled, nothing else special (standard_conforming_strings). */
  stringLiteral(value: string): string {
    if (value.includes("\0")) throw new InputError(`text contains a NUL character: ${JSON.stringify(value)}`);
    return `'${value.replaceAll("'", "''")}'`;
  }

  metric(metric: AggregateMetric, relation: string): string {
    return (metricSql[metric.kind] as MetricSql<AggregateMetricKind>)(this, metric as never, relation);
  }

  aggregateQuery(relation: string, items: readonly AggregateItem[]): string {
    const select = items.map((i) => `  ${this.metric(i.metric, relation)} AS ${this.quoteIdentifier(i.alias)}`);
    return `SELECT\n${select.join(",\n")}\nFROM ${relation}`;
  }

  violation(expr: string, v: Violation): string {
    return (violationSql[v.kind] as ViolationSql<Violation["kind"]>)(this, expr, v as never);
  }

  /**
   * A date (or date-time) must match the format and be a real calendar day. Pure arithmetic on
   * the digits the regex already vouched for, inside CASE branches evaluated in order, so a bad
   * value is counted, never a cast error that would abort the scan.
   */
  notCalendarMatch(expr: string, pattern: string): string {
    const text = this.asText(expr);
    const part = (from: number, length: number) => `CAST(substr(${text}, ${from}, ${length}) AS INTEGER)`;
    const year = part(1, 4);
    const leap = `(${year} % 4 = 0 AND ${year} % 100 <> 0) OR ${year} % 400 = 0`;
    const daysInMonth = `CASE substr(${text}, 6, 2) WHEN '02' THEN CASE WHEN ${leap} THEN 29 ELSE 28 END WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30 ELSE 31 END`;
    return `(CASE WHEN NOT ${this.regexMatches(text, pattern)} THEN TRUE ELSE ${part(9, 2)} > ${daysInMonth} END)`;
  }

  // ---- hooks ----

  countAll(): string {
    return "count(*)";
  }

  countIf(condition: string): string {
    return this.capabilities.filterClause
      ? `count(*) FILTER (WHERE ${condition})`
      : `coalesce(sum(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`;
  }

  /** `col IN (…)`, values already non-null. */
  inList(expr: string, values: readonly SqlValue[]): string {
    return `${expr} IN (${values.map((v) => this.literal(v)).join(", ")})`;
  }

  /**
   * The first `limit` distinct values of the text `expr` over the rows meeting `condition`, in
   * code-point order (`COLLATE "C"`, so every engine picks the same ones), as JSON array text;
   * NULL when no row meets it. One aggregate, so it rides along in the dataset's single scan.
   */
  sampleDistinct(expr: string, condition: string, limit: number): string {
    const text = `${expr} COLLATE "C"`;
    const rows = this.capabilities.filterClause
      ? `array_agg(DISTINCT ${text} ORDER BY ${text}) FILTER (WHERE ${condition})`
      : `array_remove(array_agg(DISTINCT CASE WHEN ${condition} THEN ${text} END ORDER BY CASE WHEN ${condition} THEN ${text} END), NULL)`;
    return `CAST(to_json((${rows})[1:${Math.trunc(limit)}]) AS TEXT)`;
  }

  duplicateCount(properties: readonly string[], relation: string): string {
    const cols = properties.map((p) => this.quoteIdentifier(p));
    if (cols.length === 1) return `count(${cols[0]}) - count(DISTINCT ${cols[0]})`;
    if (this.capabilities.countDistinctTuple) return `count(*) - count(DISTINCT (${cols.join(", ")}))`;
    return `count(*) - (SELECT count(*) FROM (SELECT DISTINCT ${cols.join(", ")} FROM ${relation}) AS d)`;
  }

  /** Unanchored match, like JSON Schema `pattern`. */
  regexMatches(expr: string, pattern: string): string {
    return `(${expr} ~ ${this.stringLiteral(pattern)})`;
  }

  asText(expr: string): string {
    return `CAST(${expr} AS TEXT)`;
  }

  textLength(expr: string): string {
    return `length(${expr})`;
  }

  arrayLength(expr: string): string {
    return `cardinality(${expr})`;
  }

  /** Seconds from `aggregate` (a min/max of a date or timestamp) to now. */
  ageSeconds(aggregate: string): string {
    return `EXTRACT(EPOCH FROM (now() - CAST(${aggregate} AS TIMESTAMPTZ)))`;
  }

  /**
   * Base types (see `baseType`) of text whose `min`/`max` the engine orders; other text-like types
   * (PostgreSQL's `uuid`, `xml`, `inet` …) have no `min` aggregate there and get nulls only.
   */
  protected orderedTextTypes: ReadonlySet<string> = new Set([
    "text",
    "varchar",
    "character varying",
    "character",
    "char",
    "bpchar",
  ]);
  /** Numeric base types without `avg` (PostgreSQL's `oid`): min and max only. */
  protected unaveragedTypes: ReadonlySet<string> = new Set(["oid"]);

  profileShape(engineType: string): ProfileShape {
    if (this.isArrayType(engineType)) return "nullsOnly";
    const base = this.baseType(engineType);
    switch (this.logicalTypeOf(engineType)) {
      case "integer":
      case "number":
        return this.unaveragedTypes.has(base) ? "ordered" : "numeric";
      case "date":
      case "timestamp":
      case "time":
        return "ordered";
      case "boolean":
        return "boolean";
      case "string":
        return this.orderedTextTypes.has(base) ? "ordered" : "nullsOnly";
      default:
        return "nullsOnly";
    }
  }

  /** Engine type → logical type; dialects add their own spellings. */
  protected logicalTypes: Record<string, LogicalType> = baseLogicalTypes;
  protected physicalAliases: Record<string, string> = basePhysicalAliases;

  /** Lower-case, parameters and array suffixes stripped: `DECIMAL(18,2)` → `decimal`. */
  baseType(engineType: string): string {
    return engineType
      .trim()
      .toLowerCase()
      .replace(/\(.*\)/, "")
      .trim();
  }

  isArrayType(engineType: string): boolean {
    return /\[\]$/.test(engineType.trim()) || /^_/.test(engineType.trim());
  }

  logicalTypeOf(engineType: string): LogicalType | undefined {
    if (this.isArrayType(engineType)) return "array";
    return this.logicalTypes[this.baseType(engineType)];
  }

  /** Whether a column of `actual` engine type satisfies a contract's `logicalType`. */
  logicalTypeAccepts(logicalType: string, actual: string): boolean | undefined {
    const found = this.logicalTypeOf(actual);
    if (found === undefined) return undefined;
    return found === logicalType || (logicalWidening[logicalType as LogicalType] ?? []).includes(found);
  }

  physicalTypeMatches(declared: string, actual: string): boolean | undefined {
    const canonical = (t: string) => this.physicalAliases[this.baseType(t)];
    const want = canonical(declared);
    if (want === undefined) return undefined;
    if (this.isArrayType(declared) !== this.isArrayType(actual)) return false;
    const have = canonical(actual);
    if (want !== have) return false;
    // Compare parameters (decimal(18,2), varchar(10)) only when both sides state them.
    const params = (t: string) => /\(([^)]*)\)/.exec(t)?.[1]?.replaceAll(" ", "");
    const pw = params(declared);
    const ph = params(actual);
    return pw === undefined || ph === undefined || pw === ph;
  }
}
