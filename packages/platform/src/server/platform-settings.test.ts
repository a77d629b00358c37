import { describe, expect, it } from "vitest";
import { platformSettingsFromEnv } from "./platform-settings.js";

describe("platform settings from the environment", () => {
  it("keeps the defaults for what is not set, and takes whole milliseconds", () => {
    expect(platformSettingsFromEnv({})).toEqual({ testLimits: {} });
    expect(
      platformSettingsFromEnv({
        QUANTA_CHECK_TIMEOUT_MS: "200",
        QUANTA_TEST_RUN_TIMEOUT_MS: " 60000 ",
        QUANTA_SHUTDOWN_TIMEOUT_MS: "3000",
      }),
    ).toEqual({ testLimits: { checkTimeoutMs: 200, runTimeoutMs: 60_000 }, shutdownTimeoutMs: 3_000 });
  });

  it("refuses what is not a positive whole number, naming the variable", () => {
    for (const bad of ["0", "-5", "1.5", "30s", "1e3"]) {
      expect(() => platformSettingsFromEnv({ QUANTA_CHECK_TIMEOUT_MS: bad })).toThrow(
        `QUANTA_CHECK_TIMEOUT_MS must be a whole number of milliseconds, at least 1 (got "${bad}")`,
      );
    }
  });
});
