import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateProductData } from "@quanta/engine-duckdb";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IdentityStore } from "../identity/identity-store.js";
import { examplesDir, tinyProduct } from "../test-fixtures.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/**
 * `quanta serve --demo` on PostgreSQL (issue 14, item 7): the source-aligned products serve their
 * data from the storage Quanta owns, and the consented orders from a PostgreSQL table the demo
 * loads into its own database, tested and consumed there.
 */
describe.skipIf(postgresSkipReason())("the demo's data plane on PostgreSQL", () => {
  let store: { url: string; drop(): Promise<void> };
  let root: string;
  let platform: RunningPlatform;
  const lines: string[] = [];

  beforeAll(async () => {
    store = await createTestDatabase("demo_plane");
    root = await mkdtemp(join(tmpdir(), "quanta-demo-plane-"));
    const folders = ["orders", "orders-analytical-consent"].map((p) => join(root, "mesh", p));
    for (const [i, p] of ["orders", "orders-analytical-consent"].entries()) {
      await cp(join(examplesDir, "webshop", p), folders[i] as string, {
        recursive: true,
        filter: (src) => !src.endsWith(".parquet"),
      });
      await generateProductData(folders[i] as string);
    }
    platform = await startPlatform({
      store: { url: store.url },
      dataDir: join(root, "data"),
      storageRoot: join(root, "lake"),
      port: 0,
      publishFolders: folders,
      demoIdentities: {},
      demoData: true,
      log: (l) => lines.push(l),
      warn: (l) => lines.push(`warning: ${l}`),
    });
  }, 120_000);

  afterAll(async () => {
    await platform?.close();
    await store?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const owner = () => {
    const entry = Object.values(platform.demoTokens ?? {}).find((t) => t.team?.endsWith("sales-data"));
    expect(entry).toBeDefined();
    return { authorization: `Bearer ${entry?.token}` };
  };
  const get = async (path: string) =>
    (await fetch(`${platform.url}${path}`, { headers: owner() })).json() as Promise<Json>;

  it("puts the source-aligned orders on Quanta's storage, and the consented orders in PostgreSQL", async () => {
    expect(lines).toContain("demo data on the storage Quanta owns: sales.orders/orders");
    expect(lines).toContain(
      "demo data in PostgreSQL (schema quanta_demo): sales.orders-analytical-consent/consented-orders",
    );
    const discovery = await get("/api/products/sales.orders/discover");
    expect(discovery.ports.find((p: Json) => p.name === "orders").data.current).toMatchObject({
      version: 1,
      source: "publish",
    });
    const { rows } = await platform.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM quanta_demo.consented_orders",
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(500);
  });

  it("tests and serves the consented orders from the warehouse table", async () => {
    let run: { server: string; status: string } | undefined;
    for (let i = 0; i < 200 && !run; i++) {
      const { rows } = await platform.db.query<{ server: string; status: string }>(
        "SELECT server, status FROM test_runs WHERE product_id = 'sales.orders-analytical-consent' AND status <> 'running'",
      );
      run = rows[0];
      if (!run) await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toEqual({ server: "warehouse", status: "passed" });
    // Rows changed in the table are what consume serves: the data is read where it lives.
    await platform.db.query(
      "DELETE FROM quanta_demo.consented_orders WHERE customer_key <> (SELECT min(customer_key) FROM quanta_demo.consented_orders)",
    );
    const res = await fetch(`${platform.url}/api/products/sales.orders-analytical-consent/consume`, {
      method: "POST",
      headers: { ...owner(), "content-type": "application/json" },
      body: JSON.stringify({
        port: "consented-orders",
        sql: "SELECT count(DISTINCT customer_key) AS n FROM consented_orders",
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).rows).toEqual([{ n: 1 }]);
  });

  it("connects to the warehouse as a role that reads only the demo's tables, whoever names it", async () => {
    // Another team's contract naming the demo's warehouse server, pointed at the platform's own tables.
    const files = tinyProduct("intruder.meta").map((f) =>
      f.path.endsWith(".odcs.yaml")
        ? {
            ...f,
            text: f.text
              .replace(
                "schema:\n  - name: rows\n",
                "servers:\n  - server: warehouse\n    type: postgres\n    environment: test\n    host: localhost\n    port: 5432\n    database: quanta\n    schema: public\nschema:\n  - name: rows\n    physicalName: platform_secrets\n",
              )
              .replace("      - name: row_id\n", "      - name: name\n")
              .replace("logicalType: integer", "logicalType: string"),
          }
        : f,
    );
    const admin = Object.values(platform.demoTokens ?? {}).find((t) => t.role === "admin");
    const published = await fetch(`${platform.url}/api/products`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin?.token}`, "content-type": "application/json" },
      body: JSON.stringify({ files }),
    });
    expect(published.status, await published.clone().text()).toBeLessThan(300);
    // An owner of the intruding team reads its own product.
    const identity = new IdentityStore(platform.db);
    const intruder = await identity.users.createUser({ username: "intruder@example.com" });
    await identity.teams.setTeamMember("test-team", intruder.id, "owner");
    const token = (await identity.tokens.createToken(intruder.id, { name: "test" })).token;
    const read = await fetch(`${platform.url}/api/products/intruder.meta/consume`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ port: "rows", sql: "SELECT count(*) AS n FROM rows" }),
    });
    const text = await read.text();
    expect(read.status, text).toBeGreaterThanOrEqual(400);
    expect(read.status, text).toBeLessThan(500);
    expect(text).toMatch(/permission denied/);
  });
});
