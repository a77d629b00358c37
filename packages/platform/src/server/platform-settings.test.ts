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

  it("reads the storage root and the largest upload, with binary units", () => {
    expect(platformSettingsFromEnv({ QUANTA_STORAGE_ROOT: " /mnt/lake ", QUANTA_MAX_UPLOAD_BYTES: "512 MiB" })).toEqual(
      {
        testLimits: {},
        storageRoot: "/mnt/lake",
        maxUploadBytes: 512 * 1024 ** 2,
      },
    );
    expect(platformSettingsFromEnv({ QUANTA_MAX_UPLOAD_BYTES: "10GiB" }).maxUploadBytes).toBe(10 * 1024 ** 3);
    expect(platformSettingsFromEnv({ QUANTA_MAX_UPLOAD_BYTES: "1000" }).maxUploadBytes).toBe(1000);
    for (const bad of ["0", "ten", "1.5 GiB", "10 GB"])
      expect(() => platformSettingsFromEnv({ QUANTA_MAX_UPLOAD_BYTES: bad })).toThrow(
        `QUANTA_MAX_UPLOAD_BYTES must be a size in bytes, at least 1, such as 10737418240 or 10 GiB (got "${bad}")`,
      );
  });

  it("reads the data roots and the environment whose servers are read, refusing malformed ones", () => {
    expect(
      platformSettingsFromEnv({ QUANTA_DATA_ROOTS: "/mnt/lake: /srv/exports ", QUANTA_ENVIRONMENT: "prod" }),
    ).toEqual({
      testLimits: {},
      dataRoots: ["/mnt/lake", "/srv/exports"],
      environment: "prod",
    });
    expect(() => platformSettingsFromEnv({ QUANTA_DATA_ROOTS: "lake" })).toThrow(
      'QUANTA_DATA_ROOTS must list absolute folders, not "lake"',
    );
    expect(() => platformSettingsFromEnv({ QUANTA_ENVIRONMENT: "Prod EU" })).toThrow("QUANTA_ENVIRONMENT must be");
  });

  it("refuses what is not a positive whole number, naming the variable", () => {
    for (const bad of ["0", "-5", "1.5", "30s", "1e3"]) {
      expect(() => platformSettingsFromEnv({ QUANTA_CHECK_TIMEOUT_MS: bad })).toThrow(
        `QUANTA_CHECK_TIMEOUT_MS must be a whole number of milliseconds, at least 1 (got "${bad}")`,
      );
    }
  });
});
