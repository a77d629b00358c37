import type { Dirent } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Queryable } from "../storage/database.js";
import { ownerMayBeWriting, parseOwner } from "./file-owner.js";
import type { Lake } from "./lake.js";
import { versionFolderName } from "./port-version-store.js";

export interface LakeRecovery {
  /** Staged versions a stopped process left (`<product>/<port> v<n>`): now failed, their folders removed. */
  abandoned: string[];
  /** Folders removed: of those versions, and of failed versions a stop left on disk. */
  removed: string[];
  /** Version folders no version row names (a storage root opened with another store): left alone. */
  unknown: string[];
}

export interface LakeRecoveryOptions {
  /**
   * A staged version of a process this one cannot see (another replica sharing the root) is given
   * up once its writer has not touched it for this long; a dead process's on this host at once.
   */
  graceMs?: number;
  now?: number;
}

/** An upload touches its version every minute; one silent this long has no writer any more. */
export const defaultLakeGraceMs = 15 * 60_000;

async function dirs(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[])).filter((e) => e.isDirectory());
}

/**
 * Start-up recovery of the storage root after a stop (`kill -9`, power loss) in the middle of
 * writing a version: afterwards no staged version is left whose writer is gone, and no folder of a
 * version that never became current. Current and superseded versions are never touched, nor is a
 * folder no version names (it is reported: a root opened with the wrong store must not lose its
 * data). Safe while this process and other replicas write: this process's own staged versions are
 * kept, another host's until the grace period has passed since they were last touched, and
 * folders are listed before the store is asked, so a folder's row always exists by then.
 */
export async function recoverLake(db: Queryable, lake: Lake, options: LakeRecoveryOptions = {}): Promise<LakeRecovery> {
  const graceMs = options.graceMs ?? defaultLakeGraceMs;
  const now = options.now ?? Date.now();
  const result: LakeRecovery = { abandoned: [], removed: [], unknown: [] };
  const root = lake.root.path;
  const folders: string[] = [];
  for (const product of await dirs(root))
    for (const port of await dirs(join(root, product.name)))
      for (const v of await dirs(join(root, product.name, port.name)))
        if (versionFolderName.test(v.name)) folders.push(`${product.name}/${port.name}/${v.name}`);

  const removeFolder = async (folder: string) => {
    const path = lake.root.resolve(folder);
    await rm(path, { recursive: true, force: true });
    result.removed.push(path);
  };

  for (const v of await lake.versions.staged(db)) {
    const writing = ownerMayBeWriting(parseOwner(v.owner));
    const gone = writing === false || (writing === undefined && now - Date.parse(v.touchedAt) > graceMs);
    if (!gone) continue;
    const why =
      writing === false
        ? `abandoned: the process writing it (${v.owner}) stopped before it finished`
        : `abandoned: its writer (${v.owner}) was silent for more than ${Math.round(graceMs / 60_000)} minutes`;
    if (!(await lake.versions.fail(db, v.id, why))) continue; // made current or given up meanwhile
    result.abandoned.push(`${v.productId}/${v.port} v${v.version}`);
    if (folders.includes(v.folder)) await removeFolder(v.folder);
  }

  const rows = new Map((await lake.versions.byFolders(db, folders)).map((v) => [v.folder, v]));
  for (const folder of folders) {
    const row = rows.get(folder);
    if (!row) result.unknown.push(lake.root.resolve(folder));
    else if (row.state === "failed" && !result.removed.includes(lake.root.resolve(folder))) await removeFolder(folder);
  }
  return result;
}
