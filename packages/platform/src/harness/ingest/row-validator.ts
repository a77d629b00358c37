import {
  buildChecks,
  jsPatternMatcher,
  type MetricCheck,
  type SqlValue,
  type Threshold,
  type Violation,
} from "@quanta/core";
import { arr, type Obj, obj, str } from "../../registry/read.js";

export type IngestValue = string | number | boolean | null | Obj | unknown[];

/** One contract property as ingest sees it: the record field, its type and the DuckDB column type. */
export interface IngestColumn {
  name: string;
  logicalType: string;
  required: boolean;
  duckdbType: string;
}

export interface RowVerdict {
  /** The row with each value in its contract type (dates and timestamps as ISO strings). */
  row?: Record<string, IngestValue>;
  reasons: string[];
}

/**
 * How strings are read: `strict` for JSON input (a number must be a JSON number), `text` for CSV and
 * Parquet cells (a string is converted to the property's type when it spells one).
 */
export type ValueMode = "strict" | "text";

type Coerce = (v: unknown, mode: ValueMode) => { value: IngestValue } | { error: string };

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoTimestamp = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const isoTime = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;

function validDate(s: string): boolean {
  const m = isoDate.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

const numeric = (v: unknown, mode: ValueMode, integer: boolean): { value: number } | { error: string } => {
  const n =
    typeof v === "number" ? v : mode === "text" && typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) return { error: `${show(v)} is not ${integer ? "an integer" : "a number"}` };
  if (integer && !Number.isInteger(n)) return { error: `${show(v)} is not an integer` };
  if (integer && !Number.isSafeInteger(n)) return { error: `${show(v)} is too large for an exact integer` };
  return { value: n };
};

/** logicalType → how a value is checked and converted. */
const coercions: Record<string, Coerce> = {
  string: (v, mode) =>
    typeof v === "string"
      ? { value: v }
      : mode === "text" && (typeof v === "number" || typeof v === "boolean")
        ? { value: String(v) }
        : { error: `${show(v)} is not a string` },
  integer: (v, mode) => numeric(v, mode, true),
  number: (v, mode) => numeric(v, mode, false),
  boolean: (v, mode) => {
    if (typeof v === "boolean") return { value: v };
    if (mode === "text" && typeof v === "string" && /^(true|false)$/i.test(v.trim()))
      return { value: v.trim().toLowerCase() === "true" };
    return { error: `${show(v)} is not a boolean` };
  },
  date: (v) =>
    typeof v === "string" && validDate(v.trim())
      ? { value: v.trim() }
      : { error: `${show(v)} is not a date (YYYY-MM-DD)` },
  timestamp: (v) => {
    if (typeof v !== "string" || !isoTimestamp.test(v.trim()) || Number.isNaN(Date.parse(v.trim().replace(" ", "T"))))
      return { error: `${show(v)} is not an ISO 8601 timestamp` };
    const t = v.trim().replace(" ", "T");
    // Timestamps with an offset are stored in UTC; without one they are taken as written.
    return { value: /(Z|[+-]\d{2}:?\d{2})$/.test(t) ? new Date(t).toISOString().replace("Z", "") : t };
  },
  time: (v) =>
    typeof v === "string" && isoTime.test(v.trim())
      ? { value: v.trim() }
      : { error: `${show(v)} is not a time (HH:MM:SS)` },
  object: (v, mode) => {
    const parsed = mode === "text" && typeof v === "string" ? tryJson(v) : v;
    return obj(parsed) ? { value: parsed as Obj } : { error: `${show(v)} is not an object` };
  },
  array: (v, mode) => {
    const parsed = mode === "text" && typeof v === "string" ? tryJson(v) : v;
    return Array.isArray(parsed) ? { value: parsed } : { error: `${show(v)} is not an array` };
  },
};

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** logicalType → the column type of the stored Parquet file. */
const duckdbTypes: Record<string, string> = {
  string: "VARCHAR",
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  time: "TIME",
  object: "JSON",
  array: "JSON",
};

/** A rule is checked row by row only when the contract tolerates no violation at all. */
function zeroTolerance(t: Threshold, unit: string): boolean {
  if (unit !== "rows") return false;
  return (
    (t.operator === "mustBe" && t.value === 0) ||
    (t.operator === "mustBeLessOrEqualTo" && t.value === 0) ||
    (t.operator === "mustBeLessThan" && t.value === 1)
  );
}

const compare = (a: number | string, b: number | string): number =>
  typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;

/** Violation kind → whether a (non-null, typed) value breaks it. */
const breaks: { [K in Violation["kind"]]: (v: IngestValue, rule: Extract<Violation, { kind: K }>) => boolean } = {
  lessThan: (v, r) =>
    (typeof v === "number" || typeof v === "string") &&
    (r.exclusive ? compare(v, r.value) <= 0 : compare(v, r.value) < 0),
  greaterThan: (v, r) =>
    (typeof v === "number" || typeof v === "string") &&
    (r.exclusive ? compare(v, r.value) >= 0 : compare(v, r.value) > 0),
  shorterThan: (v, r) => typeof v === "string" && [...v].length < r.length,
  longerThan: (v, r) => typeof v === "string" && [...v].length > r.length,
  notMatching: (v, r) => typeof v === "string" && !matches(r.pattern, v),
  notMultipleOf: (v, r) => typeof v === "number" && Math.abs(v / r.value - Math.round(v / r.value)) > 1e-9,
  fewerItemsThan: (v, r) => Array.isArray(v) && v.length < r.count,
  moreItemsThan: (v, r) => Array.isArray(v) && v.length > r.count,
};

