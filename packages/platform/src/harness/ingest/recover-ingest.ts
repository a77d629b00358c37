import type { Dirent } from "node:fs";
import { lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Queryable } from "../../storage/database.js";
import type { DataLocator } from "../data-locator.js";
import { batchName, completeBatch, datasetDir, ingestNames, ownerMayBeWriting, parseOwner } from "./batch-files.js";

export interface IngestRecovery {
  /** Committed batches whose file was still pending (a stop between commit and rename): now in place. */
  completed: string[];
  /**
   * `batch-*.parquet` files no committed batch owns (a stop before the commit, with Quanta 0.1's
   * rename-then-commit): moved out of the dataset folder to `<data dir>/ingest-orphans/`, not
   * deleted, since a data dir opened with the wrong store would otherwise lose every batch.
   */
  orphaned: string[];
  /** Temporary files and upload folders that nobody is writing any more: deleted. */
  removed: string[];
  /** Committed batches with accepted rows whose file is neither in place nor pending. */
  missing: number[];
}

export interface IngestRecoveryOptions {
  /**
   * Temporary files of a process this one cannot see (another replica sharing the data dir) are
   * left alone until they are this old; files of dead processes on this host go at once.
   */
  graceMs?: number;
  now?: number;
}

/** An ingest request never takes this long; a temp file older than this has been abandoned. */
export const defaultRecoveryGraceMs = 15 * 60_000;

interface DatasetFolder {
  dir: string;
  batches: Map<number, string>;
  pending: Map<number, string[]>;
  temps: { name: string; owner: string | undefined }[];
}

async function dirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
}

/** Every dataset folder under `<data dir>/ingest/<product>/<port>/`, and Quanta's files in it. */
async function scan(root: string): Promise<DatasetFolder[]> {
  const folders: DatasetFolder[] = [];
  for (const product of await dirs(root))
    for (const port of await dirs(product))
      for (const dir of await dirs(port)) {
        const folder: DatasetFolder = { dir, batches: new Map(), pending: new Map(), temps: [] };
        for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[])) {
          if (!e.isFile()) continue; // symlinks and folders are not Quanta's
          const batch = ingestNames.batch.exec(e.name);
          const pending = ingestNames.pending.exec(e.name);
          if (batch) folder.batches.set(Number(batch.groups?.id), e.name);
          else if (pending) {
            const id = Number(pending.groups?.id);
            folder.pending.set(id, [...(folder.pending.get(id) ?? []), e.name]);
          } else {
            const incoming = ingestNames.incoming.exec(e.name);
            if (incoming) folder.temps.push({ name: e.name, owner: incoming.groups?.owner });
            else if (ingestNames.legacyIncoming.test(e.name)) folder.temps.push({ name: e.name, owner: undefined });
          }
        }
        folders.push(folder);
      }
  return folders;
}

/**
 * Start-up recovery of the ingest folder a Quanta before port versions wrote (batches are now
 * versions in the storage root, recovered by lake/recover-lake.ts), after a crash (`kill -9`, power
 * loss): afterwards the `batch-*.parquet` files of every dataset folder are exactly its committed
 * batches. Committed
 * batches left pending are completed, files no committed batch owns are moved aside, abandoned
 * temporary files and upload folders are deleted. Only names Quanta writes are touched, only under
 * `<data dir>/ingest/` and upload folders in `<data dir>/tmp/`. Safe while this process ingests:
 * folders are listed before the store is asked, and this process's own temporary files are kept.
 */
