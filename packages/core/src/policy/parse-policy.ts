import { isSemver } from "../diff/version.js";
import { formatPath, type Issue, type Path } from "../issues.js";
import { closest } from "../lint/closest.js";
import { FieldReader } from "../spec/field-reader.js";
import type { SourceDocument } from "../spec/source.js";
import { builtinNames, builtinRules, isBuiltinName } from "./builtins/builtin-rules.js";
import { expressionPosition } from "./cel-position.js";
import { compileCel } from "./cel-rule.js";
import { composePolicySets } from "./compose-policies.js";
import {
  type CertificationLevel,
  certificationLevels,
  type PolicyMoment,
  type PolicyRule,
  type PolicyScope,
  type PolicySet,
  type PolicySeverity,
  policyMoments,
  type RuleImplementation,
} from "./policy-model.js";
import { validateParams } from "./rule-params.js";

export const policyApiVersion = "quanta/v1";

const setFields = ["apiVersion", "kind", "name", "version", "description", "rules"] as const;
const ruleFields = [
  "id",
  "description",
  "severity",
  "scope",
  "levels",
  "on",
  "builtin",
  "params",
  "cel",
  "message",
] as const;
const singleFields = ["apiVersion", "kind", "name", "version", ...ruleFields] as const;
const severities: readonly PolicySeverity[] = ["blocking", "advisory"];
const kinds = ["PolicySet", "Policy"] as const;
const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ParsedPolicySet {
  /** Undefined when the file has errors: a policy is used whole or not at all. */
  policySet: PolicySet | undefined;
  issues: Issue[];
}

class PolicyReader extends FieldReader {
  constructor(src: SourceDocument) {
    super(src, "policy");
  }

  scope(value: unknown, path: Path): PolicyScope | undefined {
    if (value === undefined || value === "global") return { kind: "global" };
    if (isObj(value)) {
      this.unknownFields(value, path, ["domain"], "scope");
      const domain = this.text(value, path, "domain", true);
      return domain === undefined ? undefined : { kind: "domain", domain };
    }
    this.error(path, "policy-scope-invalid", 'scope must be "global" or { domain: <name> }');
    return undefined;
  }

  levels(value: unknown, path: Path): CertificationLevel[] | undefined {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.error(path, "policy-levels-invalid", `levels must be a list of ${certificationLevels.join(", ")}`);
      return undefined;
    }
    const out: CertificationLevel[] = [];
    value.forEach((level, i) => {
      if (typeof level === "string" && (certificationLevels as readonly string[]).includes(level)) {
        if (!out.includes(level as CertificationLevel)) out.push(level as CertificationLevel);
      } else
        this.error(
          [...path, i],
          "policy-level-unknown",
          `unknown certification level ${JSON.stringify(level)}; levels are ${certificationLevels.join(", ")}`,
        );
    });
    return out;
  }

  implementation(rule: Obj, path: Path): RuleImplementation | undefined {
    const hasBuiltin = rule.builtin !== undefined;
    const hasCel = rule.cel !== undefined;
    if (hasBuiltin === hasCel) {
      this.error(
        path,
        "policy-implementation-invalid",
        hasBuiltin ? "a rule has either builtin or cel, not both" : "a rule needs builtin: <name> or cel: <expression>",
      );
      return undefined;
    }
    if (hasBuiltin) {
      if (rule.message !== undefined)
        this.error(
          [...path, "message"],
          "policy-field-invalid",
          "message is for cel rules; built-in rules word their own findings",
          true,
        );
      const name = this.text(rule, path, "builtin", true);
      if (name === undefined) return undefined;
      if (!isBuiltinName(name)) {
        const hint = closest(name, builtinNames);
        this.error(
          [...path, "builtin"],
          "policy-builtin-unknown",
          `unknown built-in rule "${name}"${hint ? `; did you mean "${hint}"?` : `; built-in rules: ${builtinNames.join(", ")}`}`,
        );
        return undefined;
      }
      const { params, problems } = validateParams(builtinRules[name].params, rule.params);
      for (const p of problems) this.error([...path, "params", ...p.path], p.code, p.message, p.key ?? false);
      return problems.length > 0 ? undefined : { kind: "builtin", builtin: name, params };
    }
    if (rule.params !== undefined)
      this.error([...path, "params"], "policy-field-invalid", "params are for built-in rules", true);
    const expression = this.text(rule, path, "cel", true);
    const message = this.text(rule, path, "message", true);
    if (expression === undefined || message === undefined) return undefined;
    const compiled = compileCel(expression);
    if ("problem" in compiled) {
      const pos = expressionPosition(this.src, [...path, "cel"], expression, compiled.problem.offset);
      this.issues.push({
        code: "policy-cel-invalid",
        severity: "error",
        message: `CEL expression does not compile: ${compiled.problem.message}`,
        file: this.src.file,
        line: pos.line,
        column: pos.column,
        path: formatPath([...path, "cel"]),
      });
      return undefined;
    }
    return { kind: "cel", expression, message };
  }

  rule(
    value: unknown,
    path: Path,
    policy: string,
    version: string,
    allowed: readonly string[],
  ): PolicyRule | undefined {
    if (!isObj(value)) {
      this.error(path, "policy-rule-invalid", "a rule must be a mapping");
      return undefined;
    }
    this.unknownFields(value, path, allowed, "a rule");
    const before = this.issues.length;
    const id = this.text(value, path, "id", true);
    if (id !== undefined && !idPattern.test(id))
      this.error([...path, "id"], "policy-id-invalid", `rule id "${id}" must be kebab-case (a-z, 0-9, -)`);
    const severity = value.severity;
    if (severity === undefined) this.error(path, "policy-field-missing", 'missing required field "severity"');
    else if (!severities.includes(severity as PolicySeverity))
      this.error(
        [...path, "severity"],
        "policy-severity-invalid",
        `severity must be blocking or advisory, not ${JSON.stringify(severity)}`,
      );
    const scope = this.scope(value.scope, [...path, "scope"]);
    const levels = this.levels(value.levels, [...path, "levels"]);
    const description = this.text(value, path, "description", false);
    const implementation = this.implementation(value, path);
    const on = value.on;
    if (on !== undefined && !policyMoments.includes(on as PolicyMoment))
      this.error(
        [...path, "on"],
        "policy-on-invalid",
        `on must be publish (the product's documents) or data (a port's new data and its test results), not ${JSON.stringify(on)}`,
      );
    else if (on === "data" && implementation?.kind === "builtin")
      this.error(
        [...path, "on"],
        "policy-on-invalid",
        "built-in rules judge documents; a rule on: data is a cel expression over `data` (its checks, rows, status)",
      );
    if (this.issues.length > before || !id || !scope || !levels || !implementation) return undefined;
    return {
      id,
      description:
        description ??
        (implementation.kind === "builtin"
          ? builtinRules[implementation.builtin as keyof typeof builtinRules].summary
          : implementation.message),
      severity: severity as PolicySeverity,
      scope,
      levels,
      ...(on === "data" ? { on: "data" as const } : {}),
      implementation,
      origin: { file: this.src.file, path, ...this.src.locate(path), policy, version },
    };
  }
}

