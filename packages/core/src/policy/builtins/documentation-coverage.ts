import type { SchemaProperty } from "../../spec/odcs/model.js";
import type { PolicyFinding } from "../policy-model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, portContracts, properties, text } from "./walk.js";

/** What counts as documented, per parameter. */
const measures: Record<string, { label: string; has: (p: SchemaProperty) => boolean }> = {
  descriptions: { label: "a description", has: (p) => text(p.description) !== "" },
  businessNames: { label: "a business name", has: (p) => text(p.businessName) !== "" },
  authoritativeDefinitions: {
    label: "an authoritative definition",
    has: (p) => list(p.authoritativeDefinitions).length > 0,
  },
};

const share = (description: string, fallback: number) => ({
  type: "number" as const,
  description,
  default: fallback,
  min: 0,
  max: 1,
  tighten: "higher" as const,
});

/** Names of the first few undocumented properties, so the finding says where to start. */
const sample = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(", ")}, …` : names.join(", "));

export const documentationCoverage: BuiltinRule = {
  summary:
    "in each output port's contract, the share of properties with a description, a business name and an authoritative definition reaches its threshold",
  params: {
    descriptions: share("share of properties (0..1) with a description", 1),
    businessNames: share("share of properties (0..1) with a businessName", 0.8),
    authoritativeDefinitions: share("share of properties (0..1) with authoritativeDefinitions", 0),
  },
  apply(subject, params) {
    const findings: PolicyFinding[] = [];
    for (const contract of portContracts(subject)) {
      const props = properties(contract.value);
      if (props.length === 0) continue;
      for (const [param, measure] of Object.entries(measures)) {
        const threshold = params[param] as number;
        const missing = props.filter((p) => !measure.has(p.property)).map((p) => p.name);
        const covered = (props.length - missing.length) / props.length;
        if (covered + 1e-9 < threshold) {
          findings.push(
            findingAt(
              contract,
              ["schema"],
              `${props.length - missing.length} of ${props.length} properties (${Math.floor(covered * 100)}%) have ${measure.label}; ${param} requires ${Math.round(threshold * 100)}% (missing: ${sample(missing)})`,
            ),
          );
        }
      }
    }
    return findings;
  },
};
