import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../open-database.js";
import { PgliteDatabase } from "./pglite-database.js";

/** The planner statistics an embedded store keeps itself, as autovacuum keeps PostgreSQL's. */
describe("PGlite planner statistics", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "quanta-analyze-"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const statsOf = async (db: { query: PgliteDatabase["query"] }, table: string) =>
    (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stats WHERE tablename = $1", [table])).rows[0]?.n;

  it("are taken when a store on disk opens, so a large graph is walked by its index", async () => {
    const first = await openDatabase({ dataDir: join(root, "store") });
    await first.query(
      `INSERT INTO lineage_edges (from_node, to_node, origin)
       SELECT 'column:a/p/d.c' || i, 'column:b/p/d.c' || i, 'declared' FROM generate_series(1, 2000) AS i`,
    );
    expect(await statsOf(first, "lineage_edges")).toBe(0);
    await first.close();
    const again = await openDatabase({ dataDir: join(root, "store") });
    try {
      expect(await statsOf(again, "lineage_edges")).toBeGreaterThan(0);
      const { rows } = await again.query<{ "QUERY PLAN": string }>(
        "EXPLAIN SELECT * FROM lineage_edges WHERE from_node = ANY($1::text[])",
        [["column:a/p/d.c7"]],
      );
      expect(rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index/);
    } finally {
      await again.close();
    }
  });

  it("are taken again while it runs", async () => {
    const db = await PgliteDatabase.open();
    await db.exec("CREATE TABLE t (a int)");
    await db.autoAnalyze(30);
    await db.exec("INSERT INTO t SELECT generate_series(1, 500)");
    for (let i = 0; i < 100 && (await statsOf(db, "t")) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await statsOf(db, "t")).toBeGreaterThan(0);
    await db.close();
  });
});
