import type { PolicyFinding } from "../policy-model.js";
import type { PolicySubject } from "../policy-subject.js";
import type { ParamSchema } from "../rule-params.js";

/** A rule implemented in TypeScript: its parameters (validated when a policy is loaded) and its check. */
export interface BuiltinRule {
  /** What the rule demands, one line (also the default description of a rule using it). */
  summary: string;
  params: ParamSchema;
  /** Findings are the rule's failures; none means it passes. Never throws on odd documents. */
  apply(subject: PolicySubject, params: Record<string, unknown>): PolicyFinding[];
}
