import { protectedClassifications, publicMarkers, sensitiveMarkers } from "../../spec/odcs/sensitivity.js";
import { findingAt } from "../policy-subject.js";
import type { BuiltinRule } from "./builtin-rule.js";
import { markers, outputPorts, properties, text } from "./walk.js";

const lower = (v: unknown) => (v as string[]).map((s) => s.toLowerCase());

export const sensitiveDataProtected: BuiltinRule = {
  summary:
    "PII and sensitive properties are classified confidential or restricted and never offered on a public output port",
  params: {
    markers: {
      type: "string-list",
      description: "tags or truthy custom properties that mark a property as PII or sensitive (case-insensitive)",
      default: [...sensitiveMarkers],
      tighten: "superset",
    },
    protectedClassifications: {
      type: "string-list",
      description: "classifications a sensitive property must have",
      default: [...protectedClassifications],
      tighten: "subset",
    },
    publicMarkers: {
      type: "string-list",
      description: "tags or truthy custom properties of an output port (or its contract) that make it public",
      default: [...publicMarkers],
      tighten: "superset",
    },
  },
  apply(subject, params) {
    const sensitiveMarks = lower(params.markers);
    const protectedAs = lower(params.protectedClassifications);
    const publicMarks = lower(params.publicMarkers);
    const findings = [];
    const judged = new Set<unknown>();
    for (const { port, portIndex, contract } of outputPorts(subject)) {
      if (!contract) continue;
      const portMarks = new Set([...markers(port ?? {}), ...markers(contract.value ?? {})]);
      const isPublic = publicMarks.some((m) => portMarks.has(m));
      for (const { property, path, name } of properties(contract.value)) {
        const marks = markers(property);
        const mark = sensitiveMarks.find((m) => marks.has(m));
        if (mark === undefined) continue;
        const classification = text(property.classification).toLowerCase();
        if (!judged.has(property) && !protectedAs.includes(classification)) {
          findings.push(
            findingAt(
              contract,
              classification === "" ? path : [...path, "classification"],
              `property ${name} is marked ${mark} but classified ${classification === "" ? "nowhere" : `"${classification}"`}; classify it ${protectedAs.join(" or ")}`,
            ),
          );
        }
        judged.add(property);
        if (isPublic) {
          findings.push(
            findingAt(
              subject.product,
              ["outputPorts", portIndex],
              `public output port ${text(port.name)} offers ${mark} property ${name} (contract ${contract.value.id}); remove it or make the port non-public`,
            ),
          );
        }
      }
    }
    return findings;
  },
};
