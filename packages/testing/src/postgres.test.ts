import pg from "pg";
import { describe, expect, it } from "vitest";
import { createTestDatabase, postgresSkipReason } from "./postgres.js";

describe.skipIf(postgresSkipReason())("test PostgreSQL server", () => {
  it("gives each caller its own database on a real server", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.url).not.toEqual(b.url);
    const client = new pg.Client({ connectionString: a.url });
    await client.connect();
    const { rows } = await client.query("select current_database() as db, version() as v");
    await client.end();
    expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
    expect(a.url.endsWith(`/${rows[0].db}`)).toBe(true);
    await a.drop();
    await b.drop();
  });
});
