import { mkdir, rm } from "node:fs/promises";
import { dirname, join, sep } from "node:path";
import { InputError } from "@quanta/core";
import type { Database, Queryable } from "../storage/database.js";
import {
  type CurrentVersion,
  type PortVersion,
  PortVersionStore,
  segment,
  type VersionSource,
} from "./port-version-store.js";
import type { StorageRoot } from "./storage-root.js";

/** A version being written: its row (staged) and its folder on disk. */
export interface StagedVersion {
  row: PortVersion;
  /** The version's own folder, absolute. */
  dir: string;
}

/**
 * The storage Quanta owns: port versions written aside into their own folders under the storage
 * root and made current in one metadata transaction (see PortVersionStore.makeCurrent). Files of a
 * version are never rewritten; a later version lists the files it keeps from earlier ones.
 */
export class Lake {
  readonly versions: PortVersionStore;

  constructor(readonly root: StorageRoot) {
    this.versions = new PortVersionStore(root);
  }

  /** A new staged version of the port and its (empty) folder. */
  async stage(
    db: Database,
    input: { productId: string; port: string; source: VersionSource; createdBy: string | null },
  ): Promise<StagedVersion> {
    const row = await this.versions.stage(db, input);
    const dir = this.root.resolve(row.folder);
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      await this.versions.fail(db, row.id, `its folder could not be made: ${(e as Error).message}`);
      throw e;
    }
    return { row, dir };
  }

  /**
   * Where a staged version keeps a file of one dataset (the dataset's folder is made). The name is
   * one path segment of plain characters (a contract's `physicalName` may hold `..`, `/` or glob
   * characters): nothing a version writes can land outside its own folder.
   */
  async file(staged: StagedVersion, dataset: string, name: string): Promise<string> {
    const path = join(staged.dir, segment(dataset), segment(name));
    if (!path.startsWith(`${staged.dir}${sep}`))
      throw new InputError(`${name} is not a file name`, { code: "invalid-name" });
    await mkdir(dirname(path), { recursive: true });
    return path;
  }

  /** Gives a staged version up: `failed` with the reason, its files removed. Never throws. */
  async discard(db: Queryable, staged: StagedVersion, reason: string): Promise<void> {
    await this.versions.fail(db, staged.row.id, reason).catch(() => false);
    await rm(staged.dir, { recursive: true, force: true }).catch(() => {});
  }

  current(q: Queryable, productId: string, port: string): Promise<CurrentVersion | undefined> {
    return this.versions.current(q, productId, port);
  }

  /** A file of a version as its row stores it: relative to the root. */
  relative(abs: string): string {
    return this.root.relative(abs);
  }
}
