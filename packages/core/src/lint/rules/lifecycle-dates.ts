import type { Path } from "../../issues.js";
import { arr, num, obj, text } from "../../read.js";
import type { LintRule } from "../lint-rule.js";
import { dateError } from "./dates.js";

/** How long data is kept: a count of calendar units, measured on one column (`object.column`). */
export interface Retention {
  value: number;
  unit: "day" | "week" | "month" | "year";
  /** `readings.reading_ts`: the schema object and the column whose age counts; none: versions only. */
  element: string | undefined;
}

/**
 * The lifecycle dates a contract's `slaProperties` (ODCS) or a product's `customProperties`
 * (ODPS, which has no field of its own for them) declare. Dates are instants; a date without a
 * time is midnight UTC.
 */
export interface LifecycleDates {
  generalAvailability?: Date;
  endOfSupport?: Date;
  endOfLife?: Date;
  retention?: Retention;
}

export interface LifecycleProblem {
  path: Path;
  /** `invalid`: a date or retention that cannot be read; `out-of-order`: dates that contradict each other. */
  kind: "invalid" | "out-of-order";
  message: string;
}

const units: Record<string, Retention["unit"]> = {
  d: "day",
  day: "day",
  days: "day",
  w: "week",
  week: "week",
  weeks: "week",
  mo: "month",
  month: "month",
  months: "month",
  y: "year",
  yr: "year",
  yrs: "year",
  year: "year",
  years: "year",
};

const datedProperties = ["generalAvailability", "endOfSupport", "endOfLife"] as const;
const isoDate = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The instant a lifecycle date names, or why it names none. */
function instant(value: unknown): { at: Date } | { error: string } {
  const s = typeof value === "string" ? value.trim() : value instanceof Date ? value.toISOString() : undefined;
  if (s === undefined)
    return { error: `write it as an ISO 8601 date such as "2032-05-12" (got ${JSON.stringify(value)})` };
  if (!isoDate.test(s))
    return { error: `"${s}" is not an ISO 8601 date; write e.g. "2032-05-12" or "2032-05-12T09:30:00Z"` };
  const calendar = dateError(s);
  if (calendar) return { error: `"${s}" is not a valid date: ${calendar}` };
  // A time without an offset is read as UTC, so every replica agrees when it passes.
  const zoned = /[T ]\d{2}:\d{2}/.test(s) && !/(Z|z|[+-]\d{2}(:?\d{2})?)$/.test(s) ? `${s}Z` : s;
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(zoned) ? `${zoned}T00:00:00Z` : zoned.replace(" ", "T"));
  return Number.isNaN(at.getTime()) ? { error: `"${s}" is not a date` } : { at };
}

/**
 * Reads the lifecycle entries of a list of `{ property, value, unit?, element? }` (ODCS
 * slaProperties, ODPS customProperties). Never throws: what it cannot read is a problem, and that
 * entry is left out (a product is never cut off by a date no one can read).
 */
