import type { ServiceLevelAgreementProperty } from "../../spec/odcs/model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, portContracts, text } from "./walk.js";

export const retentionDeclared: BuiltinRule = {
  summary:
    "each output port's contract declares how long data is kept (slaProperties: property retention, with a value)",
  params: {},
  apply(subject) {
    const findings = [];
    for (const contract of portContracts(subject)) {
      const sla = list<ServiceLevelAgreementProperty>(contract.value.slaProperties);
      const index = sla.findIndex((s) => text(s?.property).toLowerCase() === "retention");
      const retention = sla[index];
      if (retention === undefined)
        findings.push(
          findingAt(
            contract,
            contract.value.slaProperties ? ["slaProperties"] : [],
            `contract ${contract.value.id} declares no retention (slaProperties: property retention)`,
          ),
        );
      else if (retention.value === null || retention.value === undefined || retention.value === "")
        findings.push(
          findingAt(contract, ["slaProperties", index], `retention of contract ${contract.value.id} has no value`),
        );
    }
    return findings;
  },
};
