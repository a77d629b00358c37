import type { PolicyFinding } from "../policy-model.js";
import { findingAt, type PolicyDocument } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { portContracts, text } from "./walk.js";

function purpose(doc: PolicyDocument<{ description?: unknown }>, what: string, minLength: number): PolicyFinding[] {
  const description = doc.value?.description;
  const value =
    typeof description === "object" && description !== null ? text((description as { purpose?: unknown }).purpose) : "";
  if (value === "") return [findingAt(doc, ["description", "purpose"], `${what} has no description.purpose`)];
  if (value.length < minLength)
    return [
      findingAt(
        doc,
        ["description", "purpose"],
        `${what} purpose is ${value.length} characters; say what it is for in at least ${minLength}`,
      ),
    ];
  return [];
}

export const purposePresent: BuiltinRule = {
  summary: "the product (and each output port's contract) says what it is for in description.purpose",
  params: {
    minLength: {
      type: "integer",
      description: "shortest purpose text accepted, in characters",
      default: 20,
      min: 1,
      tighten: "higher",
    },
    contracts: {
      type: "boolean",
      description: "also require a purpose in each output port's contract",
      default: true,
      tighten: "true",
    },
  },
  apply(subject, params) {
    const min = params.minLength as number;
    const findings = purpose(subject.product, "the product", min);
    if (params.contracts) {
      for (const c of portContracts(subject)) findings.push(...purpose(c, `contract ${c.value.id}`, min));
    }
    return findings;
  },
};
