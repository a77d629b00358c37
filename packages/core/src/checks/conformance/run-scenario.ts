import { buildChecks } from "../build-checks.js";
import type { CheckResult } from "../check.js";
import type { Connection } from "../connection.js";
import { runChecks } from "../run-checks.js";
import { changedChecks } from "./run-profile-scenario.js";
import type { CheckScenario } from "./scenario.js";

export interface ScenarioOutcome {
  results: CheckResult[];
  /** One line per expectation not met; empty when the engine conforms. */
  mismatches: string[];
}

/**
 * Runs one scenario's contract on a connection (already loaded with the scenario's data) and
 * compares with its expectations. Engines' tests call it for every scenario:
 * `expect((await runScenario(s, conn)).mismatches).toEqual([])`. A scenario without time limits
 * runs once more with the profile on, which must not change any check's outcome.
 */
export async function runScenario(scenario: CheckScenario, connection: Connection): Promise<ScenarioOutcome> {
  const checks = buildChecks(scenario.contract);
  const { checks: results } = await runChecks(checks, connection, scenario.limits ?? {});
  const mismatches: string[] = [];
  if (scenario.limits === undefined)
    mismatches.push(...changedChecks(results, (await runChecks(checks, connection, { profile: true })).checks));
  for (const [key, want] of Object.entries(scenario.expect)) {
    const got = results.find((r) => r.key === key);
    const expected = typeof want === "string" ? { result: want } : want;
    if (got === undefined) {
      mismatches.push(`${key}: no such check (have: ${results.map((r) => r.key).join(", ")})`);
      continue;
    }
    if (got.result !== expected.result)
      mismatches.push(`${key}: expected ${expected.result}, got ${got.result}${got.reason ? ` (${got.reason})` : ""}`);
    if (
      "value" in expected &&
      expected.value !== undefined &&
      Number(got.value) !== Number(expected.value) &&
      got.value !== expected.value
    ) {
      mismatches.push(`${key}: expected value ${JSON.stringify(expected.value)}, got ${JSON.stringify(got.value)}`);
    }
    if ("reason" in expected && expected.reason !== undefined && got.reason !== expected.reason) {
      mismatches.push(`${key}: expected reason ${JSON.stringify(expected.reason)}, got ${JSON.stringify(got.reason)}`);
    }
  }
  return { results, mismatches };
}