export function readLifecycleDates(
  entries: unknown,
  base: Path = [],
): { dates: LifecycleDates; problems: LifecycleProblem[] } {
  const dates: LifecycleDates = {};
  const problems: LifecycleProblem[] = [];
  arr(entries).forEach((entry, i) => {
    const e = obj(entry);
    const property = text(e?.property);
    if (!e || !property) return;
    const path: Path = [...base, i, "value"];
    const known = datedProperties.find((p) => p.toLowerCase() === property.toLowerCase());
    if (known) {
      const read = instant(e.value);
      if ("error" in read) problems.push({ path, kind: "invalid", message: `${known}: ${read.error}` });
      else dates[known] = read.at;
      return;
    }
    if (property.toLowerCase() !== "retention") return;
    // ODCS: value, unit, element side by side. ODPS custom properties have no unit: the value is
    // "3 y" or an object { value, unit, element }.
    const inner = obj(e.value);
    const spelled = typeof e.value === "string" ? /^\s*(\d+)\s*([A-Za-z]+)\s*$/.exec(e.value) : null;
    const raw = inner ? inner.value : spelled ? spelled[1] : e.value;
    const value = num(raw) ?? (typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : undefined);
    const unitText =
      text(inner ? inner.unit : (e.unit ?? spelled?.[2]))
        ?.trim()
        .toLowerCase() ?? "";
    const unit = units[unitText];
    const element = text(inner ? inner.element : e.element)?.trim() || undefined;
    if (value === undefined || !Number.isInteger(value) || value <= 0) {
      problems.push({
        path,
        kind: "invalid",
        message: `retention: the value is a whole number of units greater than 0, such as 3 with unit y, or "3 y" (got ${JSON.stringify(e.value)})`,
      });
    } else if (!unit) {
      problems.push({
        path: [...base, i, "unit"],
        kind: "invalid",
        message: `retention: unit ${JSON.stringify(unitText || null)} is not one of d, w, month, y (or day(s), week(s), month(s), year(s))`,
      });
    } else if (element !== undefined && !/^[^.\s]+\.[^.\s]+$/.test(element)) {
      problems.push({
        path: [...base, i, "element"],
        kind: "invalid",
        message: `retention: element "${element}" does not name a column as object.column (e.g. readings.reading_ts)`,
      });
    } else {
      dates.retention = { value, unit, element };
    }
  });
  const order: [keyof LifecycleDates, keyof LifecycleDates][] = [
    ["generalAvailability", "endOfSupport"],
    ["endOfSupport", "endOfLife"],
    ["generalAvailability", "endOfLife"],
  ];
  for (const [before, after] of order) {
    const a = dates[before] as Date | undefined;
    const b = dates[after] as Date | undefined;
    if (a && b && b.getTime() < a.getTime()) {
      problems.push({
        path: base,
        kind: "out-of-order",
        message: `${after} (${b.toISOString()}) is before ${before} (${a.toISOString()}); put the dates in order: general availability, end of support, end of life`,
      });
    }
  }
  return { dates, problems };
}

/** The instant before which a retention's rows and superseded versions are expired. */
export function retentionCutoff(retention: Retention, now: Date): Date {
  const at = new Date(now.getTime());
  if (retention.unit === "day") at.setUTCDate(at.getUTCDate() - retention.value);
  else if (retention.unit === "week") at.setUTCDate(at.getUTCDate() - 7 * retention.value);
  else if (retention.unit === "month") at.setUTCMonth(at.getUTCMonth() - retention.value);
  else at.setUTCFullYear(at.getUTCFullYear() - retention.value);
  return at;
}

const where = (kind: string) => (kind === "odps" ? "customProperties" : "slaProperties");

export const lifecycleDateInvalid: LintRule = {
  code: "lifecycle-date-invalid",
  severity: "error",
  description:
    "A lifecycle entry Quanta enforces that it cannot read: `generalAvailability`, `endOfSupport` or `endOfLife` that is not an ISO 8601 date, or a `retention` without a whole positive value, a known unit (d, w, month, y) or an `element` of the form object.column (ODCS `slaProperties`, ODPS `customProperties`).",
  check(ctx) {
    const key = where(ctx.kind);
    const { problems } = readLifecycleDates(obj(ctx.value)?.[key], [key]);
    for (const p of problems) if (p.kind === "invalid") ctx.report(p.path, p.message);
  },
};

export const lifecycleDatesOutOfOrder: LintRule = {
  code: "lifecycle-dates-out-of-order",
  severity: "error",
  description:
    "Lifecycle dates out of order: end of life before end of support, or either before general availability (ODCS `slaProperties`, ODPS `customProperties`).",
  check(ctx) {
    const key = where(ctx.kind);
    const { problems } = readLifecycleDates(obj(ctx.value)?.[key], [key]);
    for (const p of problems) if (p.kind === "out-of-order") ctx.report(p.path, p.message);
  },
};
