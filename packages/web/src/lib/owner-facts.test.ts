import { describe, expect, it } from "vitest";
import type { Governance, Observation } from "../api/types.js";
import { agreementOf } from "./agreement.test-helpers.js";
import {
  certificationLabel,
  failingChecks,
  failingPolicies,
  groupAgreements,
  noticeEndIfTerminated,
  qualityStatus,
} from "./owner-facts.js";

const agreement = (id: string, state: string, requestedAt: string) => agreementOf({ id, state, requestedAt });

type Run = Observation["tests"]["latest"][number];
const run = (contractId: string, status: string, checks: [string, string][]): Run => ({
  id: 1,
  productId: "sales.orders",
  contractId,
  contractVersion: "1.0.0",
  server: "local",
  status,
  startedAt: "2026-01-01T00:00:00Z",
  finishedAt: null,
  reason: null,
  port: "p",
  checks: checks.map(([checkId, s]) => ({
    checkId,
    dataset: "d",
    status: s,
    value: 1,
    threshold: 0,
    reason: s === "passed" ? null : `${checkId} is off`,
  })),
});

const tests = (latest: Run[]): Pick<Observation, "tests"> => ({ tests: { latest, history: [] } });
const known = (...statuses: string[]): Pick<Governance, "known"> => ({
  known: {
    lint: { errors: 0, warnings: 0, issues: [] },
    contractTests: statuses.map((status, i) => ({ contractId: `c${i}`, status, finishedAt: null })),
  },
});

describe("owner facts", () => {
  it("groups agreements into pending (oldest first), current and past; an unknown state is past", () => {
    const g = groupAgreements([
      agreement("a", "requested", "2026-01-03T00:00:00Z"),
      agreement("b", "active", "2026-01-01T00:00:00Z"),
      agreement("c", "requested", "2026-01-02T00:00:00Z"),
      agreement("d", "terminating", "2026-01-01T00:00:00Z"),
      agreement("e", "rejected", "2026-01-01T00:00:00Z"),
      agreement("f", "suspended-someday", "2026-01-01T00:00:00Z"),
    ]);
    expect(g.pending.map((a) => a.id)).toEqual(["c", "a"]);
    expect(g.current.map((a) => a.id)).toEqual(["b", "d"]);
    expect(g.past.map((a) => a.id)).toEqual(["e", "f"]);
    expect(groupAgreements([])).toEqual({ pending: [], current: [], past: [] });
  });

  it("says when a termination would end", () => {
    expect(noticeEndIfTerminated({ noticeDays: 30 }, new Date("2026-01-01T00:00:00Z")).toISOString()).toBe(
      "2026-01-31T00:00:00.000Z",
    );
    expect(noticeEndIfTerminated({ noticeDays: 0 }, new Date("2026-01-01T00:00:00Z")).toISOString()).toBe(
      "2026-01-01T00:00:00.000Z",
    );
  });

  it("lists the checks of the latest runs that did not pass, errors first, and a failed run without checks", () => {
    const failing = failingChecks(
      tests([
        run("a", "failed", [
          ["a.rows", "passed"],
          ["a.fresh", "warning"],
          ["a.nulls", "failed"],
        ]),
        run("b", "error", []),
        run("c", "passed", [["c.rows", "passed"]]),
      ]),
    );
    expect(failing.map((f) => [f.contractId, f.checkId, f.status])).toEqual([
      ["b", "(the run)", "error"],
      ["a", "a.nulls", "failed"],
      ["a", "a.fresh", "warning"],
    ]);
    expect(failing[1]?.reason).toBe("a.nulls is off");
    expect(failingChecks(tests([]))).toEqual([]);
  });

  it("keeps the policy results that did not pass", () => {
    const policies = [
      { rule: "a", severity: "blocking", status: "passed", message: null },
      { rule: "b", severity: "advisory", status: "failed", message: "no retention" },
      { rule: "c", severity: "advisory", status: "error", message: "broken" },
    ];
    expect(failingPolicies({ policies }).map((p) => p.rule)).toEqual(["b", "c"]);
  });

  it("rates quality by the worst latest test; running or unknown runs say nothing", () => {
    expect(qualityStatus(known())).toBe("untested");
    expect(qualityStatus(known("running"))).toBe("untested");
    expect(qualityStatus(known("passed", "passed"))).toBe("passing");
    expect(qualityStatus(known("passed", "warning"))).toBe("warning");
    expect(qualityStatus(known("warning", "failed", "passed"))).toBe("failing");
    expect(qualityStatus(known("error"))).toBe("failing");
    expect(qualityStatus({} as Pick<Governance, "known">)).toBe("untested");
  });

  it("labels certification by level when certified", () => {
    expect(
      certificationLabel({ level: "curated", status: "certified", reason: "", reasons: [], validUntil: null }),
    ).toBe("curated");
    expect(
      certificationLabel({ level: null, status: "not-certified", reason: "", reasons: [], validUntil: null }),
    ).toBe("not-certified");
    expect(
      certificationLabel({ level: null, status: "not-evaluated", reason: "", reasons: [], validUntil: null }),
    ).toBe("not-evaluated");
  });
});
