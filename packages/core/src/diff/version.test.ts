import { describe, expect, it } from "vitest";
import { announcedSeverity, requiredBump, suggestVersion, versionSatisfies } from "./version.js";

describe("suggestVersion", () => {
  it.each([
    ["1.2.3", "none", "1.2.3"],
    ["1.2.3", "patch", "1.2.4"],
    ["1.2.3", "minor", "1.3.0"],
    ["1.2.3", "major", "2.0.0"],
    // 0.x: everything shifts down one place.
    ["0.3.1", "patch", "0.3.2"],
    ["0.3.1", "minor", "0.3.2"],
    ["0.3.1", "major", "0.4.0"],
    ["0.0.1", "major", "0.1.0"],
    ["v1.0.0", "minor", "1.1.0"],
    ["2.0.0-rc.1", "patch", "2.0.0"],
    ["one", "major", undefined],
    ["1.2", "minor", undefined],
  ] as const)("%s + %s → %s", (from, severity, next) => {
    expect(suggestVersion(from, severity)).toBe(next);
  });

  it("requiredBump applies the pre-1.0 rule", () => {
    expect(requiredBump("0.9.9", "major")).toBe("minor");
    expect(requiredBump("0.9.9", "minor")).toBe("patch");
    expect(requiredBump("1.0.0", "minor")).toBe("minor");
  });
});

describe("versionSatisfies", () => {
  it.each([
    // [previous, current, severity, ok]
    ["1.2.3", "1.2.3", "none", true],
    ["1.2.3", "1.2.3", "patch", false],
    ["1.2.3", "1.2.4", "patch", true],
    ["1.2.3", "1.2.4", "minor", false],
    ["1.2.3", "1.3.0", "minor", true],
    ["1.2.3", "1.3.0", "major", false],
    ["1.2.3", "2.0.0", "major", true],
    ["1.2.3", "2.0.0", "patch", true],
    ["1.2.3", "1.2.2", "patch", false],
    ["1.2.3", "1.2.2", "none", false],
    // 0.x: a minor bump announces a major change, a patch bump a minor one.
    ["0.3.1", "0.3.2", "minor", true],
    ["0.3.1", "0.3.2", "major", false],
    ["0.3.1", "0.4.0", "major", true],
    ["0.3.1", "1.0.0", "major", true],
    ["0.3.1", "0.3.2", "patch", true],
    // pre-releases: a tag change alone announces a patch.
    ["2.0.0-rc.1", "2.0.0-rc.2", "patch", true],
    ["2.0.0-rc.1", "2.0.0-rc.2", "minor", false],
    ["1.9.0", "2.0.0-rc.1", "major", true],
    // ODPS's own example writes v1.0.0: the prefix is dropped.
    ["v1.0.0", "v1.1.0", "minor", true],
    ["v1.0.0", "v1.0.1", "minor", false],
    ["v1.0.0", "2.0.0", "major", true],
    // not semver: never ok.
    ["latest", "1.0.0", "patch", false],
    ["1.0.0", "next", "patch", false],
  ] as const)("%s → %s for %s: %s", (from, to, severity, ok) => {
    expect(versionSatisfies(from, to, severity)).toBe(ok);
  });

  it("announcedSeverity is undefined for downgrades and non-semver", () => {
    expect(announcedSeverity("2.0.0", "1.9.9")).toBeUndefined();
    expect(announcedSeverity("x", "1.0.0")).toBeUndefined();
    expect(announcedSeverity("1.0.0", "1.0.0")).toBe("none");
  });
});
