import { rm, rmdir } from "node:fs/promises";
import { dirname } from "node:path";
import { type Retention, retentionCutoff } from "@quanta/core/lint";
import { publishEvent } from "../events/publish-event.js";
import type { Lake } from "../lake/lake.js";
import type { StoredDataset } from "../lake/port-version-store.js";
import type { Database } from "../storage/database.js";

/** The actor of what Quanta does by itself. */
const quantaActor = "quanta";

export interface ExpiredVersion {
  productId: string;
  port: string;
  version: number;
  /** Files removed from the storage root (relative to it): those no retained version lists. */
  removed: string[];
}

/**
 * Expires the port's superseded versions created before the retention's cutoff: each becomes
 * `expired` with an event `port.version.expired` (to the owner team) in one transaction under the
 * port's lock, the lock every switch of the port takes (PortVersionStore.makeCurrent), so no new
 * version can start listing a file while it is judged. The current version never expires. The
 * files go next, once no version kept lists them (a later version may list files of an earlier
 * one). Safe to run on N replicas at once: one of them expires a version, the others see it done.
 */
export async function expireVersions(
  db: Database,
  lake: Lake,
  input: { productId: string; port: string; team: string | null; retention: Retention },
  now: Date,
): Promise<ExpiredVersion[]> {
  const cutoff = retentionCutoff(input.retention, now);
  const expired = await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || E'\\n' || $2, 23))", [
      input.productId,
      input.port,
    ]);
    const { rows } = await tx.query<{ id: number; version: number; createdAt: string }>(
      `UPDATE port_versions SET state = 'expired', expired_at = $4
       WHERE product_id = $1 AND port = $2 AND state = 'superseded' AND created_at < $3
       RETURNING id, version, created_at AS "createdAt"`,
      [input.productId, input.port, cutoff.toISOString(), now.toISOString()],
    );
    for (const r of rows.sort((a, b) => a.version - b.version)) {
      await publishEvent(
        tx,
        {
          type: "port.version.expired",
          subject: input.productId,
          actor: quantaActor,
          payload: {
            port: input.port,
            version: Number(r.version),
            createdAt: new Date(r.createdAt).toISOString(),
            retention: `${input.retention.value} ${input.retention.unit}${input.retention.value === 1 ? "" : "s"}`,
            cutoff: cutoff.toISOString(),
          },
        },
        { teams: [input.team] },
      );
    }
    return rows.map((r) => Number(r.version));
  });
  const removed = await sweepExpired(db, lake, input.productId, input.port);
  return expired.map((version) => ({
    productId: input.productId,
    port: input.port,
    version,
    removed: removed.get(version) ?? [],
  }));
}

/**
 * Removes the files of expired versions that no version kept (staged, current, superseded) lists,
 * and marks each version swept. A version expired by a process that stopped before its sweep is
 * swept by the next run. Never removes a file outside the storage root (StorageRoot.resolve).
 */
export async function sweepExpired(
  db: Database,
  lake: Lake,
  productId: string,
  port: string,
): Promise<Map<number, string[]>> {
  const { rows } = await db.query<{ id: number; version: number; folder: string; datasets: StoredDataset[] }>(
    `SELECT id, version, folder, datasets FROM port_versions
     WHERE product_id = $1 AND port = $2 AND state = 'expired' AND files_removed_at IS NULL ORDER BY version`,
    [productId, port],
  );
  const removed = new Map<number, string[]>();
  if (rows.length === 0) return removed;
  const { rows: kept } = await db.query<{ datasets: StoredDataset[] }>(
    `SELECT datasets FROM port_versions WHERE product_id = $1 AND port = $2 AND state <> 'expired'`,
    [productId, port],
  );
  const listed = new Set(kept.flatMap((v) => v.datasets.flatMap((d) => d.files)));
  for (const v of rows) {
    const files = [...new Set(v.datasets.flatMap((d) => d.files))].filter((f) => !listed.has(f));
    for (const f of files) await rm(lake.root.resolve(f), { force: true });
    // The version's own folder goes once empty; it stays while a kept version lists a file in it.
    const folder = lake.root.resolve(v.folder);
    for (const dir of new Set(files.map((f) => dirname(lake.root.resolve(f)))))
      if (dir.startsWith(folder)) await rmdir(dir).catch(() => {});
    await rmdir(folder).catch(() => {});
    await db.query("UPDATE port_versions SET files_removed_at = now() WHERE id = $1", [v.id]);
    removed.set(Number(v.version), files);
  }
  return removed;
}
