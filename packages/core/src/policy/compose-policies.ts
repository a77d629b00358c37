import { formatPath, type Issue } from "../issues.js";
import { builtinRules, isBuiltinName } from "./builtins/builtin-rules.js";
import { type CertificationLevel, certificationLevels, type PolicyRule, type PolicySet } from "./policy-model.js";
import { isAsStrict } from "./rule-params.js";

const lowest = (levels: readonly CertificationLevel[]) =>
  Math.min(...levels.map((l) => certificationLevels.indexOf(l)), certificationLevels.length);

/**
 * Why a domain rule loosens the global rule with the same id, or undefined when it only tightens.
 * Only blocking (mandatory) global rules are protected: an advisory rule is advice a domain may
 * tune. Tightening: stay blocking, be required from the same or a lower certification level, same
 * built-in with every parameter at least as strict, or the very same CEL expression.
 */
export function loosening(global: PolicyRule, domain: PolicyRule): string | undefined {
  if (global.severity !== "blocking") return undefined;
  if (domain.severity !== "blocking") return "makes a blocking global rule advisory";
  if ((domain.on ?? "publish") !== (global.on ?? "publish"))
    return `judges on ${domain.on ?? "publish"}, where the blocking global rule judges on ${global.on ?? "publish"}`;
  if (lowest(domain.levels) > lowest(global.levels))
    return `requires it only from a higher certification level than the global rule (${global.levels.join(", ")})`;
  const g = global.implementation;
  const d = domain.implementation;
  if (g.kind === "cel" || d.kind === "cel") {
    if (g.kind === "cel" && d.kind === "cel" && g.expression.trim() === d.expression.trim()) return undefined;
    return "changes how a blocking global rule is checked (a CEL expression cannot be proven stricter; add a new rule instead)";
  }
  if (g.builtin !== d.builtin) return `replaces built-in ${g.builtin} with ${d.builtin}`;
  if (!isBuiltinName(g.builtin)) return undefined;
  const loosened = Object.entries(builtinRules[g.builtin].params).filter(
    ([name, spec]) => !isAsStrict[spec.tighten](g.params[name], d.params[name]),
  );
  if (loosened.length === 0) return undefined;
  return loosened
    .map(
      ([name, spec]) =>
        `sets ${name} to ${JSON.stringify(d.params[name])}, looser than the global ${JSON.stringify(g.params[name])} (${tightenWords[spec.tighten]})`,
    )
    .join("; ");
}

const tightenWords = {
  higher: "only a higher value tightens",
  lower: "only a lower value tightens",
  true: "only true tightens",
  superset: "only adding items tightens",
  subset: "only removing items tightens",
  same: "it cannot change",
} as const;

const issueAt = (rule: PolicyRule, code: string, message: string): Issue => ({
  code,
  severity: "error",
  message,
  file: rule.origin.file,
  line: rule.origin.line,
  column: rule.origin.column,
  path: formatPath(rule.origin.path),
});

const scopeKey = (rule: PolicyRule) => (rule.scope.kind === "domain" ? `domain ${rule.scope.domain}` : "global");

/**
 * Composes policy sets (e.g. Quanta's defaults, the organisation's global rules, a domain's
 * rules) into one. A rule id is defined once per scope; a domain rule with the id of a global rule
 * overrides it for that domain and must not loosen it: such a rule is refused with an issue.
 */
export function composePolicySets(sets: readonly PolicySet[]): { policySet: PolicySet; issues: Issue[] } {
  const issues: Issue[] = [];
  const rules: PolicyRule[] = [];
  const byKey = new Map<string, PolicyRule>();
  for (const set of sets) {
    for (const rule of set.rules) {
      const key = `${scopeKey(rule)}\u0000${rule.id}`;
      const first = byKey.get(key);
      if (first) {
        issues.push(
          issueAt(
            rule,
            "policy-id-duplicate",
            `rule id "${rule.id}" (${scopeKey(rule)}) is already defined in ${first.origin.file}:${first.origin.line}:${first.origin.column}`,
          ),
        );
        continue;
      }
      byKey.set(key, rule);
      rules.push(rule);
    }
  }
  const accepted = rules.filter((rule) => {
    if (rule.scope.kind !== "domain") return true;
    const global = byKey.get(`global\u0000${rule.id}`);
    const why = global ? loosening(global, rule) : undefined;
    if (why === undefined) return true;
    issues.push(
      issueAt(
        rule,
        "policy-loosens-global",
        `domain ${rule.scope.domain} rule "${rule.id}" ${why}; a domain may add rules or tighten a blocking global rule, never loosen it (global rule at ${global?.origin.file}:${global?.origin.line}:${global?.origin.column})`,
      ),
    );
    return false;
  });
  const only = sets.length === 1 ? sets[0] : undefined;
  const policySet: PolicySet = only
    ? { ...only, rules: accepted }
    : {
        name: sets.map((s) => s.name).join("+"),
        version: sets.map((s) => s.version).join("+"),
        rules: accepted,
      };
  return { policySet, issues };
}
