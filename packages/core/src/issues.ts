/** Problems found in user input are data, never exceptions: many per run, each at its node. */
export type Severity = "error" | "warning" | "info";

export type Path = readonly (string | number)[];

export interface Issue {
  /** Stable machine-readable code, kebab-case, e.g. `yaml-duplicate-key`. */
  code: string;
  severity: Severity;
  message: string;
  file: string;
  /** 1-based; 0 when the issue has no position (e.g. an unreadable file). */
  line: number;
  column: number;
  /** JSON path of the node in the document, e.g. `schema[0].properties[2].name`. */
  path: string;
}

export function formatPath(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order for output: by file, position, then severity. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      severityRank[a.severity] - severityRank[b.severity] ||
      a.code.localeCompare(b.code),
  );
}

/** `file:line:column severity code message`, the one-line text form. */
export function formatIssue(issue: Issue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where} ${issue.severity} ${issue.code} ${issue.message}`;
}
