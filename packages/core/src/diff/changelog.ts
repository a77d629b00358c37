import type { DiffReport } from "./build-report.js";
import type { ChangeSeverity } from "./change-table.js";

const sections: { severity: ChangeSeverity; title: string }[] = [
  { severity: "major", title: "Breaking changes (major)" },
  { severity: "minor", title: "Additions and compatible changes (minor)" },
  { severity: "patch", title: "Documentation and metadata (patch)" },
];

/** Emphasis, code, link brackets and HTML: document text must not turn into markup or links (lines start with "- ", so block syntax cannot start). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r?\n/g, " ");
}

const code = (text: string) => {
  const clean = text.replace(/\r?\n/g, " ");
  const fence = clean.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${clean}${fence.length > 1 ? " " : ""}${fence}`;
};

/** A Markdown changelog of one diff, grouped by severity (most severe first). */
export function renderChangelog(report: DiffReport, options: { title?: string } = {}): string {
  const from = report.previousVersion ?? "?";
  const to = report.currentVersion ?? "?";
  const lines: string[] = [];
  lines.push(`# ${escapeMarkdown(options.title ?? "Changelog")}`, "");
  lines.push(`## ${escapeMarkdown(to)} (from ${escapeMarkdown(from)})`, "");
  if (report.changes.length === 0) {
    lines.push("No changes.", "");
    return `${lines.join("\n").trimEnd()}\n`;
  }
  const verdict = report.versionOk
    ? "the declared version announces it"
    : `the declared version does not announce it; use at least ${report.suggestedVersion ?? "a semantic version"}`;
  lines.push(
    `Severity: **${report.severity}**. Suggested version: ${escapeMarkdown(report.suggestedVersion ?? "n/a")}; ${escapeMarkdown(verdict)}.`,
    "",
  );
  for (const { severity, title } of sections) {
    const changes = report.changes.filter((c) => c.severity === severity);
    if (changes.length === 0) continue;
    lines.push(`### ${title}`, "");
    for (const c of changes) lines.push(`- ${escapeMarkdown(c.message)} (${code(c.path || "document")}, ${c.kind})`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
