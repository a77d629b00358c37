import { describe, expect, it } from "vitest";
import { portsWithVersions, versionLine } from "./data-versions.js";

const version = (n: number, state: "current" | "superseded" | "failed" = "current") => ({
  version: n,
  state,
  source: "publish" as const,
  createdAt: "2026-12-03T09:00:00.000Z",
  currentAt: state === "failed" ? null : "2026-12-03T09:01:00.000Z",
  createdBy: "ada@example.com",
  rows: 12_345,
  bytes: 2_500_000,
  datasets: [],
  reason: state === "failed" ? "the data does not meet contract x" : null,
});

describe("data versions", () => {
  it("says which version, how it came, how much and when", () => {
    expect(versionLine(version(3))).toBe(
      `version 3 · published with the product · ${(12_345).toLocaleString()} rows · 2.5 MB · ${new Date("2026-12-03T09:01:00.000Z").toLocaleString()}`,
    );
  });

  it("lists only ports with versions, those with a current one first; older answers have none", () => {
    const o = {
      data: [
        { port: "raw", direction: "input", current: null, history: [version(1, "failed")] },
        { port: "none", direction: "output", current: null, history: [] },
        { port: "readings", direction: "output", current: version(2), history: [version(2), version(1, "superseded")] },
      ],
    };
    expect(portsWithVersions(o).map((p) => p.port)).toEqual(["readings", "raw"]);
    expect(portsWithVersions({})).toEqual([]);
  });
});
