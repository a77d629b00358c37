import type { CheckResult, CheckStatus, RunResult } from "@quanta/core";
import { formatDuration, formatSeconds } from "../format-duration.js";
import { colors, type Io } from "../io.js";

export type ReportFormat = "text" | "json" | "junit";

const xml = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

/** JUnit XML: one testsuite per schema object, one testcase per check (CI systems render it). */
export function junitReport(run: RunResult, name: string): string {
  const groups = new Map<string, CheckResult[]>();
  for (const c of run.checks) {
    const g = c.schema ?? "(contract)";
    groups.set(g, [...(groups.get(g) ?? []), c]);
  }
  const count = (cs: CheckResult[], ...s: CheckStatus[]) => cs.filter((c) => s.includes(c.result)).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${run.checks.length}" failures="${count(run.checks, "failed")}" errors="${count(run.checks, "error")}" skipped="${count(run.checks, "skipped")}" time="${run.durationMs / 1000}">`,
  ];
  for (const [group, cs] of groups) {
    lines.push(
      `  <testsuite name="${xml(group)}" tests="${cs.length}" failures="${count(cs, "failed")}" errors="${count(cs, "error")}" skipped="${count(cs, "skipped")}">`,
    );
    for (const c of cs) {
      const open = `    <testcase classname="${xml(group)}" name="${xml(`${c.key}: ${c.name}`)}"`;
      const detail = [
        c.reason,
        c.value !== undefined ? `value: ${JSON.stringify(c.value)}` : undefined,
        c.threshold ? `threshold: ${c.threshold}` : undefined,
        c.sql ? `sql: ${c.sql}` : undefined,
      ]
        .filter(Boolean)
        .join("\n");
      const body: Record<CheckStatus, string | undefined> = {
        passed: undefined,
        warning: `<system-out>${xml(`warning: ${detail}`)}</system-out>`,
        failed: `<failure message="${xml(c.reason ?? "failed")}">${xml(detail)}</failure>`,
        error: `<error message="${xml(c.reason ?? "error")}">${xml(detail)}</error>`,
        skipped: `<skipped message="${xml(c.reason ?? "skipped")}"/>`,
      };
      const inner = body[c.result];
      lines.push(inner === undefined ? `${open}/>` : `${open}>${inner}</testcase>`);
    }
    lines.push("  </testsuite>");
  }
  lines.push("</testsuites>");
  return lines.join("\n");
}

/** SLA checks measure ages in seconds; the table shows them as durations (JSON keeps the numbers). */
const ageChecks: ReadonlySet<string> = new Set(["freshness", "retention"]);
const secondsIn = (text: string) => text.replace(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, (n) => formatSeconds(Number(n)));

function shown(r: CheckResult): { value: string | undefined; threshold: string | undefined; reason: string } {
  const value = r.value === undefined ? undefined : JSON.stringify(r.value);
  const reason = r.result === "passed" ? "" : (r.reason ?? "");
  if (!ageChecks.has(r.type) || typeof r.value !== "number") return { value, threshold: r.threshold, reason };
  const age = formatSeconds(r.value);
  const threshold = r.threshold === undefined ? undefined : secondsIn(r.threshold);
  const judged = `${value} is not ${r.threshold}`;
  return { value: age, threshold, reason: reason === judged ? `${age} is not ${threshold}` : reason };
}

/** A readable table: status, check, value vs threshold, reason. */
export function textReport(run: RunResult, io: Io): string {
  const c = colors(io);
  const paint: Record<CheckStatus, (s: string) => string> = {
    passed: c.green,
    warning: c.yellow,
    failed: c.red,
    error: c.magenta,
    skipped: c.dim,
  };
  const rows = run.checks.map((r) => {
    const { value, threshold, reason } = shown(r);
    return {
      status: r.result,
      name: r.name,
      measured: value === undefined ? "" : `${value}${threshold ? ` (want ${threshold})` : ""}`,
      reason,
    };
  });
  const w = (k: "status" | "name" | "measured") => Math.min(60, Math.max(k.length, ...rows.map((r) => r[k].length)));
  const ws = w("status");
  const wn = w("name");
  const wm = w("measured");
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  const oneLine = (s: string) => s.replace(/\s+/g, " ");
  const out = [`${"RESULT".padEnd(ws)}  ${"CHECK".padEnd(wn)}  ${"VALUE".padEnd(wm)}  REASON`];
  for (const r of rows) {
    out.push(
      `${paint[r.status](r.status.padEnd(ws))}  ${cut(oneLine(r.name), wn)}  ${cut(r.measured, wm)}  ${oneLine(r.reason)}`.trimEnd(),
    );
  }
  const n = (s: CheckStatus) => run.checks.filter((x) => x.result === s).length;
  out.push(
    "",
    `${paint[run.result](run.result)}: ${n("passed")} passed, ${n("warning")} warning, ${n("failed")} failed, ${n("error")} error, ${n("skipped")} skipped in ${formatDuration(run.durationMs)}`,
  );
  return out.join("\n");
}
