import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, sqlState, sqlStates } from "./database.js";
import { migrate } from "./migrate.js";
import { migrations } from "./migrations/index.js";

/**
 * Every case of the drivers' suite (what any feature's SQL relies on: migrations, values,
 * transactions, error codes); a driver may skip one only by name and with a reason. The features'
 * stores have their own suites (e.g. registry/registry-stores.conformance.ts).
 */
export type StorageCase =
  | "migrations are idempotent"
  | "replicas migrate at once"
  | "values come back the same on every driver"
  | "transactions commit and roll back"
  | "unique violations carry their SQLSTATE";

export interface StorageTarget {
  /** A migrated, empty store for this file. */
  open(): Promise<Database>;
  /** Another connection to the same store, as a second replica would open it. */
  openReplica?: () => Promise<Database>;
  skip?: Partial<Record<StorageCase, string>>;
}

export function storageConformance(name: string, target: StorageTarget): void {
  describe(`storage conformance: ${name}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await target.open();
    });
    afterAll(async () => {
      await db?.close();
    });

    const test = (c: StorageCase, fn: () => Promise<void>) => {
      const reason = target.skip?.[c];
      if (reason) it.skip(`${c} (skipped: ${reason})`, fn);
      else it(c, fn);
    };

    test("migrations are idempotent", async () => {
      expect(await migrate(db)).toEqual({ applied: [] });
      const { rows } = await db.query<{ id: number; name: string }>(
        "SELECT id, name FROM quanta_migrations ORDER BY id",
      );
      expect(rows).toEqual(migrations.map((m) => ({ id: m.id, name: m.name })));
      await expect(migrate(db, [])).rejects.toThrow(/newer than this Quanta knows/);
    });

    test("replicas migrate at once", async () => {
      const open = target.openReplica;
      if (!open) throw new Error("openReplica is required unless this case is skipped");
      const replicas = await Promise.all([open(), open(), open(), open()]);
      try {
        const results = await Promise.all(replicas.map((r) => migrate(r)));
        expect(results.flatMap((r) => r.applied)).toEqual([]);
        const { rows } = await replicas[0]!.query<{ n: number }>("SELECT count(*) AS n FROM quanta_migrations");
        expect(rows[0]?.n).toBe(migrations.length);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });

    test("values come back the same on every driver", async () => {
      const { rows } = await db.query(
        `SELECT 9007199254740991::bigint AS big, '2024-05-01 10:00:00.5+02'::timestamptz AS at,
           '{"a":[1,"x",null]}'::jsonb AS doc, ARRAY['x','y']::text[] AS tags, NULL::text AS nothing,
           true AS yes, 1.5::float8 AS f, $1::text AS param`,
        ["é ünï 🚀"],
      );
      expect(rows[0]).toEqual({
        big: 9007199254740991,
        at: "2024-05-01T08:00:00.500Z",
        doc: { a: [1, "x", null] },
        tags: ["x", "y"],
        nothing: null,
        yes: true,
        f: 1.5,
        param: "é ünï 🚀",
      });
    });

    test("transactions commit and roll back", async () => {
      await db.transaction(async (tx) => {
        await tx.query("INSERT INTO domains (id, name) VALUES ('committed', 'C')");
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO domains (id, name) VALUES ('rolled-back', 'R')");
          throw new Error("stop");
        }),
      ).rejects.toThrow("stop");
      const { rows } = await db.query<{ id: string }>(
        "SELECT id FROM domains WHERE id IN ('committed', 'rolled-back')",
      );
      expect(rows.map((r) => r.id)).toEqual(["committed"]);
      const { rows: after } = await db.query<{ one: number }>("SELECT 1 AS one");
      expect(after).toEqual([{ one: 1 }]);
    });

    test("unique violations carry their SQLSTATE", async () => {
      const insert = () => db.query("INSERT INTO domains (id, name) VALUES ('dup', 'Dup')");
      await insert();
      const err = await insert().catch((e: unknown) => e);
      expect(sqlState(err)).toBe(sqlStates.uniqueViolation);
      expect(sqlState(new Error("plain"))).toBeUndefined();
    });
  });
}
