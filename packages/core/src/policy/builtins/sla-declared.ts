import type { ServiceLevelAgreementProperty } from "../../spec/odcs/model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, portContracts, text } from "./walk.js";

export const slaDeclared: BuiltinRule = {
  summary: "each output port's contract declares service levels (slaProperties), including the required ones",
  params: {
    properties: {
      type: "string-list",
      description: "SLA properties every contract must declare, e.g. [availability, frequency] (case-insensitive)",
      default: [],
      tighten: "superset",
    },
  },
  apply(subject, params) {
    const findings = [];
    for (const contract of portContracts(subject)) {
      const sla = list<ServiceLevelAgreementProperty>(contract.value.slaProperties);
      const declared = new Set(sla.map((s) => text(s?.property).toLowerCase()));
      if (sla.length === 0) {
        findings.push(findingAt(contract, [], `contract ${contract.value.id} declares no SLA (slaProperties)`));
        continue;
      }
      const missing = (params.properties as string[]).filter((p) => !declared.has(p.toLowerCase()));
      if (missing.length > 0)
        findings.push(
          findingAt(
            contract,
            ["slaProperties"],
            `contract ${contract.value.id} declares no SLA for ${missing.join(", ")}`,
          ),
        );
    }
    return findings;
  },
};
