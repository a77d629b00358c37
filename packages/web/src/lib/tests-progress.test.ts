import { describe, expect, it } from "vitest";
import type { Observation, TestRunSummary } from "../api/types.js";
import { newestRunId, testsProgress } from "./tests-progress.js";

const run = (id: number, contractId: string, status: string): TestRunSummary => ({
  id,
  productId: "sales.orders",
  contractId,
  contractVersion: "1.0.0",
  server: "local",
  reason: null,
  status,
  startedAt: "2026-01-01T00:00:00Z",
  finishedAt: status === "running" || status === "abandoned" ? null : "2026-01-01T00:00:05Z",
});
const sli = (contractId: string) => ({ port: contractId, contractId }) as unknown as Observation["slis"][number];
const observed = (history: TestRunSummary[], contracts = ["c1"]) => ({
  slis: contracts.map(sli),
  tests: { latest: [], history },
});

describe("testsProgress", () => {
  it("follows a product never tested from its start to the end of its first run", () => {
    // What the owner view had before pressing Start: no run at all.
    const since = newestRunId(observed([]));
    expect(since).toBe(0);
    expect(testsProgress(observed([]), since)).toBe("queued");
    expect(testsProgress(observed([run(1, "c1", "running")]), since)).toBe("running");
    expect(testsProgress(observed([run(1, "c1", "error")]), since)).toBe("ended");
    expect(testsProgress(observed([run(1, "c1", "abandoned")]), since)).toBe("ended");
  });

  it("waits until each contract tested before has a newer run that ended", () => {
    const before = observed([run(3, "c1", "failed"), run(2, "c2", "passed")], ["c1", "c2"]);
    const since = newestRunId(before);
    expect(since).toBe(3);
    // The old runs do not count.
    expect(testsProgress(before, since)).toBe("queued");
    const history = (...newer: TestRunSummary[]) => observed([...newer, ...before.tests.history], ["c1", "c2"]);
    expect(testsProgress(history(run(4, "c1", "running")), since)).toBe("running");
    expect(testsProgress(history(run(4, "c1", "passed")), since)).toBe("queued");
    expect(testsProgress(history(run(5, "c2", "error"), run(4, "c1", "passed")), since)).toBe("ended");
  });

  it("waits for nothing when the product has no contract to test", () => {
    expect(testsProgress(observed([], []), 0)).toBe("ended");
    expect(newestRunId(undefined)).toBe(0);
  });
});
