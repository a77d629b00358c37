import { describe, expect, it } from "vitest";
import type { PipelineRun } from "../api/types.js";
import { canCancel, failedChecks, runDuration, runNotes, runOutcome } from "./pipeline-runs.js";

const output = (over: Partial<PipelineRun["outputs"][number]>): PipelineRun["outputs"][number] => ({
  port: "revenue",
  dataset: "revenue",
  version: 2,
  published: true,
  previous: 1,
  rowsIn: {},
  rowsOut: 1,
  bytesOut: 10,
  tests: null,
  inputs: [],
  ...over,
});
const run = (over: Partial<PipelineRun>): PipelineRun => ({
  id: 1,
  productId: "shop.revenue",
  productVersion: "1.0.0",
  trigger: "manual",
  requestedBy: "rita",
  status: "succeeded",
  reason: null,
  outputs: [],
  createdAt: "2026-12-03T10:00:00Z",
  startedAt: "2026-12-03T10:00:00Z",
  finishedAt: "2026-12-03T10:00:01.500Z",
  cancelledBy: null,
  cancelRequestedAt: null,
  attempt: 1,
  attempts: [],
  params: null,
  ...over,
});

describe("pipeline runs in the owner view", () => {
  it("says what each output became and which version serves after a failure", () => {
    expect(runOutcome(run({ outputs: [output({})] }))).toBe("revenue v2");
    expect(runOutcome(run({ status: "failed", outputs: [output({ published: false })] }))).toBe(
      "revenue v2 not published, v1 serves",
    );
    expect(runOutcome(run({ status: "failed", outputs: [output({ version: null, published: false })] }))).toBe(
      "revenue: nothing staged",
    );
    expect(runOutcome(run({ status: "queued", startedAt: null, finishedAt: null }))).toBe("");
    expect(runDuration(run({}))).toBe("1.5 s");
    expect(runDuration(run({ finishedAt: null }))).toBe("");
  });

  it("lists the failed checks with their reasons", () => {
    const tests = {
      status: "failed",
      checks: [
        {
          checkId: "revenue.minimum",
          dataset: "revenue",
          status: "failed",
          value: -1,
          threshold: 0,
          reason: "below 0",
        },
        { checkId: "rows", dataset: "revenue", status: "passed", value: 1, threshold: 0, reason: null },
      ],
    };
    expect(failedChecks(run({ outputs: [output({ tests })] }))).toEqual(["revenue: revenue.minimum: below 0"]);
  });

  it("offers cancelling a run in progress once, and notes attempts, a cancel under way and a backfill", () => {
    expect(canCancel(run({ status: "running" }))).toBe(true);
    expect(canCancel(run({ status: "running", cancelledBy: "rita" }))).toBe(false);
    expect(canCancel(run({ status: "cancelled", cancelledBy: "rita" }))).toBe(false);
    expect(runNotes(run({ status: "running", attempt: 2, cancelledBy: "rita" }))).toEqual([
      "attempt 2",
      "stopping (cancelled by rita)",
    ]);
    expect(runNotes(run({ params: { from: "2024-01-01", to: "2024-01-31" } }))).toEqual([
      "backfill 2024-01-01 to 2024-01-31",
    ]);
  });
});
