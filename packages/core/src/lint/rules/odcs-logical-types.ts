import type { Path } from "../../issues.js";
import type { LogicalType } from "../../spec/odcs/model.js";
import type { LintContext, LintRule } from "../lint-rule.js";
import { allProperties } from "../odcs-walk.js";
import { asArray, asObj, asString, nameOf, type Obj } from "../read.js";

export type { LogicalType } from "../../spec/odcs/model.js";

const bounds = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const;
const temporal = [...bounds, "format"] as const;
const numeric = [...bounds, "multipleOf", "format"] as const;

/** The `logicalTypeOptions` ODCS v3.1 defines for each `logicalType`. */
export const optionsByType: Record<LogicalType, readonly string[]> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  date: temporal,
  timestamp: [...temporal, "timezone", "defaultTimezone"],
  time: [...temporal, "timezone", "defaultTimezone"],
  integer: numeric,
  number: numeric,
  object: ["minProperties", "maxProperties", "required"],
  array: ["minItems", "maxItems", "uniqueItems"],
  boolean: [],
};

export function logicalTypeOf(node: Obj): LogicalType | undefined {
  const t = node.logicalType;
  return typeof t === "string" && Object.hasOwn(optionsByType, t) ? (t as LogicalType) : undefined;
}

function ownerOfOption(option: string): LogicalType[] {
  return (Object.keys(optionsByType) as LogicalType[]).filter((t) => optionsByType[t].includes(option));
}

export const logicalTypeOptionMismatch: LintRule = {
  code: "logical-type-option-mismatch",
  severity: "error",
  description:
    "A `logicalTypeOptions` entry that does not exist for the property's `logicalType` (e.g. `maxLength` on an integer), or an object's `required` naming a property it does not have.",
  check(ctx) {
    for (const p of allProperties(ctx.value)) {
      const type = logicalTypeOf(p.node);
      const options = asObj(p.node.logicalTypeOptions);
      if (!type || !options) continue;
      for (const option of Object.keys(options)) {
        if (optionsByType[type].includes(option)) continue;
        const owners = ownerOfOption(option);
        const fits = owners.length ? `; it applies to ${owners.join(", ")}` : "";
        const allowed = optionsByType[type].length ? optionsByType[type].join(", ") : "none";
        ctx.report(
          [...p.path, "logicalTypeOptions", option],
          `${option} does not apply to logicalType ${type}${fits} (${type} takes: ${allowed})`,
          { key: true },
        );
      }
      if (type === "object" && Array.isArray(options.required) && Array.isArray(p.node.properties)) {
        const names = new Set(asArray(p.node.properties).map(nameOf));
        options.required.forEach((r, i) => {
          if (typeof r === "string" && !names.has(r)) {
            ctx.report(
              [...p.path, "logicalTypeOptions", "required", i],
              `required property "${r}" is not among this object's properties`,
            );
          }
        });
      }
    }
  },
};

type Comparable = { value: number; path: Path; raw: unknown };

/** Reads a bound as a comparable number: numbers as they are, dates/times as instants or seconds. */
function readBound(type: LogicalType, value: unknown): number | undefined {
  if (type === "integer" || type === "number")
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
  const s = asString(value);
  if (s === undefined) return undefined;
  if (type === "time") {
    const m = /^(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/.exec(s);
    return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function checkRange(
  ctx: LintContext,
  what: string,
  low: Comparable | undefined,
  high: Comparable | undefined,
  empty: (low: number, high: number) => boolean,
): boolean {
  if (!low || !high || !empty(low.value, high.value)) return false;
  const line = ctx.src.locate(low.path).line;
  ctx.report(
    high.path,
    `${what}: nothing can satisfy ${JSON.stringify(low.raw)} (line ${line}) and ${JSON.stringify(high.raw)}`,
  );
  return true;
}

export const logicalTypeOptionsContradict: LintRule = {
  code: "logical-type-options-contradict",
  severity: "error",
  description:
    "`logicalTypeOptions` bounds that leave no valid value: minimum > maximum, exclusive bounds that meet, minLength > maxLength, minItems > maxItems, minProperties > maxProperties.",
  check(ctx) {
    for (const p of allProperties(ctx.value)) {
      const type = logicalTypeOf(p.node);
      const options = asObj(p.node.logicalTypeOptions);
      if (!type || !options) continue;
      const base = [...p.path, "logicalTypeOptions"];
      const read = (key: string, reader: (v: unknown) => number | undefined): Comparable | undefined => {
        const value = reader(options[key]);
        return value === undefined ? undefined : { value, path: [...base, key], raw: options[key] };
      };
      const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) ? v : undefined);
      const pairs: [string, string][] = [
        ["minLength", "maxLength"],
        ["minItems", "maxItems"],
        ["minProperties", "maxProperties"],
      ];
      for (const [lo, hi] of pairs) {
        checkRange(ctx, `${lo} > ${hi}`, read(lo, count), read(hi, count), (a, b) => a > b);
      }
      if (!["integer", "number", "date", "timestamp", "time"].includes(type)) continue;
      const bound = (v: unknown) => readBound(type, v);
      const min = read("minimum", bound);
      const max = read("maximum", bound);
      const xmin = read("exclusiveMinimum", bound);
      const xmax = read("exclusiveMaximum", bound);
      // Integers need a whole number strictly between exclusive bounds.
      const gapOf = (a: number, b: number) => (type === "integer" ? Math.floor(a) + 1 > Math.ceil(b) - 1 : a >= b);
      checkRange(ctx, "minimum > maximum", min, max, (a, b) =>
        type === "integer" ? Math.ceil(a) > Math.floor(b) : a > b,
      ) ||
        checkRange(ctx, "exclusiveMinimum ≥ maximum", xmin, max, (a, b) =>
          type === "integer" ? Math.floor(a) + 1 > Math.floor(b) : a >= b,
        ) ||
        checkRange(ctx, "minimum ≥ exclusiveMaximum", min, xmax, (a, b) =>
          type === "integer" ? Math.ceil(a) > Math.ceil(b) - 1 : a >= b,
        ) ||
        checkRange(ctx, "exclusive bounds leave no value", xmin, xmax, gapOf);
    }
  },
};
