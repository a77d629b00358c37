export { contractNoticeDays } from "./builtins/breaking-change-notice.js";
export type { BuiltinRule } from "./builtins/builtin-rule.js";
export { type BuiltinName, builtinNames, builtinRules } from "./builtins/builtin-rules.js";
export { celLimits, compileCel, runCel } from "./cel-rule.js";
export { type Certification, type CertificationResult, type ContractTestStatus, certify } from "./certify.js";
export { composePolicySets, loosening } from "./compose-policies.js";
export { defaultPoliciesFile, defaultPoliciesYaml, defaultPolicySet } from "./default-policies.js";
export { evaluatePolicies, rulesForDomain } from "./evaluate-policies.js";
export { type ParsedPolicySet, parsePolicySet, policyApiVersion } from "./parse-policy.js";
export * from "./policy-model.js";
export {
  findingAt,
  type PolicyColumnLineage,
  type PolicyData,
  type PolicyDataCheck,
  type PolicyDocument,
  type PolicySubject,
  type PolicyUpstreamColumn,
  policyDocument,
} from "./policy-subject.js";
export { type ParamSchema, type ParamSpec, type ParamType, type Tighten, validateParams } from "./rule-params.js";
