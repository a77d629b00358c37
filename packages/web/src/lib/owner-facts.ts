import type { Agreement, Governance, Observation } from "../api/types.js";

// What the owner view and the product cards derive from the API's answers: pure, so it is tested
// without a browser.

/** A product's agreements as the owner acts on them. */
export interface AgreementGroups {
  /** Requests waiting for the owner team's decision, oldest first (first come, first served). */
  pending: Agreement[];
  /** Agreements consumers read under now: active, or terminating during their notice period. */
  current: Agreement[];
  /** Rejected and terminated ones, newest first. */
  past: Agreement[];
}

const groupOf: Record<string, keyof AgreementGroups> = {
  requested: "pending",
  active: "current",
  terminating: "current",
  rejected: "past",
  terminated: "past",
};

export function groupAgreements(items: readonly Agreement[]): AgreementGroups {
  const groups: AgreementGroups = { pending: [], current: [], past: [] };
  // An unknown future state is shown with the past rather than hidden.
  for (const a of items) groups[groupOf[a.state] ?? "past"].push(a);
  groups.pending.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  return groups;
}

/** When a termination asked at `now` would end: the agreement's notice period from now. */
export function noticeEndIfTerminated(a: Pick<Agreement, "noticeDays">, now: Date): Date {
  return new Date(now.getTime() + a.noticeDays * 86_400_000);
}

/** A check of a product's latest contract test runs that did not pass, with the run it is from. */
export interface FailingCheck {
  contractId: string;
  port: string | null;
  runStatus: string;
  startedAt: string;
  checkId: string;
  dataset: string | null;
  status: string;
  value: unknown;
  threshold: unknown;
  reason: string | null;
}

/** Check results that count as fine; `skipped` is neither fine nor failing, so it is shown. */
const passedCheck = new Set(["passed"]);

export function failingChecks(o: Pick<Observation, "tests">): FailingCheck[] {
  const out: FailingCheck[] = [];
  for (const run of o.tests.latest) {
    for (const c of run.checks) {
      if (passedCheck.has(c.status)) continue;
      out.push({
        contractId: run.contractId,
        port: run.port,
        runStatus: run.status,
        startedAt: run.startedAt,
        checkId: c.checkId,
        dataset: c.dataset,
        status: c.status,
        value: c.value,
        threshold: c.threshold,
        reason: c.reason,
      });
    }
    // A run that failed as a whole (unreadable data) may have no check results: still a failure.
    if (run.checks.length === 0 && run.status !== "passed") {
      out.push({
        contractId: run.contractId,
        port: run.port,
        runStatus: run.status,
        startedAt: run.startedAt,
        checkId: "(the run)",
        dataset: null,
        status: run.status,
        value: null,
        threshold: null,
        reason: null,
      });
    }
  }
  const rank: Record<string, number> = { error: 0, failed: 1, warning: 2 };
  return out.sort((a, b) => (rank[a.status] ?? 3) - (rank[b.status] ?? 3));
}

const passingPolicy = new Set(["passed", "pass", "ok"]);

export function failingPolicies(g: Pick<Governance, "policies">): Governance["policies"] {
  return g.policies.filter((p) => !passingPolicy.has(p.status));
}

export type QualityStatus = "passing" | "warning" | "failing" | "untested";

/** Worst first: a card shows the worst status of its contracts' latest tests. */
const qualityOfRun: Record<string, QualityStatus> = {
  passed: "passing",
  warning: "warning",
  failed: "failing",
  error: "failing",
};
const qualityRank: Record<QualityStatus, number> = { failing: 0, warning: 1, passing: 2, untested: 3 };

/** The quality status of a product from govern's latest test of each contract. */
export function qualityStatus(g: Pick<Governance, "known">): QualityStatus {
  let worst: QualityStatus = "untested";
  // A run still going (or of a status this UI does not know) says nothing yet.
  for (const r of g.known?.contractTests ?? []) {
    const q = qualityOfRun[r.status];
    if (q && qualityRank[q] < qualityRank[worst]) worst = q;
  }
  return worst;
}

/** The certification a card shows: the level when certified, else the status. */
export function certificationLabel(c: Governance["certification"]): string {
  return c.status === "certified" && c.level ? c.level : c.status;
}
