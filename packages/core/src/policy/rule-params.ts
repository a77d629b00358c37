import type { Path } from "../issues.js";

/**
 * Parameters of built-in rules, declared per rule and checked by a small hand-written validator
 * (not Ajv: core ships Ajv code compiled ahead of time, and these schemas must also say which
 * direction is stricter, for domain tightening).
 */
export type ParamType = "number" | "integer" | "boolean" | "string" | "string-list" | "regex";

/** How a domain may change a value of a blocking global rule without loosening it. */
export type Tighten =
  /** a higher number is stricter (thresholds, minimum lengths) */
  | "higher"
  /** a lower number is stricter */
  | "lower"
  /** `true` is stricter than `false` */
  | "true"
  /** more list items are stricter (requirements) */
  | "superset"
  /** fewer list items are stricter (allowed values) */
  | "subset"
  /** any change could loosen: must stay the same */
  | "same";

export interface ParamSpec {
  type: ParamType;
  description: string;
  default: unknown;
  tighten: Tighten;
  min?: number;
  max?: number;
}

export type ParamSchema = Record<string, ParamSpec>;

export interface ParamProblem {
  /** Relative to the rule's `params`; `[]` for the params object itself. */
  path: Path;
  message: string;
  /** Point at the key (unknown parameter) rather than the value. */
  key?: boolean;
  code: string;
}

const typeChecks: Record<ParamType, (value: unknown, spec: ParamSpec) => string | undefined> = {
  number: (v, s) => (typeof v === "number" && Number.isFinite(v) ? range(v, s) : "a number"),
  integer: (v, s) => (typeof v === "number" && Number.isInteger(v) ? range(v, s) : "an integer"),
  boolean: (v) => (typeof v === "boolean" ? undefined : "true or false"),
  string: (v) => (typeof v === "string" ? undefined : "a string"),
  "string-list": (v) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? undefined : "a list of strings"),
  regex: (v) => {
    if (typeof v !== "string") return "a regular expression (string)";
    try {
      new RegExp(v, "u");
      return undefined;
    } catch (e) {
      return `a valid regular expression (${(e as Error).message})`;
    }
  },
};

function range(v: number, s: ParamSpec): string | undefined {
  if (s.min !== undefined && v < s.min) return `at least ${s.min}`;
  if (s.max !== undefined && v > s.max) return `at most ${s.max}`;
  return undefined;
}

/** Validates `params` against `schema`; on success returns them with defaults filled in. */
export function validateParams(
  schema: ParamSchema,
  params: unknown,
): { params: Record<string, unknown>; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const out: Record<string, unknown> = {};
  const given = params ?? {};
  if (typeof given !== "object" || Array.isArray(given) || given === null) {
    return {
      params: out,
      problems: [{ path: [], message: "params must be a mapping", code: "policy-params-invalid" }],
    };
  }
  const known = Object.keys(schema);
  for (const [name, value] of Object.entries(given)) {
    const spec = schema[name];
    if (!spec) {
      const allowed = known.length > 0 ? `; allowed: ${known.join(", ")}` : "; this rule takes no parameters";
      problems.push({
        path: [name],
        key: true,
        message: `unknown parameter "${name}"${allowed}`,
        code: "policy-param-unknown",
      });
      continue;
    }
    const wrong = typeChecks[spec.type](value, spec);
    if (wrong !== undefined) {
      problems.push({ path: [name], message: `parameter "${name}" must be ${wrong}`, code: "policy-param-invalid" });
      continue;
    }
    out[name] = value;
  }
  for (const [name, spec] of Object.entries(schema)) if (!(name in out)) out[name] = spec.default;
  return { params: out, problems };
}

const asSet = (v: unknown) => new Set(Array.isArray(v) ? (v as string[]) : []);

/** True when `next` is at least as strict as `base` for a parameter tightening as `tighten` says. */
export const isAsStrict: Record<Tighten, (base: unknown, next: unknown) => boolean> = {
  higher: (b, n) => (n as number) >= (b as number),
  lower: (b, n) => (n as number) <= (b as number),
  true: (b, n) => n === true || b === false,
  superset: (b, n) => [...asSet(b)].every((x) => asSet(n).has(x)),
  subset: (b, n) => [...asSet(n)].every((x) => asSet(b).has(x)),
  same: (b, n) => JSON.stringify(b) === JSON.stringify(n),
};
