import {
  type Change,
  type ChangeSeverity,
  type DiffReport,
  formatIssue,
  isSemver,
  renderChangelog,
  type SourceDocument,
} from "@quanta/core";
import { colors, type Io } from "./io.js";

export type DiffFormat = "text" | "json" | "markdown";

/** Where a change is: in the new document when it exists there, else in the old one. */
export function locateChange(change: Change, before: SourceDocument, after: SourceDocument) {
  const [src, path] = change.at.after ? [after, change.at.after] : [before, change.at.before ?? []];
  const pos = src.locate(path, { key: true });
  return { file: src.file, line: pos.line, column: pos.column };
}

/** The report as JSON: the severity verdict, versions and every change with its position. */
export function diffJson(report: DiffReport, before: SourceDocument, after: SourceDocument) {
  return {
    severity: report.severity,
    previousVersion: report.previousVersion,
    currentVersion: report.currentVersion,
    suggestedVersion: report.suggestedVersion,
    versionOk: report.versionOk,
    changes: report.changes.map((c) => ({
      path: c.path,
      kind: c.kind,
      severity: c.severity,
      message: c.message,
      before: c.before,
      after: c.after,
      ...locateChange(c, before, after),
    })),
    issues: report.issues,
  };
}

export function versionSummary(report: DiffReport): string {
  const from = report.previousVersion ?? "(none)";
  const to = report.currentVersion ?? "(none)";
  const checkable =
    report.previousVersion !== null &&
    report.currentVersion !== null &&
    isSemver(report.previousVersion) &&
    isSemver(report.currentVersion);
  const verdict = report.versionOk
    ? "ok"
    : checkable && report.suggestedVersion
      ? `too small: use at least ${report.suggestedVersion}`
      : "cannot be checked";
  return `severity ${report.severity}; version ${from} → ${to} (${verdict}); suggested ${report.suggestedVersion ?? "n/a"}`;
}

/** One line per change, `file:line:column severity kind message`, severity coloured on a TTY. */
export function printChanges(io: Io, changes: readonly Change[], before: SourceDocument, after: SourceDocument): void {
  const c = colors(io);
  const paint: Record<ChangeSeverity, (s: string) => string> = { major: c.red, minor: c.yellow, patch: c.cyan };
  for (const change of changes) {
    const at = locateChange(change, before, after);
    io.out(
      `${at.file}:${at.line}:${at.column} ${paint[change.severity](change.severity)} ${change.kind} ${change.message}`,
    );
  }
}

/** Warnings about the inputs (invalid document, version not semver) go to stderr. */
export function printDiffIssues(io: Io, report: DiffReport): void {
  for (const issue of report.issues) io.err(`quanta: ${formatIssue(issue)}`);
}

export function printDiff(
  io: Io,
  report: DiffReport,
  before: SourceDocument,
  after: SourceDocument,
  format: DiffFormat,
  title?: string,
  /** Added to the JSON output (`impact`: what the changes would hurt downstream, or null). */
  extra?: Record<string, unknown>,
): void {
  printDiffIssues(io, report);
  if (format === "json") {
    io.out(JSON.stringify({ ...diffJson(report, before, after), impact: null, ...extra }, null, 2));
    return;
  }
  if (format === "markdown") {
    io.out(renderChangelog(report, { title: title ?? defaultTitle(after) }));
    return;
  }
  printChanges(io, report.changes, before, after);
  io.out(report.changes.length === 0 ? `no changes; ${versionSummary(report)}` : versionSummary(report));
}

/** "Changelog: <name or id>" from the new document. */
export function defaultTitle(doc: SourceDocument): string {
  const v = doc.value as Record<string, unknown> | undefined;
  const name = typeof v?.name === "string" ? v.name : typeof v?.id === "string" ? v.id : doc.file;
  return `Changelog: ${name}`;
}
