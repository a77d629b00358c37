export { lintDocument } from "./lint-document.js";
export { lintProduct, lintProductSources } from "./lint-product.js";
export type { LintContext, LintRule, ProductContext } from "./lint-rule.js";
export { type LintCode, lintCodes, lintRules } from "./rule-table.js";
export {
  type LifecycleDates,
  type Retention,
  readLifecycleDates,
  retentionCutoff,
} from "./rules/lifecycle-dates.js";
export { referencedContractIds } from "./rules/odcs-relationships.js";
export { guardSql, type SqlProblem, substitutePlaceholders } from "./sql-guard.js";
