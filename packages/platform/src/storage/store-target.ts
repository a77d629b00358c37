import type { Database } from "./database.js";

/**
 * Tests only: how a conformance suite opens a fresh, migrated store. The `*-pglite.test.ts` file of
 * a suite opens in-memory PGlite, its `*-postgres.test.ts` a new database on the run's server.
 */
export interface StoreTarget {
  open(): Promise<Database>;
}
