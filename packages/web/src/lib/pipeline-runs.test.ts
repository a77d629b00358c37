import { describe, expect, it } from "vitest";
import type { PipelineRun } from "../api/types.js";
import { failedChecks, runDuration, runOutcome } from "./pipeline-runs.js";

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
});
