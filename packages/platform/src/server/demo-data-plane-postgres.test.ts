import { existsSync } from "node:fs";
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
 * `quanta serve --demo` on PostgreSQL (issues 14 and 15): the web shop's orders live in a
 * PostgreSQL table the demo loads into its own database, tested and consumed there, and the
 * consented orders are built from that table by their pipeline, in PostgreSQL, onto the storage
 * Quanta owns.
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
      const folder = folders[i] as string;
      await cp(join(examplesDir, "webshop", p), folder, {
        recursive: true,
        filter: (src) => !src.endsWith(".parquet"),
      });
      if (existsSync(join(folder, "data", "generate.sql"))) await generateProductData(folder);
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
    await platform.demoPipelines;
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

  it("puts the orders in PostgreSQL, and builds the consented orders from them onto Quanta's storage", async () => {
    expect(lines).toContain("demo data in PostgreSQL (schema quanta_demo): sales.orders/orders");
    const { rows } = await platform.db.query<{ n: number }>("SELECT count(*)::int AS n FROM quanta_demo.orders");
    expect(rows[0]?.n).toBeGreaterThanOrEqual(1000);
    // The orders are read where they live: no version of them on the storage Quanta owns.
    const orders = await get("/api/products/sales.orders/discover");
    expect(orders.ports.find((p: Json) => p.name === "orders").data.current).toBeNull();
    const { items } = await get("/api/products/sales.orders-analytical-consent/pipeline/runs");
    expect(
      items.map((r: Json) => [r.status, r.reason]),
      lines.join("\n"),
    ).toEqual([["succeeded", null]]);
    const detail = await get(`/api/products/sales.orders-analytical-consent/pipeline/runs/${items[0].id}`);
    expect(detail.outputs[0]).toMatchObject({
      published: true,
      tests: { status: expect.stringMatching(/passed|warning/) },
    });
    expect(detail.outputs[0].rowsOut).toBeGreaterThanOrEqual(500);
    // Its steps ran where its input lives.
    const logs = await get(`/api/products/sales.orders-analytical-consent/pipeline/runs/${items[0].id}/logs`);
    expect(logs.lines.map((l: Json) => l.message)).toContain("output consented-orders: built in postgres");
    const consented = await get("/api/products/sales.orders-analytical-consent/discover");
    expect(consented.ports.find((p: Json) => p.name === "consented-orders").data.current).toMatchObject({
      version: 1,
      source: "pipeline",
    });
  });

  it("tests and serves the orders from the warehouse table", async () => {
    let run: { server: string; status: string } | undefined;
    for (let i = 0; i < 200 && !run; i++) {
      const { rows } = await platform.db.query<{ server: string; status: string }>(
        "SELECT server, status FROM test_runs WHERE product_id = 'sales.orders' AND status <> 'running'",
      );
      run = rows[0];
      if (!run) await new Promise((r) => setTimeout(r, 100));
    }
    expect(run).toEqual({ server: "warehouse", status: "passed" });
    // Rows changed in the table are what consume serves: the data is read where it lives.
    await platform.db.query(
      "DELETE FROM quanta_demo.orders WHERE customer_id <> (SELECT min(customer_id) FROM quanta_demo.orders)",
    );
    const res = await fetch(`${platform.url}/api/products/sales.orders/consume`, {
      method: "POST",
      headers: { ...owner(), "content-type": "application/json" },
      body: JSON.stringify({ port: "orders", sql: "SELECT count(DISTINCT customer_id) AS n FROM orders" }),
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
