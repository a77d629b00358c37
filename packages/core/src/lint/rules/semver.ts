import { valid } from "semver";
import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";
import { asArray, asObj } from "../read.js";

/** Strict semantic version: `1.2.3`, `1.2.3-rc.1`, `1.2.3+build`; no `v` prefix, no `1.0`. */
export function isSemver(text: string): boolean {
  return valid(text) !== null && /^\d/.test(text);
}

/** `v1.2.3` (or `V`, `=`): a semantic version behind a prefix, read as the version without it. */
const prefixed = (text: string): string | undefined => {
  const bare = text.replace(/^[vV=]\s*/, "");
  return bare !== text && isSemver(bare) ? bare : undefined;
};

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

function* versions(value: unknown, kind: string): Generator<{ path: Path; version: string }> {
  for (const path of versionPaths(value, kind)) {
    let node: unknown = value;
    for (const seg of path) node = (node as Record<string | number, unknown> | undefined)?.[seg];
    if (typeof node === "string") yield { path, version: node };
  }
}

export const versionNotSemver: LintRule = {
  code: "version-not-semver",
  severity: "error",
  description:
    "A contract, product or port `version` that is not a semantic version (MAJOR.MINOR.PATCH); Quanta's diff suggests version bumps from it.",
  check(ctx) {
    for (const { path, version } of versions(ctx.value, ctx.kind)) {
      if (!isSemver(version) && !prefixed(version)) {
        ctx.report(path, `version "${version}" is not a semantic version${hint(version)}`);
      }
    }
  },
};

/** ODPS's own example writes `v1.0.0`: readable (diff and the breaking gate drop the `v`), but not the plain form. */
export const versionPrefixed: LintRule = {
  code: "version-prefixed",
  severity: "warning",
  description:
    "A `version` such as `v1.0.0`: a semantic version behind a prefix, which Quanta reads as `1.0.0`; write it without the prefix.",
  check(ctx) {
    for (const { path, version } of versions(ctx.value, ctx.kind)) {
      const bare = prefixed(version);
      if (bare) ctx.report(path, `version "${version}" has a prefix; Quanta reads it as ${bare}; write ${bare}`);
    }
  },
};