export async function recoverIngest(
  db: Queryable,
  locator: DataLocator,
  options: IngestRecoveryOptions = {},
): Promise<IngestRecovery> {
  const graceMs = options.graceMs ?? defaultRecoveryGraceMs;
  const now = options.now ?? Date.now();
  const result: IngestRecovery = { completed: [], orphaned: [], removed: [], missing: [] };
  const root = join(locator.dataDir, "ingest");
  const folders = await scan(root);

  /**
   * A name without an owner is Quanta 0.1's, which renamed its file into place inside the
   * transaction: what is left was left by a stop (a 0.1 replica still writing one during a rolling
   * upgrade fails that one request, rolled back). With an owner: see ownerMayBeWriting.
   */
  const abandoned = async (path: string, owner: string | undefined) => {
    if (owner === undefined) return true;
    const writing = ownerMayBeWriting(parseOwner(owner));
    if (writing !== undefined) return !writing;
    const info = await lstat(path).catch(() => undefined);
    return info !== undefined && now - info.mtimeMs > graceMs;
  };
  const remove = async (path: string, owner: string | undefined) => {
    if (!(await abandoned(path, owner))) return;
    await rm(path, { recursive: true, force: true });
    result.removed.push(path);
  };

  // Listed first, asked second: a batch renamed to its final name was committed before the listing.
  const ids = [...new Set(folders.flatMap((f) => [...f.batches.keys(), ...f.pending.keys()]))];
  const owners = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 10_000) {
    const { rows } = await db.query<{ id: number; product_id: string; port: string; dataset: string }>(
      `SELECT id, product_id, port, dataset FROM ingest_batches
       WHERE file IS NOT NULL AND port_version IS NULL AND id IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint)`,
      [JSON.stringify(ids.slice(i, i + 10_000))],
    );
    for (const r of rows) owners.set(Number(r.id), datasetDir(locator, r.product_id, r.port, r.dataset));
  }

  for (const folder of folders) {
    for (const [id, names] of folder.pending) {
      if (owners.get(id) === folder.dir) {
        if (await completeBatch(folder.dir, id)) {
          result.completed.push(join(folder.dir, batchName(id)));
          folder.batches.set(id, batchName(id));
        }
        // What is left is a second copy: the final file is in place.
        for (const name of names) {
          const path = join(folder.dir, name);
          if (!(await lstat(path).catch(() => undefined))) continue;
          await rm(path, { force: true });
          result.removed.push(path);
        }
      } else {
        for (const name of names)
          await remove(join(folder.dir, name), ingestNames.pending.exec(name)?.groups?.owner ?? "");
      }
    }
    for (const [id, name] of folder.batches) {
      if (owners.get(id) === folder.dir) continue;
      const target = join(locator.dataDir, "ingest-orphans", folder.dir.slice(root.length + 1));
      await mkdir(target, { recursive: true });
      const to = join(target, (await lstat(join(target, name)).catch(() => undefined)) ? `${now}-${name}` : name);
      await rename(join(folder.dir, name), to);
      folder.batches.delete(id);
      result.orphaned.push(join(folder.dir, name));
    }
    for (const temp of folder.temps) await remove(join(folder.dir, temp.name), temp.owner);
  }

  const uploads = await readdir(locator.tempDir(), { withFileTypes: true }).catch(() => [] as Dirent[]);
  for (const e of uploads) {
    const m = e.isDirectory() ? ingestNames.uploadDir.exec(e.name) : null;
    if (m) await remove(join(locator.tempDir(), e.name), m.groups?.owner);
  }

  result.missing = await missingBatches(db, locator, folders);
  return result;
}

/** Committed batches with a file whose dataset folder does not hold it. */
async function missingBatches(db: Queryable, locator: DataLocator, folders: DatasetFolder[]): Promise<number[]> {
  const present = new Map(folders.map((f) => [f.dir, new Set(f.batches.keys())]));
  const { rows } = await db.query<{ product_id: string; port: string; dataset: string; n: number }>(
    `SELECT product_id, port, dataset, count(*)::int AS n FROM ingest_batches
     WHERE file IS NOT NULL AND port_version IS NULL GROUP BY product_id, port, dataset`,
  );
  const missing: number[] = [];
  for (const key of rows) {
    const have = present.get(datasetDir(locator, key.product_id, key.port, key.dataset)) ?? new Set<number>();
    if (have.size >= key.n) continue;
    const { rows: batches } = await db.query<{ id: number }>(
      "SELECT id FROM ingest_batches WHERE product_id = $1 AND port = $2 AND dataset = $3 AND file IS NOT NULL AND port_version IS NULL",
      [key.product_id, key.port, key.dataset],
    );
    for (const b of batches) if (!have.has(Number(b.id))) missing.push(Number(b.id));
  }
  return missing.sort((a, b) => a - b);
}
