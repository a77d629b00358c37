import { valid } from "semver";
import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";
import { asArray, asObj } from "../read.js";

/** Strict semantic version: `1.2.3`, `1.2.3-rc.1`, `1.2.3+build`; no `v` prefix, no `1.0`. */
export function isSemver(text: string): boolean {
  return valid(text) !== null && /^\d/.test(text);
}

function hint(text: string): string {
  if (/^[vV=]\s*\d/.test(text) && isSemver(text.replace(/^[vV=]\s*/, "")))
    return `; write ${text.replace(/^[vV=]\s*/, "")}`;
  if (/^\d+(\.\d+)?$/.test(text)) return `; write ${text}${text.includes(".") ? ".0" : ".0.0"}`;
  return " (expected MAJOR.MINOR.PATCH, e.g. 1.0.0)";
}

/** Where each standard keeps versions that Quanta compares (diff, changelog, semver suggestions). */
const versionPaths = (doc: unknown, kind: string): Path[] => {
  const root = asObj(doc);
  if (!root) return [];
  const paths: Path[] = [["version"]];
  if (kind === "odps") {
    for (const ports of ["inputPorts", "outputPorts"]) {
      asArray(root[ports]).forEach((_, i) => {
        paths.push([ports, i, "version"]);
      });
    }
  }
  return paths;
};

export const versionNotSemver: LintRule = {
  code: "version-not-semver",
  severity: "error",
  description:
    "A contract, product or port `version` that is not a semantic version (MAJOR.MINOR.PATCH); Quanta's diff suggests version bumps from it.",
  check(ctx) {
    for (const path of versionPaths(ctx.value, ctx.kind)) {
      let node: unknown = ctx.value;
      for (const seg of path) node = (node as Record<string | number, unknown> | undefined)?.[seg];
      if (typeof node !== "string") continue;
      if (!isSemver(node)) ctx.report(path, `version "${node}" is not a semantic version${hint(node)}`);
    }
  },
};
