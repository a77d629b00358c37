import {
  type CertificationLevel,
  type ContractTestStatus,
  certify,
  type PolicyEvaluation,
  type RuleResult,
} from "@quanta/core/policy";
import { contractSchedule, currentSlot } from "../jobs/schedule.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { obj } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";

export interface CertificationView {
  level: CertificationLevel | "none";
  status: "certified" | "not-certified";
  /** One sentence: why the product is at this level (or lapsed). */
  reason: string;
  reasons: string[];
  /** When it lapses unless a contract test runs green again (null: nothing to age). */
  validUntil: string | null;
}

export interface TestWindow {
  statuses: ContractTestStatus[];
  /** The earliest moment a green test leaves its SLA window (null: no green test to age). */
  validUntil: Date | null;
}

/**
 * How long a green contract test counts: two periods of the contract's SLA test schedule (its
 * `frequency`, default hourly), so one late or missed run does not lapse a certification at once.
 */
export function slaWindowMs(contract: unknown, now: Date): number {
  const schedule = contractSchedule(obj(contract) ?? {});
  if (schedule.kind === "interval") return 2 * schedule.ms;
  const slot = currentSlot(schedule, now);
  const before = currentSlot(schedule, new Date(slot.getTime() - 60_000));
  return 2 * Math.max(60_000, slot.getTime() - before.getTime());
}

/** The latest finished contract test of each output port's contract, with its SLA window, at `now`. */
export async function testWindow(q: Queryable, productId: string, now: Date): Promise<TestWindow> {
  const product = await new ProductRepository(q).get(productId);
  const contractIds = [
    ...new Set(
      (product?.ports ?? []).filter((p) => p.direction === "output" && p.contractId).map((p) => p.contractId as string),
    ),
  ];
  const contracts = new ContractRepository(q);
  const statuses: ContractTestStatus[] = [];
  let validUntil: Date | null = null;
  for (const contractId of contractIds) {
    const { rows } = await q.query<{ status: string; finishedAt: string; contractVersion: string }>(
      `SELECT status, finished_at AS "finishedAt", contract_version AS "contractVersion" FROM test_runs
       WHERE product_id = $1 AND contract_id = $2 AND status NOT IN ('running', 'abandoned') AND finished_at IS NOT NULL
       ORDER BY finished_at DESC, id DESC LIMIT 1`,
      [productId, contractId],
    );
    const run = rows[0];
    if (!run) {
      statuses.push({ contractId, outcome: "never-run", fresh: false });
      continue;
    }
    const passed = run.status === "passed" || run.status === "warning";
    const document = (await contracts.version(contractId, run.contractVersion))?.document;
    const until = new Date(new Date(run.finishedAt).getTime() + slaWindowMs(document, now));
    if (passed && (validUntil === null || until < validUntil)) validUntil = until;
    statuses.push({
      contractId,
      outcome: passed ? "passed" : run.status === "error" ? "error" : "failed",
      fresh: until > now,
    });
  }
  return { statuses, validUntil };
}

/** Certification from a stored evaluation's results and the contract tests as they are at `now`. */
export function certificationOf(results: readonly RuleResult[], window: TestWindow): CertificationView {
  const evaluation = { results } as PolicyEvaluation;
  const cert = certify(evaluation, window.statuses);
  const level = cert.level;
  const reason =
    level === "none"
      ? (cert.reasons[0] ?? "no certification level's rules all pass")
      : cert.reasons.length > 0
        ? `certified ${level}; not higher: ${cert.reasons.join("; ")}`
        : `certified ${level}: every rule of every level passes and the contract tests are green within their SLA window`;
  return {
    level,
    status: level === "none" ? "not-certified" : "certified",
    reason,
    reasons: cert.reasons,
    validUntil: level === "none" || window.validUntil === null ? null : window.validUntil.toISOString(),
  };
}
