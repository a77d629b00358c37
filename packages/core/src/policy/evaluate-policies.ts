import { builtinRules, isBuiltinName } from "./builtins/builtin-rules.js";
import { compileCel, runCel } from "./cel-rule.js";
import { loosening } from "./compose-policies.js";
import type { PolicyEvaluation, PolicyFinding, PolicyRule, PolicySet, RuleResult } from "./policy-model.js";
import { findingAt, type PolicySubject } from "./policy-subject.js";

/**
 * The rules that apply in `domain`: every global rule, replaced by the domain's rule of the same
 * id where it has one (a loosening override, which composing refuses, is ignored here too), then
 * the domain's own rules. Rules of other domains do not apply.
 */
export function rulesForDomain(policySet: PolicySet, domain: string | undefined): PolicyRule[] {
  const local = policySet.rules.filter((r) => r.scope.kind === "domain" && r.scope.domain === domain);
  const out = policySet.rules
    .filter((r) => r.scope.kind === "global")
    .map((g) => {
      const override = local.find((d) => d.id === g.id);
      return override && loosening(g, override) === undefined ? override : g;
    });
  const globalIds = new Set(out.map((r) => r.id));
  return [...out, ...local.filter((r) => !globalIds.has(r.id))];
}

/** Compiled once per rule object: the platform evaluates the same set on every change. */
const compiledRules = new WeakMap<object, ReturnType<typeof compileCel>>();

function applyRule(rule: PolicyRule, subject: PolicySubject): PolicyFinding[] {
  const impl = rule.implementation;
  // A rule never crashes the evaluation: whatever goes wrong is a finding of that rule.
  try {
    if (impl.kind === "builtin") {
      if (!isBuiltinName(impl.builtin))
        return [findingAt(subject.product, [], `unknown built-in rule ${impl.builtin}`)];
      return builtinRules[impl.builtin].apply(subject, impl.params);
    }
    const compiled = compiledRules.get(impl) ?? compileCel(impl.expression);
    compiledRules.set(impl, compiled);
    if ("problem" in compiled)
      return [findingAt(subject.product, [], `rule could not be evaluated: ${compiled.problem.message}`)];
    const outcome = runCel(compiled.compiled, subject);
    if ("error" in outcome) return [findingAt(subject.product, [], `rule could not be evaluated: ${outcome.error}`)];
    return outcome.value ? [] : [findingAt(subject.product, [], impl.message)];
  } catch (e) {
    return [findingAt(subject.product, [], `rule could not be evaluated: ${(e as Error)?.message ?? String(e)}`)];
  }
}

/**
 * Evaluates a policy set on a product: one result per applicable rule, and whether a blocking
 * rule failed (which refuses a publish). Results name the policy version that produced them.
 */
export function evaluatePolicies(policySet: PolicySet, subject: PolicySubject): PolicyEvaluation {
  const domain =
    subject.domain ?? (typeof subject.product.value?.domain === "string" ? subject.product.value.domain : undefined);
  const scoped = { ...subject, domain };
  // Documents are judged at publish, a port's new data before it becomes current: each by its rules.
  const moment = subject.data ? "data" : "publish";
  const rules = rulesForDomain(policySet, domain).filter((r) => (r.on ?? "publish") === moment);
  const results: RuleResult[] = rules.map((rule) => {
    const findings = applyRule(rule, scoped);
    return {
      ruleId: rule.id,
      description: rule.description,
      severity: rule.severity,
      levels: rule.levels,
      scope: rule.scope,
      passed: findings.length === 0,
      findings,
      policy: rule.origin.policy,
      policyVersion: rule.origin.version,
    };
  });
  return {
    policy: policySet.name,
    policyVersion: policySet.version,
    productId: typeof subject.product.value?.id === "string" ? subject.product.value.id : undefined,
    domain,
    results,
    blocking: results.some((r) => r.severity === "blocking" && !r.passed),
  };
}
