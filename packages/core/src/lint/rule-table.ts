import type { Severity } from "../issues.js";
import type { DocumentKind } from "../spec/kinds.js";
import type { LintRule } from "./lint-rule.js";
import { invalidDate } from "./rules/dates.js";
import { lifecycleDateInvalid, lifecycleDatesOutOfOrder } from "./rules/lifecycle-dates.js";
import { exampleTypeMismatch } from "./rules/odcs-examples.js";
import { logicalTypeOptionMismatch, logicalTypeOptionsContradict } from "./rules/odcs-logical-types.js";
import { duplicateObjectName, duplicatePropertyName } from "./rules/odcs-names.js";
import { primaryKeyPosition, primaryKeyPositionMissing } from "./rules/odcs-primary-keys.js";
import {
  qualityArgumentsInvalid,
  qualityBoundsReversed,
  qualityMetricPlacement,
  qualityMetricUnknown,
  qualityOperatorInvalid,
} from "./rules/odcs-quality.js";
import {
  relationshipArityMismatch,
  relationshipTargetExternal,
  relationshipTargetMissing,
} from "./rules/odcs-relationships.js";
import { sqlPlaceholderRules, sqlRules } from "./rules/odcs-sql.js";
import {
  duplicatePort,
  inputContractUnknown,
  inputPortContractUnresolved,
  outputPortContractMissing,
  outputPortContractUnresolved,
  outputPortVersionMismatch,
} from "./rules/odps-ports.js";
import { invalidPattern } from "./rules/patterns.js";
import { versionNotSemver, versionPrefixed } from "./rules/semver.js";

/** The semantic rules run after schema validation, per document standard. */
export const lintRules: Record<DocumentKind, readonly LintRule[]> = {
  odcs: [
    duplicateObjectName,
    duplicatePropertyName,
    relationshipTargetMissing,
    relationshipTargetExternal,
    relationshipArityMismatch,
    primaryKeyPosition,
    primaryKeyPositionMissing,
    qualityMetricUnknown,
    qualityMetricPlacement,
    qualityOperatorInvalid,
    qualityArgumentsInvalid,
    qualityBoundsReversed,
    logicalTypeOptionMismatch,
    logicalTypeOptionsContradict,
    invalidPattern,
    exampleTypeMismatch,
    invalidDate,
    lifecycleDateInvalid,
    lifecycleDatesOutOfOrder,
    versionNotSemver,
    versionPrefixed,
    ...sqlRules,
    ...sqlPlaceholderRules,
  ],
  odps: [
    duplicatePort,
    outputPortContractMissing,
    outputPortContractUnresolved,
    outputPortVersionMismatch,
    inputPortContractUnresolved,
    inputContractUnknown,
    invalidDate,
    lifecycleDateInvalid,
    lifecycleDatesOutOfOrder,
    versionNotSemver,
    versionPrefixed,
  ],
  // DCS and DPS are read to be converted; their schema check is the lint.
  dcs: [invalidDate],
  dps: [invalidDate],
};

export interface LintCode {
  code: string;
  severity: Severity;
  description: string;
  /** Which documents the code applies to. */
  appliesTo: string;
}

/** Codes lint reports besides the rule table's, so the documented list is complete. */
export const lintFrameworkCodes: readonly LintCode[] = [
  {
    code: "unknown-document-kind",
    severity: "error",
    description:
      "The file is not an ODCS, ODPS, DCS or DPS document (no `kind: DataContract`/`DataProduct`, no `dataContractSpecification`/`dataProductSpecification`).",
    appliesTo: "any file",
  },
  {
    code: "product-odps-missing",
    severity: "error",
    description: "A data product folder without an ODPS file.",
    appliesTo: "folder",
  },
  {
    code: "product-odps-multiple",
    severity: "error",
    description: "A data product folder with more than one ODPS file.",
    appliesTo: "folder",
  },
  {
    code: "contract-id-duplicate",
    severity: "error",
    description: "Two contracts in a product folder with the same `id`.",
    appliesTo: "folder",
  },
  {
    code: "contract-unreferenced",
    severity: "info",
    description: "A contract in the product folder that no port of the product refers to.",
    appliesTo: "folder",
  },
  {
    code: "document-kind-unexpected",
    severity: "error",
    description: "A `.odps.*` file that is not an ODPS document, or a `.odcs.*` file that is not an ODCS contract.",
    appliesTo: "folder",
  },
];

/** Every code lint can report with the standards it applies to, for `docs/cli.md`. */
export function lintCodes(): LintCode[] {
  const byCode = new Map<string, LintCode>();
  for (const [kind, rules] of Object.entries(lintRules)) {
    for (const rule of rules) {
      const entry = byCode.get(rule.code);
      if (entry) entry.appliesTo += `, ${kind.toUpperCase()}`;
      else
        byCode.set(rule.code, {
          code: rule.code,
          severity: rule.severity,
          description: rule.description,
          appliesTo: kind.toUpperCase(),
        });
    }
  }
  return [...byCode.values(), ...lintFrameworkCodes];
}
