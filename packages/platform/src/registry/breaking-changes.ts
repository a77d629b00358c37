import { buildReport, type DiffStandard, type Issue, type SourceDocument } from "@quanta/core";

const what: Record<DiffStandard, string> = { odcs: "contract", odps: "data product" };

/**
 * The changes from the published `previous` document to `next` that its version does not announce.
 * A breaking (major) change without the bump that announces it refuses the publish: each change
 * becomes an error at its place in the new file (or its nearest surviving parent when removed).
 * Smaller unannounced changes are warnings.
 */
export function unannouncedChanges(standard: DiffStandard, previous: unknown, next: SourceDocument): Issue[] {
  const report = buildReport(standard, previous, next.value);
  if (report.versionOk || report.changes.length === 0 || report.previousVersion === report.currentVersion) return [];
  const severity = report.severity === "major" ? "error" : "warning";
  const id = (next.value as { id?: unknown } | null)?.id;
  const head = next.at(
    ["version"],
    severity === "error" ? "version-bump-missing" : "version-bump-small",
    severity,
    `${what[standard]} ${String(id)} changes in a ${report.severity === "major" ? "breaking" : report.severity} way since ${report.previousVersion}, but ${report.currentVersion} does not announce it; publish it as ${report.suggestedVersion ?? "a higher version"} or undo the changes below`,
  );
  const changes = report.changes
    .filter((c) => c.severity === report.severity)
    .map((c) =>
      next.at(
        (c.at.after ?? c.at.before ?? []) as (string | number)[],
        `change-${c.kind}`,
        severity,
        `${c.path}: ${c.message}`,
      ),
    );
  return [head, ...changes];
}
