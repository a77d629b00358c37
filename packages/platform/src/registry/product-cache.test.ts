import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { tinyProduct } from "../test-fixtures.js";
import { ProductCache } from "./product-cache.js";
import { Registry } from "./registry.js";

/** The same store, counting the statements a caller sends through it. */
function counting(db: Database): Database & { statements: string[] } {
  const statements: string[] = [];
  return {
    driver: db.driver,
    statements,
    query: (sql, params) => {
      statements.push(sql);
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}

describe("ProductCache", () => {
  it("does not store a load that a forget overtook", async () => {
    const cache = new ProductCache<string>(true);
    let finish: (v: { revision: number; value: string }) => void = () => {};
    const pending = cache.read(
      "p",
      async () => 1,
      () => new Promise((resolve) => (finish = resolve)),
    );
    cache.forget("p");
    finish({ revision: 1, value: "old" });
    expect(await pending).toBe("old");
    expect(cache.size).toBe(0);
    expect(
      await cache.read(
        "p",
        async () => 2,
        async () => ({ revision: 2, value: "new" }),
      ),
    ).toBe("new");
    expect(cache.size).toBe(1);
  });

  it("keeps at most its capacity, dropping the entry stored longest ago", async () => {
    const cache = new ProductCache<string>(true, 2);
    for (const id of ["a", "b", "c"])
      await cache.read(
        id,
        async () => 1,
        async () => ({ revision: 1, value: id }),
      );
    expect(cache.size).toBe(2);
    let loads = 0;
    const load = async () => ({ revision: 1, value: `${++loads}` });
    await cache.read("a", async () => 1, load);
    await cache.read("c", async () => 1, load);
    expect(loads).toBe(1);
  });

  it("checks the revision when other processes may write, and reloads when it moved", async () => {
    const cache = new ProductCache<string>(false);
    let revision = 1;
    const load = async () => ({ revision, value: `v${revision}` });
    expect(await cache.read("p", async () => revision, load)).toBe("v1");
    expect(
      await cache.read(
        "p",
        async () => revision,
        async () => ({ revision: 9, value: "reloaded" }),
      ),
    ).toBe("v1");
    revision = 2;
    expect(await cache.read("p", async () => revision, load)).toBe("v2");
  });
});

describe("product reads on PGlite", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answer a repeated read with no query and a publish with the new version at once", async () => {
    const store = counting(db);
    const registry = new Registry(store);
    await registry.publish({ files: tinyProduct("cache.one") });
    expect((await registry.product("cache.one")).version).toBe("1.0.0");
    store.statements.length = 0;
    const again = await registry.product("cache.one");
    expect(again).toMatchObject({ id: "cache.one", version: "1.0.0", versions: [{ version: "1.0.0" }] });
    expect(store.statements).toEqual([]);

    await registry.publish({ files: tinyProduct("cache.one", { version: "1.1.0", name: "Renamed tiny" }) });
    const after = await registry.product("cache.one");
    expect(after).toMatchObject({ version: "1.1.0", name: "Renamed tiny" });
    expect(after.versions.map((v) => v.version)).toEqual(["1.1.0", "1.0.0"]);
  });

  it("forgets the product after a refused publish too, and never caches a missing product", async () => {
    const registry = new Registry(db);
    await expect(registry.product("cache.none")).rejects.toThrow('no data product "cache.none"');
    await registry.publish({ files: tinyProduct("cache.none") });
    expect((await registry.product("cache.none")).version).toBe("1.0.0");
    const stale = tinyProduct("cache.none", { version: "0.9.0" });
    await expect(registry.publish({ files: stale })).rejects.toThrow();
    expect((await registry.product("cache.none")).version).toBe("1.0.0");
  });

  it("hands every caller its own copy", async () => {
    const registry = new Registry(db);
    await registry.publish({ files: tinyProduct("cache.copy") });
    const first = await registry.product("cache.copy");
    first.name = "changed by a caller";
    expect((await registry.product("cache.copy")).name).toBe("Tiny cache.copy");
  });
});

const skip = postgresSkipReason();
describe.skipIf(skip)(`product reads on PostgreSQL replicas${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let replicas: Database[] = [];
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createTestDatabase("cache");
    drop = created.drop;
    replicas = [await openDatabase({ url: created.url }), await openDatabase({ url: created.url })];
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await drop?.();
  });

  it("see another replica's publish on the next read, with one revision lookup per cached read", async () => {
    const [a, b] = replicas as [Database, Database];
    const reader = counting(a);
    const readerRegistry = new Registry(reader);
    await new Registry(b).publish({ files: tinyProduct("cache.pg") });
    expect((await readerRegistry.product("cache.pg")).version).toBe("1.0.0");
    reader.statements.length = 0;
    expect((await readerRegistry.product("cache.pg")).version).toBe("1.0.0");
    expect(reader.statements).toHaveLength(1);
    expect(reader.statements[0]).toMatch(/SELECT revision/);

    await new Registry(b).publish({ files: tinyProduct("cache.pg", { version: "2.0.0", contractVersion: "2.0.0" }) });
    expect((await readerRegistry.product("cache.pg")).version).toBe("2.0.0");
  });
});
