import { describe, expect, it } from "vitest";
import { defaultProbeIntervalMs, probeIntervalMs } from "./slo-part.js";
import { defaultWindowDays, windowDaysFromEnv } from "./slo-service.js";

describe("QUANTA_PROBE_INTERVAL", () => {
  it("reads seconds or a duration, the default when unset", () => {
    expect(probeIntervalMs(undefined)).toBe(defaultProbeIntervalMs);
    expect(probeIntervalMs("")).toBe(defaultProbeIntervalMs);
    expect(probeIntervalMs("  ")).toBe(defaultProbeIntervalMs);
    expect(probeIntervalMs("300")).toBe(300_000);
    expect(probeIntervalMs("10")).toBe(10_000);
    expect(probeIntervalMs("5m")).toBe(300_000);
    expect(probeIntervalMs(" 1h ")).toBe(3_600_000);
    expect(probeIntervalMs("90s")).toBe(90_000);
    expect(probeIntervalMs("1.5m")).toBe(90_000);
  });

  it("refuses what is not a duration of at least 10 s, naming the variable and the value", () => {
    for (const raw of ["9", "9s", "0", "-5", "abc", "5 parsecs", "1e3", "5m30s", "Infinity", "0x10", "300;rm"])
      expect(() => probeIntervalMs(raw), raw).toThrow(
        `QUANTA_PROBE_INTERVAL must be a duration of at least 10 s (300, 5m), got "${raw}"`,
      );
  });
});

describe("QUANTA_SLO_WINDOW_DAYS", () => {
  it("reads whole days from 1 to 366, the default when unset", () => {
    expect(windowDaysFromEnv({})).toBe(defaultWindowDays);
    expect(windowDaysFromEnv({ QUANTA_SLO_WINDOW_DAYS: "" })).toBe(defaultWindowDays);
    expect(windowDaysFromEnv({ QUANTA_SLO_WINDOW_DAYS: "7" })).toBe(7);
    expect(windowDaysFromEnv({ QUANTA_SLO_WINDOW_DAYS: "366" })).toBe(366);
    for (const raw of ["0", "367", "1.5", "-3", "week", "1e9"])
      expect(() => windowDaysFromEnv({ QUANTA_SLO_WINDOW_DAYS: raw }), raw).toThrow(
        /QUANTA_SLO_WINDOW_DAYS must be a whole number/,
      );
  });
});
