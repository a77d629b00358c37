import type { Observation } from "../api/types.js";

type Tested = Pick<Observation, "tests" | "slis">;

/** The newest test run `observe` knows of (0 for none): what "newer than before the action" means. */
export function newestRunId(o: Pick<Observation, "tests"> | undefined): number {
  return (o?.tests.history ?? []).reduce((max, r) => Math.max(max, r.id), 0);
}

/**
 * Where the contract tests a start or resume set off are: `queued` (no newer run than
 * `sinceRunId` yet, or a contract tested before has not been tested again), `running`, or `ended`.
 * The runs are queued in the background, so right after the action there may be none yet. A
 * product with no contract to test waits for nothing. The caller decides how long to wait: a
 * contract the platform cannot test (no server it reads) never gets a run.
 */
export type TestsProgress = "queued" | "running" | "ended";

export function testsProgress(o: Tested, sinceRunId: number): TestsProgress {
  const contracts = new Set(o.slis.map((s) => s.contractId));
  if (contracts.size === 0) return "ended";
  const newer = o.tests.history.filter((r) => r.id > sinceRunId);
  if (newer.length === 0) return "queued";
  // Ended: any status but running (an abandoned run may have no finish time).
  if (newer.some((r) => r.status === "running")) return "running";
  const again = new Set(newer.map((r) => r.contractId));
  const testedBefore = o.tests.history.filter((r) => r.id <= sinceRunId && contracts.has(r.contractId));
  return testedBefore.some((r) => !again.has(r.contractId)) ? "queued" : "ended";
}
