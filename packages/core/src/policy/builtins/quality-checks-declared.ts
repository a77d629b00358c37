import type { DataContract, DataQuality, ServiceLevelAgreementProperty } from "../../spec/odcs/model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, outputPorts, properties, text } from "./walk.js";

const completenessMetrics = new Set(["rowcount", "nullvalues", "missingvalues"]);

/** Every quality check of a contract, at object and property level. */
function qualityChecks(contract: DataContract): DataQuality[] {
  const out: DataQuality[] = [];
  for (const object of list<{ quality?: unknown }>(contract?.schema)) out.push(...list<DataQuality>(object?.quality));
  for (const { property } of properties(contract)) out.push(...list<DataQuality>(property.quality));
  return out;
}

const isCompleteness = (q: DataQuality) =>
  text(q?.dimension).toLowerCase() === "completeness" ||
  completenessMetrics.has(text(q?.metric ?? q?.rule).toLowerCase());

const hasFreshness = (contract: DataContract) =>
  list<ServiceLevelAgreementProperty>(contract?.slaProperties).some(
    (s) => text(s?.property).toLowerCase() === "freshness",
  ) || qualityChecks(contract).some((q) => text(q?.dimension).toLowerCase() === "timeliness");

export const qualityChecksDeclared: BuiltinRule = {
  summary:
    "each output port's contract declares a completeness check (rowCount, nullValues, missingValues or dimension completeness) and a freshness SLA",
  params: {
    completeness: { type: "boolean", description: "require a completeness check", default: true, tighten: "true" },
    freshness: {
      type: "boolean",
      description: "require a freshness SLA property (or a timeliness check)",
      default: true,
      tighten: "true",
    },
  },
  apply(subject, params) {
    const findings = [];
    for (const { port, portIndex, contract } of outputPorts(subject)) {
      if (!contract) {
        findings.push(
          findingAt(
            subject.product,
            ["outputPorts", portIndex],
            `output port ${text(port?.name)} has no contract to declare its checks in (contractId ${text(port?.contractId) || "missing"})`,
          ),
        );
        continue;
      }
      if (params.completeness && !qualityChecks(contract.value).some(isCompleteness))
        findings.push(findingAt(contract, ["schema"], `contract ${contract.value.id} declares no completeness check`));
      if (params.freshness && !hasFreshness(contract.value))
        findings.push(
          findingAt(
            contract,
            contract.value.slaProperties ? ["slaProperties"] : [],
            `contract ${contract.value.id} declares no freshness (slaProperties: property freshness)`,
          ),
        );
    }
    return findings;
  },
};
