import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresEngine } from "./manifest.js";

describe.skipIf(postgresSkipReason())("the PostgreSQL engine's manifest", () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_manifest");
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("loads a factory whose connections speak the dialect it declares", async () => {
    const u = new URL(db.url);
    const user = process.env.QUANTA_POSTGRES_USER;
    process.env.QUANTA_POSTGRES_USER = u.username;
    try {
      const open = await postgresEngine.load();
      const server = { type: "postgres", host: u.hostname, port: Number(u.port), database: u.pathname.slice(1) };
      const connection = await open({ server, objects: [], baseDir: "." });
      try {
        expect(connection.dialect.name).toBe(postgresEngine.dialect);
        expect(await connection.run("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      } finally {
        await connection.close();
      }
    } finally {
      if (user === undefined) delete process.env.QUANTA_POSTGRES_USER;
      else process.env.QUANTA_POSTGRES_USER = user;
    }
  });
});
