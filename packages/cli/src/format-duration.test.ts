import { describe, expect, it } from "vitest";
import { formatDuration, formatSeconds } from "./format-duration.js";

describe("formatDuration", () => {
  it("shows the largest unit and the next, rounded", () => {
    expect(
      [0, 120, 999.6, 2_340, 9_960, 42_400, 59_600, 65_000, 3_599_700, 86_400_000, 273_600_000, 7 * 31_536_000_000].map(
        formatDuration,
      ),
    ).toEqual(["0 ms", "120 ms", "1 s", "2.3 s", "10 s", "42 s", "1 min", "1 min 5 s", "1 h", "1 d", "3 d 4 h", "7 y"]);
  });

  it("reads the seconds SLA checks measure", () => {
    expect(formatSeconds(5889.338958024979)).toBe("1 h 38 min");
    expect(formatSeconds(-3)).toBe("-3 s");
  });
});
