import { type CertificationLevel, certificationLevels, type PolicyEvaluation } from "./policy-model.js";

/** The latest contract test run of one contract, as the platform knows it. */
export interface ContractTestStatus {
  contractId: string;
  outcome: "passed" | "failed" | "error" | "never-run";
  /** True when that run is within the contract's SLA window (e.g. its freshness or frequency). */
  fresh: boolean;
}

export type Certification = CertificationLevel | "none";

export interface CertificationResult {
  level: Certification;
  /** Why the product stops at `level`: the first unmet requirement of each level above it. */
  reasons: string[];
}

/**
 * The highest level whose required rules, and those of every lower level, all pass, given green
 * and fresh contract tests for every contract. `"not-considered"` leaves tests out (a local
 * `quanta policy test`), which the reasons say.
 */
export function certify(
  evaluation: PolicyEvaluation,
  tests: readonly ContractTestStatus[] | "not-considered",
): CertificationResult {
  const reasons: string[] = [];
  if (tests === "not-considered") reasons.push("contract tests not considered: the level is what the policies allow");
  else {
    const stale = tests.filter((t) => t.outcome !== "passed" || !t.fresh);
    if (stale.length > 0) {
      return {
        level: "none",
        reasons: stale.map((t) =>
          t.outcome === "never-run"
            ? `contract ${t.contractId}: no contract test run`
            : t.outcome !== "passed"
              ? `contract ${t.contractId}: latest contract test ${t.outcome}`
              : `contract ${t.contractId}: latest contract test passed but is older than its SLA window`,
        ),
      };
    }
  }
  let level: Certification = "none";
  let blocked = false;
  for (const candidate of certificationLevels) {
    const failing = evaluation.results.filter((r) => r.levels.includes(candidate) && !r.passed);
    if (failing.length > 0) {
      reasons.push(`${candidate}: ${failing.map((r) => `${r.ruleId} fails`).join(", ")}`);
      blocked = true;
    } else if (!blocked) level = candidate;
  }
  return { level, reasons };
}
