import { existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { migrations } from "../migrations/index.js";
import { openDatabase } from "../open-database.js";
import { templateKey } from "./pglite-template.js";

describe("in-memory stores from a migrated template", () => {
  it("start from the cached template, each store on its own", async () => {
    const a = await openDatabase({ memory: true });
    const key = templateKey(migrations);
    expect(existsSync(join(tmpdir(), `quanta-pglite-template-${key}.tar.gz`))).toBe(true);
    const started = performance.now();
    const b = await openDatabase({ memory: true });
    const fromTemplate = performance.now() - started;
    try {
      await a.query("INSERT INTO domains (id, name) VALUES ('only-in-a', 'A')");
      expect((await b.query("SELECT id FROM domains WHERE id = 'only-in-a'")).rows).toEqual([]);
      const { rows } = await b.query<{ n: number }>("SELECT count(*)::int AS n FROM quanta_migrations");
      expect(rows[0]?.n).toBe(migrations.length);
      expect(fromTemplate).toBeLessThan(20_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("falls back to a fresh store when the template is damaged", async () => {
    const key = templateKey(migrations);
    writeFileSync(join(tmpdir(), `quanta-pglite-template-${key}.tar.gz`), "not a tarball");
    const db = await openDatabase({ memory: true });
    try {
      expect((await db.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      expect(templateKey(migrations)).toBe(key);
    } finally {
      await db.close();
    }
  });

  it("keys the template on every migration's SQL", () => {
    const changed = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- changed` } : m));
    expect(templateKey(changed)).not.toBe(templateKey(migrations));
  });
});
