import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { portContracts, properties, text } from "./walk.js";

export const propertiesClassified: BuiltinRule = {
  summary: "every property of every output port's contract has a classification from the allowed list",
  params: {
    allowed: {
      type: "string-list",
      description: "classification values accepted (case-insensitive)",
      default: ["public", "internal", "confidential", "restricted"],
      tighten: "subset",
    },
  },
  apply(subject, params) {
    const allowed = (params.allowed as string[]).map((a) => a.toLowerCase());
    const findings = [];
    for (const contract of portContracts(subject)) {
      for (const { property, path, name } of properties(contract.value)) {
        const value = text(property.classification);
        if (value === "") findings.push(findingAt(contract, path, `property ${name} has no classification`));
        else if (!allowed.includes(value.toLowerCase()))
          findings.push(
            findingAt(
              contract,
              [...path, "classification"],
              `property ${name} is classified "${value}"; allowed: ${allowed.join(", ")}`,
            ),
          );
      }
    }
    return findings;
  },
};