/** Reads a `kind: PolicySet` (or single-rule `kind: Policy`) document: every problem is an issue at its node. */
export function parsePolicySet(src: SourceDocument): ParsedPolicySet {
  const reader = new PolicyReader(src);
  const issues = reader.issues;
  issues.push(...src.issues);
  if (!src.readable) return { policySet: undefined, issues };
  const doc = src.value;
  if (!isObj(doc)) {
    reader.error(
      [],
      "policy-not-mapping",
      "a policy file is a mapping with apiVersion: quanta/v1 and kind: PolicySet or Policy",
    );
    return { policySet: undefined, issues };
  }
  if (doc.apiVersion !== policyApiVersion)
    reader.error(
      doc.apiVersion === undefined ? [] : ["apiVersion"],
      "policy-api-version",
      doc.apiVersion === undefined
        ? `missing apiVersion: ${policyApiVersion}`
        : `apiVersion must be ${policyApiVersion}, not ${JSON.stringify(doc.apiVersion)}`,
    );
  const kind = doc.kind;
  if (!kinds.includes(kind as (typeof kinds)[number])) {
    const hint = typeof kind === "string" ? closest(kind, kinds) : undefined;
    reader.error(
      kind === undefined ? [] : ["kind"],
      "policy-kind-unknown",
      kind === undefined
        ? "missing kind: PolicySet or Policy"
        : `kind must be PolicySet or Policy, not ${JSON.stringify(kind)}${hint ? `; did you mean "${hint}"?` : ""}`,
    );
    return { policySet: undefined, issues };
  }
  const single = kind === "Policy";
  reader.unknownFields(doc, [], single ? singleFields : setFields, `a ${kind}`);
  const version = reader.text(doc, [], "version", true);
  if (version !== undefined && !isSemver(version))
    reader.error(["version"], "policy-version-invalid", `version "${version}" is not a semantic version (e.g. 1.0.0)`);
  const name = single
    ? (reader.text(doc, [], "name", false) ?? (typeof doc.id === "string" ? doc.id : "policy"))
    : reader.text(doc, [], "name", true);
  const description = single ? undefined : reader.text(doc, [], "description", false);
  const rules: PolicyRule[] = [];
  const where = name ?? "policy";
  const v = version ?? "0.0.0";
  if (single) {
    const rule = reader.rule(doc, [], where, v, singleFields);
    if (rule) rules.push(rule);
  } else if (!Array.isArray(doc.rules)) {
    reader.error(doc.rules === undefined ? [] : ["rules"], "policy-rules-missing", "a PolicySet has a list of rules");
  } else {
    const seen = new Map<string, number>();
    doc.rules.forEach((value, i) => {
      const rule = reader.rule(value, ["rules", i], where, v, ruleFields);
      if (!rule) return;
      const key = `${rule.id}\u0000${rule.scope.kind === "domain" ? rule.scope.domain : ""}`;
      const first = seen.get(key);
      if (first !== undefined) {
        reader.error(
          ["rules", i, "id"],
          "policy-id-duplicate",
          `rule id "${rule.id}" is already used by rules[${first}] in the same scope`,
        );
        return;
      }
      seen.set(key, i);
      rules.push(rule);
    });
  }
  if (issues.some((i) => i.severity === "error") || name === undefined || version === undefined)
    return { policySet: undefined, issues };
  // A file may hold a global rule and domain rules refining it: the same scope rules apply.
  const composed = composePolicySets([{ name, version, ...(description ? { description } : {}), rules }]);
  issues.push(...composed.issues);
  return { policySet: composed.issues.length > 0 ? undefined : composed.policySet, issues };
}
