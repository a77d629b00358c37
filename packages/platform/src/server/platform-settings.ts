import { InputError } from "@quanta/core";
import type { PlatformOptions } from "./start-platform.js";

type Env = Readonly<Record<string, string | undefined>>;

function milliseconds(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || !Number.isSafeInteger(n))
    throw new InputError(`${name} must be a whole number of milliseconds, at least 1 (got ${JSON.stringify(raw)})`);
  return n;
}

/**
 * The platform's time limits from the environment (docs/operations.md); unset ones keep their
 * defaults: `QUANTA_CHECK_TIMEOUT_MS` each statement of a contract test (30 s),
 * `QUANTA_TEST_RUN_TIMEOUT_MS` a whole run (5 min), `QUANTA_SHUTDOWN_TIMEOUT_MS` stopping (10 s).
 */
export function platformSettingsFromEnv(env: Env): Pick<PlatformOptions, "testLimits" | "shutdownTimeoutMs"> {
  const checkTimeoutMs = milliseconds(env, "QUANTA_CHECK_TIMEOUT_MS");
  const runTimeoutMs = milliseconds(env, "QUANTA_TEST_RUN_TIMEOUT_MS");
  const shutdownTimeoutMs = milliseconds(env, "QUANTA_SHUTDOWN_TIMEOUT_MS");
  return {
    testLimits: {
      ...(checkTimeoutMs !== undefined ? { checkTimeoutMs } : {}),
      ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}),
    },
    ...(shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs } : {}),
  };
}
