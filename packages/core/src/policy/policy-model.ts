import type { Path } from "../issues.js";

/** Blocking rules refuse a publish; advisory rules are reported and never block. */
export type PolicySeverity = "blocking" | "advisory";

export const certificationLevels = ["raw", "curated", "authoritative"] as const;
/** Certification levels, lowest first: each level also needs every lower level's rules. */
export type CertificationLevel = (typeof certificationLevels)[number];

/** `global` applies everywhere; a domain scope adds rules for (or tightens rules in) one domain. */
export type PolicyScope = { kind: "global" } | { kind: "domain"; domain: string };

export type RuleImplementation =
  | { kind: "builtin"; builtin: string; params: Record<string, unknown> }
  | { kind: "cel"; expression: string; message: string };

/** Where a rule came from, so issues about it (and its CEL errors) point at the policy file. */
export interface RuleOrigin {
  file: string;
  /** Path of the rule in its document (`rules[3]`, or `[]` for a `kind: Policy` file). */
  path: Path;
  line: number;
  column: number;
  /** Policy set name and version the rule was loaded from. */
  policy: string;
  version: string;
}

/**
 * When a rule judges: `publish` (the default) judges the documents of a product version before it
 * is published; `data` judges a new version of a port's data, with its contract test results, before
 * it becomes current (write-audit-publish: uploads and pipeline runs).
 */
export type PolicyMoment = "publish" | "data";
export const policyMoments: readonly PolicyMoment[] = ["publish", "data"];

export interface PolicyRule {
  id: string;
  description: string;
  severity: PolicySeverity;
  /** Undefined: `publish`. */
  on?: PolicyMoment;
  scope: PolicyScope;
  /** Certification levels that require this rule (a rule listed nowhere never blocks certification). */
  levels: CertificationLevel[];
  implementation: RuleImplementation;
  origin: RuleOrigin;
}

/** A versioned set of rules: one file, or several files composed (`composePolicySets`). */
export interface PolicySet {
  name: string;
  version: string;
  description?: string;
  rules: PolicyRule[];
}

/** One problem a rule found in a product or contract, at the node it is about. */
export interface PolicyFinding {
  message: string;
  file: string;
  line: number;
  column: number;
  /** JSON path in that document, e.g. `schema[0].properties[2].classification`. */
  path: string;
}

export interface RuleResult {
  ruleId: string;
  description: string;
  severity: PolicySeverity;
  levels: CertificationLevel[];
  scope: PolicyScope;
  passed: boolean;
  findings: PolicyFinding[];
  /** The policy set (name and version) the rule was evaluated from. */
  policy: string;
  policyVersion: string;
}

export interface PolicyEvaluation {
  /** The policy set that evaluated (for a composed set, the names and versions joined). */
  policy: string;
  policyVersion: string;
  productId: string | undefined;
  domain: string | undefined;
  results: RuleResult[];
  /** True when at least one blocking rule failed: a publish is refused. */
  blocking: boolean;
}