/**
 * The verdict DuckDB and PostgreSQL give for the same pattern (POSIX classes translated, the
 * calendar test of date formats). A pattern JavaScript cannot read is left to the contract tests,
 * which run it in the engine: refusing every row for it would quarantine valid data.
 */
const matches = (pattern: string, v: string): boolean => jsPatternMatcher(pattern)?.(v) ?? true;

type RowRule = (row: Record<string, IngestValue>) => string | undefined;

function ruleOf(check: MetricCheck, field: string): RowRule | undefined {
  const m = check.metric;
  const label = `${field}: ${check.name}`;
  switch (m.kind) {
    case "nullCount":
      return (row) => (row[field] === null ? `${label} (got null)` : undefined);
    case "missingCount":
      return (row) => {
        const v = row[field] ?? null;
        return v === null || m.values.includes(v as SqlValue) ? `${label} (got ${show(v)})` : undefined;
      };
    case "invalidCount":
      return (row) => {
        const v = row[field] ?? null;
        if (v === null) return undefined;
        const notValid = m.validValues !== undefined && !m.validValues.includes(v as SqlValue);
        const notMatching = m.pattern !== undefined && !(typeof v === "string" && matches(m.pattern, v));
        return notValid || notMatching ? `${label} (got ${show(v)})` : undefined;
      };
    case "violationCount": {
      const test = breaks[m.violation.kind] as (v: IngestValue, r: Violation) => boolean;
      return (row) => {
        const v = row[field] ?? null;
        return v !== null && test(v, m.violation) ? `${label} (got ${show(v)})` : undefined;
      };
    }
    default:
      return undefined; // duplicates, row counts, freshness: whole-dataset rules, left to contract tests
  }
}

/**
 * Validates records against one schema object of a contract, row by row: known fields only, each
 * value of its logical type, required values present, and every zero-tolerance rule of the contract
 * (logicalTypeOptions, valid values, patterns, null and missing values) built by the same
 * `buildChecks` the contract tests use.
 */
export class RowValidator {
  readonly columns: IngestColumn[];
  private readonly rules: RowRule[];
  private readonly known: Set<string>;

  constructor(contract: Obj, dataset: string) {
    const object = arr(contract.schema)
      .map(obj)
      .find((o) => str(o?.name) === dataset);
    const properties = arr(object?.properties).flatMap((p) => (obj(p) && str(obj(p)?.name) ? [obj(p) as Obj] : []));
    this.columns = properties.map((p) => {
      const logicalType = (str(p.logicalType) ?? "string").toLowerCase();
      return {
        name: str(p.name) as string,
        logicalType,
        required: p.required === true,
        duckdbType: duckdbTypes[logicalType] ?? "VARCHAR",
      };
    });
    this.known = new Set(this.columns.map((c) => c.name));
    const fieldOf = new Map(
      properties.map((p) => [str(p.physicalName) ?? (str(p.name) as string), str(p.name) as string]),
    );
    this.rules = buildChecks(contract, { schema: dataset }).flatMap((c) => {
      if (c.kind !== "metric" || c.property === undefined || !zeroTolerance(c.threshold, c.unit)) return [];
      const field = fieldOf.get(c.property);
      const rule = field ? ruleOf(c, field) : undefined;
      return rule ? [rule] : [];
    });
  }

  /** Fields a file's header names that the contract does not know, and required ones it lacks. */
  headerProblems(fields: readonly string[]): { unknown: string[]; missing: string[] } {
    const given = new Set(fields);
    return {
      unknown: fields.filter((f) => !this.known.has(f)),
      missing: this.columns.filter((c) => c.required && !given.has(c.name)).map((c) => c.name),
    };
  }

  validate(record: unknown, mode: ValueMode): RowVerdict {
    const o = obj(record);
    if (!o) return { reasons: [`the record is ${Array.isArray(record) ? "an array" : show(record)}, not an object`] };
    const reasons: string[] = [];
    for (const key of Object.keys(o)) if (!this.known.has(key)) reasons.push(`${key}: not a property of the contract`);
    // Own properties only, into a row without a prototype: a property named `__proto__` or
    // `constructor` is data, never Object.prototype's.
    const row: Record<string, IngestValue> = Object.create(null);
    for (const c of this.columns) {
      const raw = Object.hasOwn(o, c.name) ? o[c.name] : undefined;
      const empty = raw === undefined || raw === null || (mode === "text" && raw === "" && c.logicalType !== "string");
      if (empty) {
        if (c.required) reasons.push(`${c.name}: required, but missing`);
        row[c.name] = null;
        continue;
      }
      const coerce = coercions[c.logicalType];
      const result = coerce ? coerce(raw, mode) : { value: raw as IngestValue };
      if ("error" in result) reasons.push(`${c.name}: ${result.error} (${c.logicalType})`);
      else row[c.name] = result.value;
    }
    if (reasons.length === 0) {
      for (const rule of this.rules) {
        const broken = rule(row);
        if (broken) reasons.push(broken);
      }
    }
    return reasons.length === 0 ? { row, reasons } : { reasons };
  }
}
