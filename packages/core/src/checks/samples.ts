import type { Metric, MetricCheck } from "./check.js";

/** How many offending values a failed valid-values rule names. */
export const sampleSize = 5;

const marker = "; invalid values include ";

/**
 * The sample metric riding along with a check's metric in the same scan, when the check has one:
 * an `invalidCount` (ODCS `invalidValues` / `validValues`, enum-like rules) gets its first distinct
 * offending values. One more than shown is asked for, to know whether there are more.
 */
export function sampleMetric(check: MetricCheck): Metric | undefined {
  const m = check.metric;
  if (m.kind !== "invalidCount") return undefined;
  return {
    kind: "invalidSample",
    property: m.property,
    ...(m.validValues !== undefined ? { validValues: m.validValues } : {}),
    ...(m.pattern !== undefined ? { pattern: m.pattern } : {}),
    limit: sampleSize + 1,
  };
}

/** The values an `invalidSample` query returned (JSON array text, or null for none). */
export function readSamples(raw: unknown): string[] {
  if (typeof raw !== "string" || raw === "") return [];
  try {
    const values: unknown = JSON.parse(raw);
    return Array.isArray(values) ? values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))) : [];
  } catch {
    return [];
  }
}

/** `2 is not = 0; invalid values include "lost", "void"` (`, …` when there are more than shown). */
export function withSamples(reason: string, samples: readonly string[]): string {
  if (samples.length === 0) return reason;
  const shown = samples.slice(0, sampleSize).map((v) => JSON.stringify(v));
  return `${reason}${marker}${shown.join(", ")}${samples.length > sampleSize ? ", …" : ""}`;
}

/**
 * The reason without its sample values, for a reader who may not see the column's values
 * (`withSamples` appends them last, so everything from the marker on goes).
 */
export function withoutSamples(reason: string): { reason: string; hidden: boolean } {
  const at = reason.indexOf(marker);
  return at < 0 ? { reason, hidden: false } : { reason: reason.slice(0, at), hidden: true };
}
