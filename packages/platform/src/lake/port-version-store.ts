import { randomBytes } from "node:crypto";
import { ConflictError } from "@quanta/core";
import type { Database, Queryable } from "../storage/database.js";
import { ownerTag, thisProcess } from "./file-owner.js";
import type { StorageRoot } from "./storage-root.js";

export type VersionState = "staged" | "current" | "superseded" | "failed" | "expired";
export type VersionSource = "publish" | "ingest" | "pipeline" | "rollback" | "retention";

/** One dataset of a version as stored: its files relative to the storage root. */
export interface StoredDataset {
  name: string;
  format: string;
  files: string[];
  rows: number;
  bytes: number;
}

/** One dataset of a version as a reader needs it: absolute paths. */
export interface VersionDataset extends Omit<StoredDataset, "files"> {
  files: string[];
}

export interface PortVersion {
  id: number;
  productId: string;
  port: string;
  version: number;
  state: VersionState;
  /** The version's own folder, relative to the storage root. */
  folder: string;
  datasets: StoredDataset[];
  source: VersionSource;
  createdBy: string | null;
  /** The process writing it while staged (host_pid_start). */
  owner: string;
  /** Why it failed. */
  reason: string | null;
  createdAt: string;
  /** When its writer last said it is still writing (staged versions). */
  touchedAt: string;
  currentAt: string | null;
}

/** The version a read of the port serves. */
export interface CurrentVersion {
  version: number;
  createdAt: string;
  currentAt: string;
  source: VersionSource;
  datasets: VersionDataset[];
}

/** A version as discover and observe list it. */
export interface VersionSummary {
  version: number;
  state: VersionState;
  source: VersionSource;
  createdAt: string;
  currentAt: string | null;
  createdBy: string | null;
  rows: number;
  bytes: number;
  datasets: { name: string; format: string; files: number; rows: number; bytes: number }[];
  reason: string | null;
}

/** A newer version of the port became current while this one was staged. */
export class VersionRaced extends ConflictError {}

const columns = `id, product_id AS "productId", port, version, state, folder, datasets, source,
  created_by AS "createdBy", owner, reason, created_at AS "createdAt", touched_at AS "touchedAt",
  current_at AS "currentAt"`;

/** Serializes the switches of one port (and the numbering of its versions) across replicas. */
const lockPort = (q: Queryable, productId: string, port: string) =>
  q.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 23))", [productId, port]);

/** A product or port id as one path segment: nothing that could climb out of the root. */
export function segment(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._-]/g, "_");
  return cleaned === "." || cleaned === ".." || cleaned === "" ? `_${cleaned}` : cleaned;
}

/** A version's folder name: `v<version>-<random>`, so a version number reused never meets old files. */
export const versionFolderName = /^v(?<version>\d+)-[0-9a-z]{8}$/;

function summaryOf(v: PortVersion): VersionSummary {
  return {
    version: v.version,
    state: v.state,
    source: v.source,
    createdAt: v.createdAt,
    currentAt: v.currentAt,
    createdBy: v.createdBy,
    rows: v.datasets.reduce((n, d) => n + d.rows, 0),
    bytes: v.datasets.reduce((n, d) => n + d.bytes, 0),
    datasets: v.datasets.map((d) => ({
      name: d.name,
      format: d.format,
      files: d.files.length,
      rows: d.rows,
      bytes: d.bytes,
    })),
    reason: v.reason,
  };
}

/**
 * The `port_versions` table (migration 23): the versions of each port's data in the storage root.
 * Every method takes the `Queryable` to run on, so a caller's transaction (an ingested batch and
 * the version it creates) holds them together.
 */
export class PortVersionStore {
  constructor(readonly root: StorageRoot) {}

