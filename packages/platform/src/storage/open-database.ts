import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import { migrations } from "./migrations/index.js";

export type StoreOptions =
  /** A PostgreSQL server (`DATABASE_URL`). */
  | { url: string }
  /** Embedded PGlite in a data directory on disk. */
  | { dataDir: string }
  /** Embedded PGlite in memory (tests, throwaway demos). */
  | { memory: true };

/** How often an embedded store refreshes its planner statistics (PostgreSQL's autovacuum does it there). */
export const pgliteAnalyzeEveryMs = 10 * 60_000;

/** Opens the metadata store and migrates it; only the chosen driver's code is loaded. */
export async function openDatabase(options: StoreOptions): Promise<Database> {
  let db: Database;
  if ("url" in options) {
    const { PostgresDatabase } = await import("./postgres/postgres-database.js");
    db = await PostgresDatabase.open({ url: options.url });
  } else if ("dataDir" in options) {
    const { PgliteDatabase } = await import("./pglite/pglite-database.js");
    const pglite = await PgliteDatabase.open({ dataDir: options.dataDir });
    db = pglite;
    try {
      await migrate(db);
      await pglite.autoAnalyze(pgliteAnalyzeEveryMs);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
    return db;
  } else {
    return openMemory();
  }
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return db;
}

/** In-memory PGlite, started from a cached dump of a migrated store when there is one. */
async function openMemory(): Promise<Database> {
  const [{ PgliteDatabase }, template] = await Promise.all([
    import("./pglite/pglite-database.js"),
    import("./pglite/pglite-template.js"),
  ]);
  const key = template.templateKey(migrations);
  const cached = template.readTemplate(key);
  if (cached) {
    const db = await PgliteDatabase.open({ loadDataDir: cached }).catch(() => undefined);
    if (db) {
      try {
        await migrate(db);
        return db;
      } catch {
        await db.close().catch(() => {});
      }
    }
  }
  const db = await PgliteDatabase.open();
  try {
    await migrate(db);
    await template.writeTemplate(key, await db.dump());
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return db;
}
