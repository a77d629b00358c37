import type { ChangeKind } from "./change-table.js";
import type { FieldHandler } from "./differ.js";
import { fieldScope } from "./differ.js";
import { asList, deepEqual, isObj } from "./values.js";

/**
 * `logicalTypeOptions` compared option by option. Each option has a direction: raising a lower
 * bound or lowering an upper bound tightens (major), the reverse loosens (minor). Options whose
 * direction cannot be judged are `constraint-changed` (ranked major: uncertainty ranks higher).
 */
type Direction = "tightened" | "loosened" | "changed";
type OptionRule = (before: unknown, after: unknown) => Direction;

const kindOf: Record<Direction, ChangeKind> = {
  tightened: "constraint-tightened",
  loosened: "constraint-loosened",
  changed: "constraint-changed",
};

/** Numbers compare numerically; ISO dates/times (strings) lexicographically; anything else: unknown. */
function order(a: unknown, b: unknown): number | undefined {
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string" && a.length === b.length && /^\d/.test(a) && /^\d/.test(b)) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return undefined;
}

const presence = (before: unknown, after: unknown): Direction | undefined =>
  before === undefined ? "tightened" : after === undefined ? "loosened" : undefined;

const lowerBound: OptionRule = (b, a) => {
  const p = presence(b, a);
  if (p) return p;
  const o = order(a, b);
  return o === undefined ? "changed" : o > 0 ? "tightened" : "loosened";
};

const upperBound: OptionRule = (b, a) => {
  const p = presence(b, a);
  if (p) return p;
  const o = order(a, b);
  return o === undefined ? "changed" : o < 0 ? "tightened" : "loosened";
};

/** Adding narrows, removing widens, any other change cannot be judged (a new pattern or format). */
const exact: OptionRule = (b, a) => presence(b, a) ?? "changed";

/** Integer and float formats are ordered by width within a family: wider loosens. */
const numberFormats: Record<string, [family: string, width: number]> = {
  i8: ["i", 8],
  i16: ["i", 16],
  i32: ["i", 32],
  i64: ["i", 64],
  i128: ["i", 128],
  u8: ["u", 8],
  u16: ["u", 16],
  u32: ["u", 32],
  u64: ["u", 64],
  u128: ["u", 128],
  f32: ["f", 32],
  f64: ["f", 64],
};

const format: OptionRule = (b, a) => {
  const p = presence(b, a);
  if (p) return p;
  const fb = numberFormats[String(b)];
  const fa = numberFormats[String(a)];
  if (fb && fa && fb[0] === fa[0]) return fa[1] > fb[1] ? "loosened" : "tightened";
  return "changed";
};

const multipleOf: OptionRule = (b, a) => {
  const p = presence(b, a);
  if (p) return p;
  if (typeof a !== "number" || typeof b !== "number" || a <= 0 || b <= 0) return "changed";
  if (Number.isInteger(a / b)) return "tightened";
  if (Number.isInteger(b / a)) return "loosened";
  return "changed";
};

const flag: OptionRule = (b, a) =>
  (a ?? false) === true ? "tightened" : (b ?? false) === true ? "loosened" : "changed";

/** A required-names list: names added tighten, names only removed loosen. */
const requiredNames: OptionRule = (b, a) => {
  const bs = new Set(asList(b).map(String));
  const as = new Set(asList(a).map(String));
  if ([...as].some((x) => !bs.has(x))) return "tightened";
  return "loosened";
};

const optionRules: Record<string, OptionRule> = {
  minimum: lowerBound,
  exclusiveMinimum: lowerBound,
  minLength: lowerBound,
  minItems: lowerBound,
  minProperties: lowerBound,
  maximum: upperBound,
  exclusiveMaximum: upperBound,
  maxLength: upperBound,
  maxItems: upperBound,
  maxProperties: upperBound,
  pattern: exact,
  format,
  multipleOf,
  uniqueItems: flag,
  required: requiredNames,
  timezone: exact,
  defaultTimezone: exact,
};

