import type { LintRule } from "../lint-rule.js";
import { allProperties } from "../odcs-walk.js";
import { asObj, type Obj } from "../read.js";
import { type LogicalType, logicalTypeOf } from "./odcs-logical-types.js";
import { regexError } from "./patterns.js";

const dateShape = /^\d{4}-\d{2}-\d{2}$/;
const timestampShape = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$/;
const timeShape = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$/;

/** A custom `format` (JDK DateTimeFormatter) changes the written shape; only ISO shapes are checked. */
const isoFormat = (options: Obj | undefined) => {
  const f = options?.format;
  return f === undefined || f === "yyyy-MM-dd" || f === "yyyy-MM-dd'T'HH:mm:ss" || f === "HH:mm:ss";
};

type TypeCheck = (example: unknown, options: Obj | undefined) => string | undefined;

const isPlainObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Why an example is not a value of the logical type; undefined when it fits. */
const typeChecks: Record<LogicalType, TypeCheck> = {
  string: (v) => (typeof v === "string" ? undefined : "is not a string"),
  integer: (v) => (typeof v === "number" && Number.isInteger(v) ? undefined : "is not an integer"),
  number: (v) => (typeof v === "number" ? undefined : "is not a number"),
  boolean: (v) => (typeof v === "boolean" ? undefined : "is not a boolean (true/false)"),
  date: (v, o) =>
    typeof v !== "string"
      ? "is not a date string"
      : isoFormat(o) && !dateShape.test(v)
        ? "is not a date (YYYY-MM-DD)"
        : undefined,
  timestamp: (v, o) =>
    typeof v !== "string"
      ? "is not a timestamp string"
      : isoFormat(o) && !timestampShape.test(v)
        ? "is not an ISO 8601 timestamp"
        : undefined,
  time: (v, o) =>
    typeof v !== "string"
      ? "is not a time string"
      : isoFormat(o) && !timeShape.test(v)
        ? "is not a time (HH:MM:SS)"
        : undefined,
  object: (v) => (isPlainObject(v) ? undefined : "is not an object"),
  array: (v) => (Array.isArray(v) ? undefined : "is not a list"),
};

/**
 * Running an owner's regex is the one place lint executes user input: skip nested quantifiers
 * (`(a+)+`), the classic catastrophic-backtracking shape, and long examples, to stay bounded.
 */
function safeToRun(pattern: string, example: string): boolean {
  return !regexError(pattern) && example.length <= 256 && !/\([^)]*[*+}][^)]*\)\s*[*+{]/.test(pattern);
}

/** The easy option checks: lengths, numeric bounds, pattern, item counts. */
function optionError(type: LogicalType, v: unknown, o: Obj): string | undefined {
  const num = (k: string) => (typeof o[k] === "number" ? (o[k] as number) : undefined);
  if (type === "string" && typeof v === "string") {
    const [min, max] = [num("minLength"), num("maxLength")];
    if (min !== undefined && v.length < min) return `is shorter than minLength ${min}`;
    if (max !== undefined && v.length > max) return `is longer than maxLength ${max}`;
    if (typeof o.pattern === "string" && safeToRun(o.pattern, v) && !new RegExp(o.pattern).test(v))
      return `does not match pattern ${JSON.stringify(o.pattern)}`;
  }
  if ((type === "integer" || type === "number") && typeof v === "number") {
    const rules: [string, (b: number) => boolean, string][] = [
      ["minimum", (b) => v < b, "is below minimum"],
      ["maximum", (b) => v > b, "is above maximum"],
      ["exclusiveMinimum", (b) => v <= b, "is not above exclusiveMinimum"],
      ["exclusiveMaximum", (b) => v >= b, "is not below exclusiveMaximum"],
    ];
    for (const [key, fails, text] of rules) {
      const bound = num(key);
      if (bound !== undefined && fails(bound)) return `${text} ${bound}`;
    }
  }
  if (type === "array" && Array.isArray(v)) {
    const [min, max] = [num("minItems"), num("maxItems")];
    if (min !== undefined && v.length < min) return `has fewer than minItems ${min} items`;
    if (max !== undefined && v.length > max) return `has more than maxItems ${max} items`;
  }
  return undefined;
}

export const exampleTypeMismatch: LintRule = {
  code: "example-type-mismatch",
  severity: "error",
  description:
    "A property `examples` entry that is not a value of its `logicalType` (a string for an integer, a malformed date) or breaks its `logicalTypeOptions` (length, bounds, pattern).",
  check(ctx) {
    for (const p of allProperties(ctx.value)) {
      const type = logicalTypeOf(p.node);
      if (!type || !Array.isArray(p.node.examples)) continue;
      const options = asObj(p.node.logicalTypeOptions);
      p.node.examples.forEach((example, i) => {
        const why = typeChecks[type](example, options) ?? (options ? optionError(type, example, options) : undefined);
        if (why)
          ctx.report([...p.path, "examples", i], `example ${JSON.stringify(example)} ${why} (logicalType ${type})`);
      });
    }
  },
};
