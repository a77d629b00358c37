import type { Database } from "./database.js";
import { migrate } from "./migrate.js";

export type StoreOptions =
  /** A PostgreSQL server (`DATABASE_URL`). */
  | { url: string }
  /** Embedded PGlite in a data directory on disk. */
  | { dataDir: string }
  /** Embedded PGlite in memory (tests, throwaway demos). */
  | { memory: true };

/** Opens the metadata store and migrates it; only the chosen driver's code is loaded. */
export async function openDatabase(options: StoreOptions): Promise<Database> {
  let db: Database;
  if ("url" in options) {
    const { PostgresDatabase } = await import("./postgres/postgres-database.js");
    db = await PostgresDatabase.open({ url: options.url });
  } else {
    const { PgliteDatabase } = await import("./pglite/pglite-database.js");
    db = await PgliteDatabase.open("dataDir" in options ? { dataDir: options.dataDir } : {});
  }
  try {
    await migrate(db);
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
  return db;
}
