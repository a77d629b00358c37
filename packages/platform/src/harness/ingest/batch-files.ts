import { randomUUID } from "node:crypto";
import { readdir, rename, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { type DataLocator, safeName } from "../data-locator.js";

/**
 * How ingest names its files, so that a reader globbing a dataset folder (`*.parquet`) only ever
 * sees committed batches, and start-up recovery can tell every file's state from its name alone:
 *
 * - `.incoming-<owner>-<uuid>.parquet.tmp` (and `.ndjson.tmp`): being written, before the batch's
 *   transaction;
 * - `.batch-<id>-<owner>.parquet.tmp`: renamed inside the transaction of batch `<id>`, not yet
 *   known to be committed;
 * - `batch-<id>.parquet`: renamed only after the commit, so it always has its batch row;
 * - `<tmp>/ingest-<owner>-XXXXXX/`: an uploaded CSV or Parquet file while DuckDB reads it.
 *
 * `<owner>` names the process (host, pid and start time), so recovery never removes what a live
 * process on this host is writing, and leaves another host's recent files to the grace period.
 */
export interface FileOwner {
  host: string;
  pid: number;
  started: number;
}

export const thisProcess: FileOwner = {
  host: hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host",
  pid: process.pid,
  started: Math.round(performance.timeOrigin),
};

const ownerTag = (o: FileOwner) => `${o.host}_${o.pid}_${o.started}`;
const uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** File name → what the file is (named groups: the batch `id`, the `owner`). */
export const ingestNames = {
  batch: /^batch-(?<id>\d{8,})\.parquet$/,
  pending: /^\.batch-(?<id>\d{8,})-(?<owner>.+)\.parquet\.tmp$/,
  incoming: new RegExp(`^\\.incoming-(?<owner>.+)-${uuid}\\.(parquet|ndjson)\\.tmp$`),
  /** Left by Quanta before file owners (0.1): the temp Parquet file and the NDJSON beside it. */
  legacyIncoming: new RegExp(`^(\\.incoming-${uuid}\\.parquet|${uuid}\\.ndjson)$`),
  uploadDir: /^ingest-(?:(?<owner>.+)-)?[A-Za-z0-9]{6}$/,
} as const;

export function parseOwner(tag: string | undefined): FileOwner | undefined {
  const m = tag === undefined ? null : /^(.+)_(\d+)_(\d+)$/.exec(tag);
  return m ? { host: m[1] as string, pid: Number(m[2]), started: Number(m[3]) } : undefined;
}

export const batchName = (id: number) => `batch-${String(id).padStart(8, "0")}.parquet`;
export const pendingName = (id: number, owner = thisProcess) =>
  `.batch-${String(id).padStart(8, "0")}-${ownerTag(owner)}.parquet.tmp`;
export const incomingName = (ext: "parquet" | "ndjson", owner = thisProcess) =>
  `.incoming-${ownerTag(owner)}-${randomUUID()}.${ext}.tmp`;
/** The `mkdtemp` prefix of an upload's folder in the temp dir. */
export const uploadDirPrefix = (owner = thisProcess) => `ingest-${ownerTag(owner)}-`;

/** The folder of one dataset's batches. */
export function datasetDir(locator: DataLocator, productId: string, port: string, dataset: string): string {
  return join(locator.ingestDir(productId, port), datasetSegment(dataset));
}

export const datasetSegment = (dataset: string) => safeName(dataset.replace(/[^A-Za-z0-9._-]/g, "_"));

/**
 * Moves a committed batch's file to its final name. Safe to run twice or from two processes at
 * once (the request that committed it, a retry answered from its idempotency key, start-up
 * recovery): whoever comes second finds the final file there and is done. False when neither the
 * final nor a pending file exists.
 */
export async function completeBatch(dir: string, id: number): Promise<boolean> {
  const final = join(dir, batchName(id));
  if (await exists(final)) return true;
  const prefix = `.batch-${String(id).padStart(8, "0")}-`;
  const pending = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.startsWith(prefix) && ingestNames.pending.test(n),
  );
  for (const name of pending) {
    try {
      await rename(join(dir, name), final);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return exists(final);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Whether the process that owns a temporary file may still be writing it: true for this process,
 * false for a dead process on this host (or this pid from an earlier start, as in a restarted
 * container), undefined when nobody can tell (another host, a live pid that may have been reused):
 * then the file's age decides.
 */
export function ownerMayBeWriting(owner: FileOwner | undefined): boolean | undefined {
  if (owner === undefined || owner.host !== thisProcess.host) return undefined;
  if (owner.pid === thisProcess.pid) return owner.started === thisProcess.started;
  try {
    process.kill(owner.pid, 0);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? undefined : false;
  }
}
