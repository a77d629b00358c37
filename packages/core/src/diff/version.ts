import semver from "semver";
import type { ChangeSeverity } from "./change-table.js";

/**
 * What version a change calls for. Semantic versioning (semver.org) from 1.0.0 on: a major change
 * needs a major bump, minor a minor bump, patch a patch bump.
 *
 * Before 1.0.0 (0.y.z) everything shifts down one place, the way npm's caret ranges read 0.x:
 * a major change needs a MINOR bump (0.3.1 → 0.4.0), a minor or patch change a PATCH bump
 * (0.3.1 → 0.3.2). Moving to 1.0.0 satisfies any change. This rule is applied everywhere Quanta
 * judges a version (contracts, products, output port versions).
 */
export type Bump = "patch" | "minor" | "major";

export function requiredBump(version: string, severity: ChangeSeverity): Bump {
  const v = semver.parse(version);
  if (v && v.major === 0) return severity === "major" ? "minor" : "patch";
  return severity;
}

/** The next version for a change of `severity`; the same version when nothing changed. */
export function suggestVersion(previous: string, severity: ChangeSeverity | "none"): string | undefined {
  const v = semver.parse(previous);
  if (!v) return undefined;
  if (severity === "none") return v.version;
  return semver.inc(v, requiredBump(v.version, severity)) ?? undefined;
}

const bumpRank: Record<Bump | "none", number> = { none: 0, patch: 1, minor: 2, major: 3 };

/**
 * The severity a move from `previous` to `current` announces, under the same 0.x rule: in 0.x a
 * minor bump announces a major change and a patch bump a minor one. A change of pre-release tag
 * only (1.0.0-rc.1 → 1.0.0-rc.2) announces a patch. `undefined` when either is not semver or the
 * version goes down.
 */
export function announcedSeverity(previous: string, current: string): ChangeSeverity | "none" | undefined {
  const p = semver.parse(previous);
  const c = semver.parse(current);
  if (!p || !c) return undefined;
  const cmp = semver.compare(c, p);
  if (cmp < 0) return undefined;
  if (cmp === 0) return "none";
  if (c.major !== p.major) return "major";
  if (p.major === 0) return c.minor !== p.minor ? "major" : c.patch !== p.patch ? "minor" : "patch";
  if (c.minor !== p.minor) return "minor";
  return "patch";
}

/** True when the new version announces at least `severity` (always true when nothing changed). */
export function versionSatisfies(previous: string, current: string, severity: ChangeSeverity | "none"): boolean {
  const announced = announcedSeverity(previous, current);
  if (announced === undefined) return false;
  return bumpRank[announced] >= bumpRank[severity];
}

export function isSemver(version: string): boolean {
  return semver.parse(version) !== null;
}
