import type { Operator, SqlValue, Threshold, Unit } from "./check.js";

type Compare = (value: SqlValue, bound: Threshold["value"]) => boolean;

const asNumber = (v: unknown): number =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
const pair = (b: Threshold["value"]): readonly [number, number] =>
  Array.isArray(b) ? (b as [number, number]) : [Number.NaN, Number.NaN];
/** Numbers compare as numbers even when an engine returns a DECIMAL as text; other scalars by identity. */
const same = (v: SqlValue, b: Threshold["value"]): boolean =>
  typeof b === "number" || typeof v === "number" ? asNumber(v) === asNumber(b) : v === b;

/** The eight ODCS operators, one entry each. */
const compare: Record<Operator, Compare> = {
  mustBe: (v, b) => same(v, b),
  mustNotBe: (v, b) => !same(v, b),
  mustBeGreaterThan: (v, b) => asNumber(v) > asNumber(b),
  mustBeGreaterOrEqualTo: (v, b) => asNumber(v) >= asNumber(b),
  mustBeLessThan: (v, b) => asNumber(v) < asNumber(b),
  mustBeLessOrEqualTo: (v, b) => asNumber(v) <= asNumber(b),
  mustBeBetween: (v, b) => asNumber(v) >= pair(b)[0] && asNumber(v) <= pair(b)[1],
  mustNotBeBetween: (v, b) => asNumber(v) < pair(b)[0] || asNumber(v) > pair(b)[1],
};

const symbols: Record<Operator, string> = {
  mustBe: "=",
  mustNotBe: "!=",
  mustBeGreaterThan: ">",
  mustBeGreaterOrEqualTo: ">=",
  mustBeLessThan: "<",
  mustBeLessOrEqualTo: "<=",
  mustBeBetween: "between",
  mustNotBeBetween: "not between",
};

/** Numeric operators need a number; a text or null measurement cannot be judged by them. */
const numericOperators = new Set<Operator>([
  "mustBeGreaterThan",
  "mustBeGreaterOrEqualTo",
  "mustBeLessThan",
  "mustBeLessOrEqualTo",
  "mustBeBetween",
  "mustNotBeBetween",
]);

/** Whether `value` satisfies `threshold`; `undefined` when the value cannot be compared that way. */
export function satisfies(threshold: Threshold, value: SqlValue): boolean | undefined {
  if (numericOperators.has(threshold.operator) && Number.isNaN(asNumber(value))) return undefined;
  return compare[threshold.operator](value, threshold.value);
}

/** `= 0`, `<= 5 %`, `between 1 and 10`: how results show a threshold. */
export function describeThreshold(threshold: Threshold, unit: Unit = "rows"): string {
  const v = threshold.value;
  const shown = Array.isArray(v) ? `${v[0]} and ${v[1]}` : JSON.stringify(v);
  return `${symbols[threshold.operator]} ${shown}${unit === "percent" ? " %" : ""}`;
}

/** Percent of `count` in `rows`, rounded to 4 decimals; an empty dataset has 0 %. */
export function percentOf(count: number, rows: number): number {
  return rows === 0 ? 0 : Math.round((count / rows) * 100 * 10_000) / 10_000;
}
