import type { CheckResult, RunResult } from "@quanta/core";
import { evaluatePolicies, type PolicyData, type PolicyEvaluation } from "@quanta/core/policy";
import { AuditLog } from "../audit/audit-log.js";
import { RefusedError } from "../refused-error.js";
import type { Queryable } from "../storage/database.js";
import { PolicyStore } from "./policy-store.js";
import { publishedSubject } from "./product-subject.js";

/** A staged version as `on: data` rules read it (`data` in CEL). */
export function policyData(input: {
  port: string;
  dataset: string;
  version: number;
  source: string;
  rows: number;
  bytes: number;
  run: RunResult;
}): PolicyData {
  return {
    port: input.port,
    dataset: input.dataset,
    version: input.version,
    source: input.source,
    rows: input.rows,
    bytes: input.bytes,
    status: input.run.result,
    checks: input.run.checks.map((c: CheckResult) => ({
      id: c.id ?? c.key,
      name: c.name,
      status: c.result,
      dimension: c.dimension ?? null,
      value: typeof c.value === "number" ? c.value : typeof c.value === "bigint" ? Number(c.value) : null,
    })),
  };
}

/**
 * The last gate of write-audit-publish: the policies in force judge a staged version of a port's
 * data with its contract test results (`on: data` rules). A blocking rule that fails refuses the
 * version (`RefusedError`, with every finding), audited; advisory ones come back as the evaluation.
 * No `on: data` rule in force: nothing is judged.
 */
export async function judgeData(
  q: Queryable,
  productId: string,
  data: PolicyData,
  actor: string,
): Promise<PolicyEvaluation | undefined> {
  const { policySet } = await new PolicyStore(q).active();
  if (!policySet.rules.some((r) => r.on === "data")) return undefined;
  const published = await publishedSubject(q, productId);
  if (!published) return undefined;
  const evaluation = evaluatePolicies(policySet, { ...published.subject, data });
  if (!evaluation.blocking) return evaluation;
  const failed = evaluation.results.filter((r) => r.severity === "blocking" && !r.passed);
  const reason = `refused by policy ${evaluation.policy} ${evaluation.policyVersion}: blocking rule${failed.length === 1 ? "" : "s"} ${failed
    .map((r) => `${r.ruleId} (${r.findings[0]?.message ?? r.description})`)
    .join(", ")} failed on version ${data.version} of port ${data.port}`;
  await new AuditLog(q).append({
    actor,
    action: "policy.data",
    productId,
    port: data.port,
    decision: "denied",
    reason,
    details: { version: data.version, source: data.source, rules: failed.map((r) => r.ruleId) },
  });
  throw new RefusedError(
    reason,
    failed.flatMap((r) =>
      r.findings.map((f) => ({
        code: `policy-${r.ruleId}`,
        severity: "error" as const,
        message: f.message,
        file: f.file,
        line: f.line,
        column: f.column,
        path: f.path,
      })),
    ),
  );
}
