import { delimiter, isAbsolute } from "node:path";
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

/** A size in bytes: a whole number, or one with a binary unit (`512 MiB`, `10 GiB`). */
function bytes(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const units: Record<string, number> = { "": 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw);
  const unit = m ? units[(m[2] ?? "").toLowerCase()] : undefined;
  const n = m && unit ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InputError(
      `${name} must be a size in bytes, at least 1, such as 10737418240 or 10 GiB (got ${JSON.stringify(raw)})`,
    );
  return n;
}

/**
 * The platform's time limits from the environment (docs/operations.md); unset ones keep their
 * defaults: `QUANTA_CHECK_TIMEOUT_MS` each statement of a contract test (30 s),
 * `QUANTA_TEST_RUN_TIMEOUT_MS` a whole run (5 min), `QUANTA_SHUTDOWN_TIMEOUT_MS` stopping (10 s);
 * and the storage it owns: `QUANTA_STORAGE_ROOT` (default `<data dir>/lake`) and
 * `QUANTA_MAX_UPLOAD_BYTES`, the largest data file a port's upload takes (10 GiB); where contract
 * servers may point: `QUANTA_DATA_ROOTS` (folders beside the product folders, separated by `:`)
 * and `QUANTA_ENVIRONMENT` (whose servers are read first, e.g. `prod`).
 */
export function platformSettingsFromEnv(
  env: Env,
): Pick<
  PlatformOptions,
  "testLimits" | "shutdownTimeoutMs" | "storageRoot" | "maxUploadBytes" | "dataRoots" | "environment"
> {
  const dataRoots = (env.QUANTA_DATA_ROOTS ?? "")
    .split(delimiter)
    .map((r) => r.trim())
    .filter((r) => r !== "");
  for (const root of dataRoots) {
    if (!isAbsolute(root))
      throw new InputError(`QUANTA_DATA_ROOTS must list absolute folders, not ${JSON.stringify(root)}`);
  }
  const environment = env.QUANTA_ENVIRONMENT?.trim() || undefined;
  if (environment !== undefined && !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(environment))
    throw new InputError(
      `QUANTA_ENVIRONMENT must be lower-case letters, digits, - and _ (e.g. prod), not ${JSON.stringify(environment)}`,
    );
  const maxUploadBytes = bytes(env, "QUANTA_MAX_UPLOAD_BYTES");
  const storageRoot = env.QUANTA_STORAGE_ROOT?.trim() || undefined;
  const checkTimeoutMs = milliseconds(env, "QUANTA_CHECK_TIMEOUT_MS");
  const runTimeoutMs = milliseconds(env, "QUANTA_TEST_RUN_TIMEOUT_MS");
  const shutdownTimeoutMs = milliseconds(env, "QUANTA_SHUTDOWN_TIMEOUT_MS");
  return {
    testLimits: {
      ...(checkTimeoutMs !== undefined ? { checkTimeoutMs } : {}),
      ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}),
    },
    ...(shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs } : {}),
    ...(storageRoot !== undefined ? { storageRoot } : {}),
    ...(maxUploadBytes !== undefined ? { maxUploadBytes } : {}),
    ...(dataRoots.length > 0 ? { dataRoots } : {}),
    ...(environment !== undefined ? { environment } : {}),
  };
}
