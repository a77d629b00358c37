import { randomUUID } from "node:crypto";
import { readdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { ownerTag, thisProcess } from "../../lake/file-owner.js";
import { type DataLocator, safeName } from "../data-locator.js";

/**
 * How ingest named its files before port versions (ADR 0021), under `<data dir>/ingest/`: start-up
 * recovery (recover-ingest.ts) still completes or removes what such a Quanta left behind. Batches
 * are now files of port versions in the storage root (`batch-<id>.parquet`, and
 * `batch-<id>.quarantine.ndjson` beside it when rows were quarantined; see lake/).
 *
 * - `.incoming-<owner>-<uuid>.parquet.tmp` (and `.ndjson.tmp`): being written, before the batch's
 *   transaction;
 * - `.batch-<id>-<owner>.parquet.tmp`: renamed inside the transaction of batch `<id>`, not yet
 *   known to be committed;
 * - `batch-<id>.parquet`: renamed only after the commit, so it always has its batch row;
 * - `<tmp>/ingest-<owner>-XXXXXX/`: an uploaded CSV or Parquet file while DuckDB reads it (still
 *   how uploads are read).
 *
 * `<owner>` names the process (host, pid and start time), so recovery never removes what a live
 * process on this host is writing, and leaves another host's recent files to the grace period.
 */
export { type FileOwner, ownerMayBeWriting, parseOwner, thisProcess } from "../../lake/file-owner.js";

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

export const batchName = (id: number) => `batch-${String(id).padStart(8, "0")}.parquet`;
/** The quarantined rows of a batch, kept beside its file: one JSON line each (row, reasons, record). */
export const quarantineName = (id: number) => `batch-${String(id).padStart(8, "0")}.quarantine.ndjson`;
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
