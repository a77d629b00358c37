import type { Issue } from "../issues.js";
import type { Change } from "./change.js";
import { type ChangeSeverity, highestSeverity } from "./change-table.js";
import { diffContracts } from "./contract-diff.js";
import { diffProducts } from "./product-diff.js";
import { str } from "./values.js";
import { announcedSeverity, isSemver, suggestVersion, versionSatisfies } from "./version.js";

/** The standards Quanta diffs natively; DCS and DPS are converted to these first. */
export type DiffStandard = "odcs" | "odps";

export interface DiffReport {
  standard: DiffStandard;
  /** Highest severity of all changes; `none` when the documents say the same. */
  severity: ChangeSeverity | "none";
  /** `version` of the old document. */
  previousVersion: string | null;
  /** `version` declared by the new document. */
  currentVersion: string | null;
  /** The least version the new document should carry, from the old version and the severity. */
  suggestedVersion: string | null;
  /** The new version announces at least the severity of the changes (pre-1.0 rule included). */
  versionOk: boolean;
  changes: Change[];
  /** Warnings about the inputs (invalid documents, versions that are not semver, conversion notes). */
  issues: Issue[];
}

const differs: Record<DiffStandard, (before: unknown, after: unknown) => Change[]> = {
  odcs: diffContracts,
  odps: diffProducts,
};

/** Diffs two plain values of the same standard. */
export function diffValues(standard: DiffStandard, before: unknown, after: unknown): Change[] {
  return differs[standard](before, after);
}

/** The report for two plain values (already of one standard). */
export function buildReport(
  standard: DiffStandard,
  before: unknown,
  after: unknown,
  issues: Issue[] = [],
  files: { before: string; after: string } = { before: "", after: "" },
): DiffReport {
  const changes = diffValues(standard, before, after);
  const severity = highestSeverity(changes.map((c) => c.severity));
  const previousVersion = versionOf(before);
  const currentVersion = versionOf(after);
  for (const [v, which] of [
    [previousVersion, "old"],
    [currentVersion, "new"],
  ] as const) {
    if (v === null) {
      issues.push(
        issue(which === "new" ? files.after : files.before, "version-missing", `the ${which} document has no version`),
      );
    } else if (!isSemver(v)) {
      issues.push(
        issue(
          which === "new" ? files.after : files.before,
          "version-not-semver",
          `the ${which} version ${JSON.stringify(v)} is not a semantic version (MAJOR.MINOR.PATCH); cannot check or suggest versions`,
        ),
      );
    }
  }
  const suggestedVersion = previousVersion === null ? null : (suggestVersion(previousVersion, severity) ?? null);
  let versionOk: boolean;
  if (previousVersion === null || currentVersion === null) versionOk = severity === "none";
  else if (severity === "none")
    versionOk = previousVersion === currentVersion || announcedSeverity(previousVersion, currentVersion) !== undefined;
  else versionOk = versionSatisfies(previousVersion, currentVersion, severity);
  return { standard, severity, previousVersion, currentVersion, suggestedVersion, versionOk, changes, issues };
}

function versionOf(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return null;
  return str((value as Record<string, unknown>).version) ?? null;
}

function issue(file: string, code: string, message: string): Issue {
  return { code, severity: "warning", message, file, line: 0, column: 0, path: "version" };
}