  /**
   * A new version, `staged`, numbered after every version of the port so far, with its own folder
   * (not yet created). Nothing reads it until `makeCurrent`.
   */
  async stage(
    db: Database,
    input: { productId: string; port: string; source: VersionSource; createdBy: string | null },
  ): Promise<PortVersion> {
    const random = randomBytes(5).readUIntBE(0, 5).toString(36).padStart(8, "0").slice(-8);
    return db.transaction(async (tx) => {
      await lockPort(tx, input.productId, input.port);
      const { rows } = await tx.query<PortVersion>(
        `INSERT INTO port_versions (product_id, port, version, folder, source, created_by, owner)
         SELECT $1, $2, n, $3 || '/v' || n || '-' || $4, $5, $6, $7
         FROM (SELECT COALESCE(max(version), 0) + 1 AS n FROM port_versions WHERE product_id = $1 AND port = $2) next
         RETURNING ${columns}`,
        [
          input.productId,
          input.port,
          `${segment(input.productId)}/${segment(input.port)}`,
          random,
          input.source,
          input.createdBy,
          ownerTag(thisProcess),
        ],
      );
      return rows[0] as PortVersion;
    });
  }

  /**
   * Makes a staged version current with the datasets `compose` gives from the current version's
   * (publish replaces a dataset, ingest appends a file to one), and supersedes that one, in the
   * caller's transaction: a reader sees the old version or the new one, never part of either.
   * `VersionRaced` when a version staged after this one is current already (this one would
   * undo it); `ConflictError` when the version is no longer staged (recovery gave it up).
   */
  async makeCurrent(
    tx: Queryable,
    staged: Pick<PortVersion, "id" | "productId" | "port" | "version">,
    compose: (current: readonly StoredDataset[]) => StoredDataset[],
  ): Promise<{ version: number; previous: number | null; datasets: StoredDataset[] }> {
    await lockPort(tx, staged.productId, staged.port);
    const { rows } = await tx.query<{ id: number; version: number; datasets: StoredDataset[] }>(
      "SELECT id, version, datasets FROM port_versions WHERE product_id = $1 AND port = $2 AND state = 'current'",
      [staged.productId, staged.port],
    );
    const previous = rows[0];
    if (previous && previous.version > staged.version) {
      throw new VersionRaced(
        `version ${previous.version} of port "${staged.port}" became current while version ${staged.version} was written; nothing of version ${staged.version} was made current`,
        { code: "version-raced", details: { current: previous.version, staged: staged.version } },
      );
    }
    const datasets = compose(previous?.datasets ?? []);
    if (previous) await tx.query("UPDATE port_versions SET state = 'superseded' WHERE id = $1", [previous.id]);
    const made = await tx.query(
      "UPDATE port_versions SET state = 'current', current_at = now(), datasets = $2::jsonb WHERE id = $1 AND state = 'staged'",
      [staged.id, JSON.stringify(datasets)],
    );
    if (made.rowCount !== 1) {
      throw new ConflictError(
        `version ${staged.version} of port "${staged.port}" is no longer staged (start-up recovery gave it up); upload again`,
        { code: "version-abandoned" },
      );
    }
    // Data landed: its contract is tested right away (the test's job commits with the version).
    await tx.query(
      `INSERT INTO jobs (kind, key, payload)
       SELECT 'contract-test', $3, jsonb_build_object('productId', $1::text, 'port', $2::text, 'trigger', 'landed', 'version', $4::int)
       FROM ports WHERE product_id = $1 AND name = $2 AND direction = 'output' AND contract_id IS NOT NULL
       ON CONFLICT (key) DO NOTHING`,
      [
        staged.productId,
        staged.port,
        `contract-test:${staged.productId}:${staged.port}:landed:${staged.version}`,
        staged.version,
      ],
    );
    return { version: staged.version, previous: previous ? Number(previous.version) : null, datasets };
  }

  /** A staged version that will not become current: `failed`, with the reason. False when it was not staged. */
  async fail(q: Queryable, id: number, reason: string): Promise<boolean> {
    const { rowCount } = await q.query(
      "UPDATE port_versions SET state = 'failed', reason = $2 WHERE id = $1 AND state = 'staged'",
      [id, reason.slice(0, 2000)],
    );
    return rowCount === 1;
  }

  /** The writer of a staged version is still at it (a long upload): recovery leaves it alone. */
  async touch(q: Queryable, id: number): Promise<void> {
    await q.query("UPDATE port_versions SET touched_at = now() WHERE id = $1 AND state = 'staged'", [id]);
  }

