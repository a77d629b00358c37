import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the run's PostgreSQL server; undefined when none could be started outside CI. */
    postgresUrl: string | undefined;
    postgresUnavailable: string | undefined;
  }
}

/** Why PostgreSQL tests are skipped here, or undefined when a server is running (always in CI). */
export function postgresSkipReason(): string | undefined {
  return inject("postgresUrl") ? undefined : (inject("postgresUnavailable") ?? "no PostgreSQL server");
}

/** A fresh database on the run's server, so test files never see each other's tables. */
export async function createTestDatabase(prefix = "t"): Promise<{ url: string; drop(): Promise<void> }> {
  const base = inject("postgresUrl");
  if (!base) throw new Error(`PostgreSQL unavailable: ${postgresSkipReason()}`);
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
