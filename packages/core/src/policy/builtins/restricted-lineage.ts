import type { Path } from "../../issues.js";
import type { PolicyFinding } from "../policy-model.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { list, outputPorts, properties, text } from "./walk.js";

const lower = (v: unknown) => (v as string[]).map((s) => s.toLowerCase());

/**
 * Lineage-aware: what an output column is computed from decides how it is classified. A column
 * derived (DIRECT: its values computed from it) from a restricted upstream column carries that
 * data on, so it is classified at least confidential, unless every path masks it (a hash, or the
 * agreement serves it masked to this team). Columns that only decide the rows (a filter, a join
 * key) do not carry the values and are not judged. Without lineage in the subject (a file linted
 * alone, a product without a pipeline of SQL steps) there is nothing to judge.
 */
export const restrictedLineage: BuiltinRule = {
  summary:
    "an output column derived from an upstream column classified restricted is itself classified at least confidential, or masks it",
  params: {
    restricted: {
      type: "string-list",
      description: "upstream classifications whose data must stay protected (case-insensitive)",
      default: ["restricted"],
      tighten: "superset",
    },
    atLeast: {
      type: "string-list",
      description: "classifications an output column derived from such a column may have",
      default: ["confidential", "restricted"],
      tighten: "subset",
    },
  },
  apply(subject, params) {
    const restricted = lower(params.restricted);
    const allowed = lower(params.atLeast);
    const findings: PolicyFinding[] = [];
    for (const column of list<NonNullable<typeof subject.lineage>[number]>(subject.lineage)) {
      const leaks = column.upstream.filter(
        (u) => u.kind === "direct" && !u.masked && restricted.includes((u.classification ?? "").toLowerCase()),
      );
      if (leaks.length === 0) continue;
      const ports = outputPorts(subject).filter((p) => text(p.port?.name) === column.port);
      const contract = ports.find((p) => p.contract)?.contract;
      const property = contract
        ? properties(contract.value).find(
            ({ name, property }) =>
              name === `${column.dataset}.${column.column}` ||
              (name.startsWith(`${column.dataset}.`) && text(property.physicalName) === column.column),
          )
        : undefined;
      const classification = text(property?.property.classification).toLowerCase();
      if (allowed.includes(classification)) continue;
      const from = leaks.map((u) => `${u.product}.${u.port}.${u.column}`);
      const fix = `classify it ${allowed.join(" or ")}, or mask ${leaks.length === 1 ? "it" : "them"} on the way (a hash such as sha256(), or leave ${leaks.length === 1 ? "the column" : "the columns"} ungranted in the agreement)`;
      const message = `output column ${column.port}.${column.column} is derived from restricted column${from.length === 1 ? "" : "s"} ${from.join(", ")} but classified ${classification === "" ? "nowhere" : `"${classification}"`}; ${fix}`;
      if (contract && property) {
        const path: Path = classification === "" ? property.path : [...property.path, "classification"];
        findings.push(findingAt(contract, path, message));
      } else {
        const at = ports[0];
        findings.push(findingAt(subject.product, at ? ["outputPorts", at.portIndex] : ["outputPorts"], message));
      }
    }
    return findings;
  },
};