  /** The port's current version with its files as absolute paths, or undefined when it has none. */
  async current(q: Queryable, productId: string, port: string): Promise<CurrentVersion | undefined> {
    const { rows } = await q.query<PortVersion>(
      `SELECT ${columns} FROM port_versions WHERE product_id = $1 AND port = $2 AND state = 'current'`,
      [productId, port],
    );
    const v = rows[0];
    if (!v) return undefined;
    return {
      version: v.version,
      createdAt: v.createdAt,
      currentAt: v.currentAt ?? v.createdAt,
      source: v.source,
      datasets: v.datasets.map((d) => ({ ...d, files: d.files.map((f) => this.root.resolve(f)) })),
    };
  }

  /** The port's latest versions, newest first (every state, or only the ones in `states`). */
  async history(
    q: Queryable,
    productId: string,
    port: string,
    options: { limit?: number; states?: readonly VersionState[] } = {},
  ): Promise<VersionSummary[]> {
    const { rows } = await q.query<PortVersion>(
      `SELECT ${columns} FROM port_versions
       WHERE product_id = $1 AND port = $2 AND ($3::jsonb IS NULL OR $3::jsonb ? state)
       ORDER BY version DESC LIMIT $4`,
      [productId, port, options.states ? JSON.stringify(options.states) : null, options.limit ?? 20],
    );
    return rows.map(summaryOf);
  }

  /** Every port of a product that has versions: its current one and its latest ones, newest first. */
  async ports(
    q: Queryable,
    productId: string,
    options: { limit?: number; states?: readonly VersionState[] } = {},
  ): Promise<Map<string, { current: VersionSummary | null; history: VersionSummary[] }>> {
    const { rows } = await q.query<PortVersion & { rank: number }>(
      `SELECT * FROM (
         SELECT ${columns}, row_number() OVER (PARTITION BY port ORDER BY version DESC)::int AS rank
         FROM port_versions WHERE product_id = $1 AND ($2::jsonb IS NULL OR $2::jsonb ? state)
       ) v WHERE rank <= $3 OR state = 'current' ORDER BY port, version DESC`,
      [productId, options.states ? JSON.stringify(options.states) : null, options.limit ?? 20],
    );
    const byPort = new Map<string, { current: VersionSummary | null; history: VersionSummary[] }>();
    for (const r of rows) {
      const entry = byPort.get(r.port) ?? { current: null, history: [] };
      const summary = summaryOf(r);
      if (r.state === "current") entry.current = summary;
      if (r.rank <= (options.limit ?? 20)) entry.history.push(summary);
      byPort.set(r.port, entry);
    }
    return byPort;
  }

  /** One version of a port by its number. */
  async byVersion(q: Queryable, productId: string, port: string, version: number): Promise<PortVersion | undefined> {
    const { rows } = await q.query<PortVersion>(
      `SELECT ${columns} FROM port_versions WHERE product_id = $1 AND port = $2 AND version = $3`,
      [productId, port, version],
    );
    return rows[0];
  }

  async get(q: Queryable, id: number): Promise<PortVersion | undefined> {
    const { rows } = await q.query<PortVersion>(`SELECT ${columns} FROM port_versions WHERE id = $1`, [id]);
    return rows[0];
  }

  /** Versions in `states` whose folder is one of `folders` (relative to the root), for recovery. */
  async byFolders(q: Queryable, folders: readonly string[]): Promise<PortVersion[]> {
    if (folders.length === 0) return [];
    const { rows } = await q.query<PortVersion>(
      `SELECT ${columns} FROM port_versions WHERE folder IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(folders)],
    );
    return rows;
  }

  /** Every staged version (recovery decides which ones a dead process left). */
  async staged(q: Queryable): Promise<PortVersion[]> {
    const { rows } = await q.query<PortVersion>(
      `SELECT ${columns} FROM port_versions WHERE state = 'staged' ORDER BY id`,
    );
    return rows;
  }

  /** Deletes a version that never became current (its folder is gone). */
  async forget(q: Queryable, id: number): Promise<void> {
    await q.query("DELETE FROM port_versions WHERE id = $1 AND state IN ('staged', 'failed')", [id]);
  }
}