export const logicalTypeOptionsRule: FieldHandler = (d, scope, before, after, field) => {
  const s = fieldScope(scope, field);
  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  if ((before !== undefined && !isObj(before)) || (after !== undefined && !isObj(after))) {
    d.emitField(scope, field, "constraint-changed", before, after, " (not an object; cannot compare options)");
    return;
  }
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (deepEqual(b[key], a[key])) continue;
    const rule = optionRules[key];
    const direction = rule ? rule(b[key], a[key]) : "changed";
    const why = rule ? "" : " (an option Quanta does not know; ranked as tightened)";
    d.emitField(
      { ...s, subject: scope.subject },
      key,
      kindOf[direction],
      b[key],
      a[key],
      direction === "changed" ? why || " (cannot tell whether tightened or loosened)" : ` (${direction})`,
    );
  }
};

/**
 * Physical types: the same base type with a larger size (`varchar(18)` → `varchar(20)`), or a wider
 * integer/float type (`int` → `bigint`), keeps every old value valid: widened (minor). Spelling-only
 * differences (`VARCHAR` vs `varchar`) are metadata. Anything else changes the stored type (major).
 */
const sized = /^\s*([a-z][a-z0-9 _]*?)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*$/i;
const sizedWidenable = new Set([
  "varchar",
  "nvarchar",
  "varchar2",
  "nvarchar2",
  "character varying",
  "string",
  "varbinary",
  "decimal",
  "numeric",
  "number",
]);
const widths: Record<string, [family: string, width: number]> = {
  tinyint: ["int", 1],
  int1: ["int", 1],
  smallint: ["int", 2],
  int2: ["int", 2],
  int: ["int", 4],
  integer: ["int", 4],
  int4: ["int", 4],
  bigint: ["int", 8],
  int8: ["int", 8],
  long: ["int", 8],
  hugeint: ["int", 16],
  real: ["float", 4],
  float4: ["float", 4],
  float: ["float", 8],
  float8: ["float", 8],
  double: ["float", 8],
  "double precision": ["float", 8],
};

export function comparePhysicalTypes(before: string, after: string): "same" | "widened" | "changed" {
  const b = before.trim().toLowerCase().replace(/\s+/g, " ");
  const a = after.trim().toLowerCase().replace(/\s+/g, " ");
  if (a === b) return "same";
  const wb = widths[b];
  const wa = widths[a];
  if (wb && wa && wb[0] === wa[0]) return wa[1] > wb[1] ? "widened" : "changed";
  const mb = sized.exec(b);
  const ma = sized.exec(a);
  if (mb && ma && mb[1] === ma[1] && sizedWidenable.has(mb[1] ?? "")) {
    const [nb, sb] = [Number(mb[2]), Number(mb[3] ?? 0)];
    const [na, sa] = [Number(ma[2]), Number(ma[3] ?? 0)];
    // decimal(p, s): widened when the scale is kept and the precision grows.
    if (sa === sb && na > nb) return "widened";
  }
  return "changed";
}

export const physicalTypeRule: FieldHandler = (d, scope, before, after, field) => {
  if (typeof before === "string" && typeof after === "string") {
    const verdict = comparePhysicalTypes(before, after);
    if (verdict === "same") {
      d.emitField(scope, field, "metadata-changed", before, after, " (spelling only)");
      return;
    }
    if (verdict === "widened") {
      d.emitField(scope, field, "physical-type-widened", before, after, " (widened: every old value still fits)");
      return;
    }
  }
  const narrowed =
    typeof before === "string" && typeof after === "string" && comparePhysicalTypes(after, before) === "widened";
  d.emitField(
    scope,
    field,
    "physical-type-changed",
    before,
    after,
    narrowed ? " (narrowed: old values may not fit)" : "",
  );
};
