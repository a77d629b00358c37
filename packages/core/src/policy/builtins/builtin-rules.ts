import { breakingChangeNotice } from "./breaking-change-notice.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { documentationCoverage } from "./documentation-coverage.js";
import { namingConvention } from "./naming-convention.js";
import { ownerAndSupport } from "./owner-and-support.js";
import { propertiesClassified } from "./properties-classified.js";
import { purposePresent } from "./purpose-present.js";
import { qualityChecksDeclared } from "./quality-checks-declared.js";
import { restrictedLineage } from "./restricted-lineage.js";
import { retentionDeclared } from "./retention-declared.js";
import { sensitiveDataProtected } from "./sensitive-data-protected.js";
import { slaDeclared } from "./sla-declared.js";

export type BuiltinName =
  | "owner-and-support"
  | "purpose-present"
  | "properties-classified"
  | "sensitive-data-protected"
  | "restricted-lineage"
  | "quality-checks-declared"
  | "retention-declared"
  | "sla-declared"
  | "naming-convention"
  | "documentation-coverage"
  | "breaking-change-notice";

/** Every built-in rule, by the name a policy file uses in `builtin:`. */
export const builtinRules: Record<BuiltinName, BuiltinRule> = {
  "owner-and-support": ownerAndSupport,
  "purpose-present": purposePresent,
  "properties-classified": propertiesClassified,
  "sensitive-data-protected": sensitiveDataProtected,
  "restricted-lineage": restrictedLineage,
  "quality-checks-declared": qualityChecksDeclared,
  "retention-declared": retentionDeclared,
  "sla-declared": slaDeclared,
  "naming-convention": namingConvention,
  "documentation-coverage": documentationCoverage,
  "breaking-change-notice": breakingChangeNotice,
};

export const builtinNames = Object.keys(builtinRules) as BuiltinName[];

export function isBuiltinName(name: string): name is BuiltinName {
  return Object.hasOwn(builtinRules, name);
}
