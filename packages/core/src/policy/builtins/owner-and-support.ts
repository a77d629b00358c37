import type { ProductSupport, ProductTeamMember } from "../../spec/odps/model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, text } from "./walk.js";

export const ownerAndSupport: BuiltinRule = {
  summary: "the product names its owner team, a current owner and at least one support channel",
  params: {
    ownerRoles: {
      type: "string-list",
      description: "team member roles that count as the owner (case-insensitive)",
      default: ["owner"],
      tighten: "subset",
    },
    requireSupportUrl: {
      type: "boolean",
      description: "every support channel also gives a url",
      default: false,
      tighten: "true",
    },
  },
  apply({ product, now }, params) {
    const findings = [];
    const team = product.value?.team;
    if (text(team?.name) === "")
      findings.push(findingAt(product, ["team"], "the product names no owner team (team.name)"));
    const roles = (params.ownerRoles as string[]).map((r) => r.toLowerCase());
    const today = (now ?? new Date()).toISOString().slice(0, 10);
    const owners = list<ProductTeamMember>(team?.members).filter(
      (m) => roles.includes(text(m?.role).toLowerCase()) && (text(m?.dateOut) === "" || text(m?.dateOut) >= today),
    );
    if (owners.length === 0) {
      findings.push(
        findingAt(
          product,
          team ? ["team", "members"] : ["team"],
          `no current team member has the role ${roles.join(" or ")}`,
        ),
      );
    }
    const support = list<ProductSupport>(product.value?.support);
    if (!support.some((s) => text(s?.channel) !== ""))
      findings.push(findingAt(product, ["support"], "the product declares no support channel (support[].channel)"));
    if (params.requireSupportUrl) {
      support.forEach((s, i) => {
        if (text(s?.url) === "")
          findings.push(findingAt(product, ["support", i], `support channel "${text(s?.channel)}" has no url`));
      });
    }
    return findings;
  },
};
