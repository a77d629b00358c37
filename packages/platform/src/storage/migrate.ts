import type { Database } from "./database.js";
import { migrations as allMigrations, type Migration } from "./migrations/index.js";

/** Arbitrary but fixed: every Quanta replica asks for the same advisory lock. */
const migrationLock = 7_142_017_001;

export interface MigrateResult {
  /** Names of the migrations this call applied (empty when the schema was current). */
  applied: string[];
}

/**
 * Brings the schema up to date. Runs in one transaction holding an advisory lock, so N replicas
 * starting at once apply each migration exactly once: the others wait, then find nothing to do.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = allMigrations): Promise<MigrateResult> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [migrationLock]);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS quanta_migrations (
         id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await tx.query<{ id: number }>("SELECT id FROM quanta_migrations ORDER BY id");
    const done = new Set(rows.map((r) => r.id));
    const known = new Set(migrations.map((m) => m.id));
    const newer = [...done].filter((id) => !known.has(id));
    if (newer.length > 0) {
      throw new Error(
        `the metadata store has migration ${Math.max(...newer)}, newer than this Quanta knows (${Math.max(0, ...known)}); upgrade Quanta`,
      );
    }
    const applied: string[] = [];
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query("INSERT INTO quanta_migrations (id, name) VALUES ($1, $2)", [m.id, m.name]);
      applied.push(m.name);
    }
    return { applied };
  });
}
