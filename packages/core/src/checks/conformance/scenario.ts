import type { CheckStatus, SqlValue } from "../check.js";
import type { RunChecksOptions } from "../run-checks.js";

/** Column types every engine can create; each engine's test maps them to its own DDL/file types. */
export type ScenarioColumnType =
  | "integer"
  | "bigint"
  | "double"
  | "decimal"
  | "text"
  | "boolean"
  | "date"
  | "timestamp"
  | "text[]";

export interface ScenarioTable {
  columns: readonly { name: string; type: ScenarioColumnType }[];
  rows: readonly (readonly SqlValue[])[];
}

/** The data a scenario needs: table name → columns and rows (dates/timestamps as ISO text, arrays as JSON text). */
export type ScenarioData = Record<string, ScenarioTable>;

/**
 * One engine-neutral check scenario: data, an ODCS contract over it, and the result each check
 * key must end with. Every engine runs every scenario (named skips where it truly cannot).
 */
export interface CheckScenario {
  name: string;
  data: ScenarioData;
  /** Plain ODCS value; its schema object names are the table names in `data`. */
  contract: Record<string, unknown>;
  /** The run's time limits, when the scenario is about them. */
  limits?: Pick<RunChecksOptions, "checkTimeoutMs" | "runTimeoutMs">;
  /** check key → expected result (and value or reason when it matters). Keys not listed are not asserted. */
  expect: Record<string, CheckStatus | { result: CheckStatus; value?: SqlValue; reason?: string }>;
}
