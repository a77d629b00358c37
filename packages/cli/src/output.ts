import { formatIssue, hasErrors, type Issue, sortIssues } from "@quanta/core";
import { colors, type Io } from "./io.js";

export type IssueFormat = "text" | "json";

/** `file:line:column severity code message`, coloured on a TTY; or `{ valid, issues }` as JSON. */
export function printIssues(io: Io, issues: readonly Issue[], format: IssueFormat): void {
  const sorted = sortIssues(issues);
  if (format === "json") {
    io.out(JSON.stringify({ valid: !hasErrors(sorted), issues: sorted }, null, 2));
    return;
  }
  const c = colors(io);
  const paint = { error: c.red, warning: c.yellow, info: c.blue } as const;
  for (const issue of sorted) {
    const line = formatIssue(issue);
    io.out(io.tty ? line.replace(` ${issue.severity} `, ` ${paint[issue.severity](issue.severity)} `) : line);
  }
  const errors = sorted.filter((i) => i.severity === "error").length;
  const warnings = sorted.filter((i) => i.severity === "warning").length;
  io.err(errors === 0 && warnings === 0 ? c.green("no issues") : `${errors} error(s), ${warnings} warning(s)`);
}
