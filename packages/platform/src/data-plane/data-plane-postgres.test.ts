import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersContract, productYaml } from "../access/access-fixtures.js";
import { DataLocator, type VariableSource } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { runContractTest } from "../jobs/contract-test.js";
import { publishData } from "../lake/publish-data.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/**
 * The data plane on a real PostgreSQL server, as the "done when" walks it: a table the
 * product's team made, a contract pointing at it (credentials as `${VAR}` secrets), its tests run
 * in PostgreSQL; an agreement read masked through consume and through a direct connection with the
 * agreement's own role; terminated, and refused both ways.
 */
describe.skipIf(postgresSkipReason())("the data plane on PostgreSQL", () => {
  let data: { url: string; drop(): Promise<void> };
  let store: { url: string; drop(): Promise<void> };
  let db: Database;
  let app: OpenAPIHono;
  let harness: Harness;
  let root: string;
  let owner: TestIdentity;
  let consumer: TestIdentity;
  let outsider: TestIdentity;
  const errors: unknown[] = [];
  const roles: string[] = [];

  const contract = (u: URL) =>
    ordersContract().replace(
      /servers:\n(?:\s{2}.*\n)+?slaProperties:/,
      `servers:
  - server: warehouse
    type: postgres
    environment: prod
    host: ${u.hostname}
    port: ${u.port}
    database: ${u.pathname.slice(1)}
    schema: sales
slaProperties:`,
    );

  beforeAll(async () => {
    data = await createTestDatabase("plane_data");
    store = await createTestDatabase("plane_store");
    const admin = new pg.Client({ connectionString: data.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA sales;
      CREATE TABLE sales.orders AS
        SELECT i AS order_id, 'person' || i || '@customers.example' AS customer_email, 'C' || i AS customer_id,
               (i * 10)::double precision AS amount, i % 3 <> 0 AS analytical_consent
        FROM generate_series(0, 29) AS s(i);`);
    await admin.end();
    const u = new URL(data.url);
    const secrets: VariableSource = {
      async forEnvironment(env) {
        const values: Record<string, string> = {
          QUANTA_SERVER_WAREHOUSE_USER: decodeURIComponent(u.username),
          QUANTA_SERVER_WAREHOUSE_PASSWORD: decodeURIComponent(u.password),
          // A port nothing listens on; a role the server does not have (with a password to keep out of answers).
          QUANTA_SERVER_CLOSED_URL: `postgres://quanta:s3cret-pw@127.0.0.1:1/${u.pathname.slice(1)}`,
          QUANTA_SERVER_STRANGER_USER: "no_such_role",
          QUANTA_SERVER_STRANGER_PASSWORD: "s3cret-pw",
        };
        return { lookup: (n) => (env === "prod" ? values[n] : undefined), isSecret: () => true };
      },
    };
    root = await mkdtemp(join(tmpdir(), "quanta-plane-"));
    db = await openDatabase({ url: store.url });
    const registry = new Registry(db);
    await registry.publish({
      files: [
        { path: "shop-orders.odps.yaml", text: productYaml().replace(/ {2}- name: totals[\s\S]*?value: auto\n/, "") },
        { path: "contracts/orders.odcs.yaml", text: contract(u) },
      ],
    });
    // Two more products: one whose server does not answer, one whose user the server does not know.
    const other = (id: string, server: string) => [
      {
        path: "p.odps.yaml",
        text: productYaml()
          .replace("id: shop.orders", `id: shop.${id}`)
          .replaceAll("contractId: shop.orders.orders", `contractId: shop.${id}.orders`)
          .replace(/ {2}- name: totals[\s\S]*?value: auto\n/, ""),
      },
      {
        path: "contracts/orders.odcs.yaml",
        text: contract(u)
          .replace("id: shop.orders.orders", `id: shop.${id}.orders`)
          .replace("server: warehouse", `server: ${server}`),
      },
    ];
    await registry.publish({ files: other("closed", "closed") });
    await registry.publish({ files: other("stranger", "stranger") });
    const locator = new DataLocator(join(root, "platform"), { environment: "prod", variables: secrets });
    harness = new Harness({ db, registry, locator, log: (l) => errors.push(l) });
    app = createApp({ registry, harness, logError: (e) => errors.push(e) });
    owner = await testIdentity(db, { username: "owner@shop.example", teams: [{ team: "shop-team", role: "owner" }] });
    consumer = await testIdentity(db, {
      username: "ana@analytics.example",
      teams: [{ team: "analytics", role: "member" }],
    });
    outsider = await testIdentity(db, { username: "olga@other.example", teams: [{ team: "other", role: "owner" }] });
  });

  afterAll(async () => {
    harness?.close();
    await db?.close();
    if (data) {
      const admin = new pg.Client({ connectionString: data.url });
      await admin.connect();
      for (const role of roles) {
        await admin.query(`DROP OWNED BY ${role}`).catch(() => {});
        await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
      }
      await admin.end();
    }
    await data?.drop();
    await store?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, who?: TestIdentity, body?: unknown) => {
    const res = await app.request(path, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(who?.headers ?? {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      json = { text };
    }
    return { status: res.status, body: json, text };
  };
  const consume = (who: TestIdentity, sql?: string) =>
    call("POST", "/api/products/shop.orders/consume", who, { port: "orders", ...(sql ? { sql } : {}) });
  const direct = async (c: Json, sql: string) => {
    const client = new pg.Client({
      host: c.host,
      port: c.port,
      database: c.database,
      user: c.role,
      password: c.password,
      connectionTimeoutMillis: 5_000,
    });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it("answers an unreachable server and a refused login with a 4xx, never a credential", async () => {
    for (const id of ["shop.closed", "shop.stranger"]) {
      const read = await call("POST", `/api/products/${id}/consume`, owner, { port: "orders" });
      expect(read.status, read.text).toBeGreaterThanOrEqual(400);
      expect(read.status, read.text).toBeLessThan(500);
      expect(read.text).not.toContain("s3cret-pw");
      expect(read.text).not.toMatch(/postgres:\/\/|127\.0\.0\.1/); // the server is named, not its address
      expect(read.text).toMatch(id === "shop.closed" ? /connection refused/ : /no_such_role/);
      const run = await runContractTest(db, harness.locator, { productId: id, port: "orders" });
      expect(run.status).toBe("error");
      const { rows } = await db.query<{ reason: string }>("SELECT reason FROM check_results WHERE run_id = $1", [
        run.runId,
      ]);
      expect(rows.map((r) => r.reason).join(" ")).not.toContain("s3cret-pw");
      // Nor its observation: the profiles' reasons quote the engine too.
      const observed = await db.query<{ profiles: string | null }>(
        "SELECT profiles::text AS profiles FROM run_observations WHERE run_id = $1",
        [run.runId],
      );
      expect(observed.rows[0]?.profiles ?? "").not.toContain("s3cret-pw");
    }
    const { rows } = await db.query<{ reason: string | null }>(
      "SELECT reason FROM audit_log WHERE product_id LIKE 'shop.%'",
    );
    expect(JSON.stringify(rows)).not.toContain("s3cret-pw");
  });

  it("runs the contract's tests in PostgreSQL", async () => {
    const outcome = await runContractTest(db, harness.locator, { productId: "shop.orders", port: "orders" });
    expect(outcome.status).toBe("passed");
    const { rows } = await db.query<{ server: string }>("SELECT server FROM test_runs WHERE id = $1", [outcome.runId]);
    expect(rows[0]?.server).toBe("warehouse");
  });

  let agreementId = "";
  let connection: Json = {};

  it("serves the owner every row of the table through consume, from PostgreSQL", async () => {
    const all = await consume(owner, "SELECT count(*) AS n, count(DISTINCT customer_email) AS emails FROM orders");
    expect(all.status).toBe(200);
    // The port's row filter (consented rows) applies to every reader; the owner sees e-mails unmasked.
    expect(all.body.rows).toEqual([{ n: 20, emails: 20 }]);
  });

  it("grants an approved agreement in the store: consume and psql show the same masked rows", async () => {
    const asked = await call("POST", "/api/access-requests", consumer, {
      productId: "shop.orders",
      port: "orders",
      consumerTeam: "analytics",
      purpose: "Churn analysis",
    });
    expect(asked.status).toBe(201);
    agreementId = asked.body.id;
    expect((await call("GET", `/api/agreements/${agreementId}/connection`, consumer)).status).toBe(409);
    expect((await call("POST", `/api/access-requests/${agreementId}/approve`, owner, {})).status).toBe(200);

    const read = await consume(consumer, "SELECT * FROM orders ORDER BY order_id");
    expect(read.status).toBe(200);
    expect(read.body.rows).toHaveLength(20); // the port's row filter: consented rows only
    expect(new Set(read.body.rows.map((r: Json) => r.customer_email))).toEqual(new Set(["***"]));

    expect((await call("GET", `/api/agreements/${agreementId}/connection`, outsider)).status).toBe(403);
    const fetched = await call("GET", `/api/agreements/${agreementId}/connection`, consumer);
    expect(fetched.status).toBe(200);
    connection = fetched.body;
    roles.push(connection.role);
    expect(connection).toMatchObject({ engine: "postgres", role: expect.stringMatching(/^quanta_/) });
    expect(typeof connection.password).toBe("string");
    const headers = (await app.request(`/api/agreements/${agreementId}/connection`, { headers: consumer.headers }))
      .headers;
    expect(headers.get("cache-control")).toBe("no-store");
    // Shown once: the next fetch has the details without it.
    const again = await call("GET", `/api/agreements/${agreementId}/connection`, consumer);
    expect(again.body.password).toBeUndefined();
    expect(again.body.passwordIssuedAt).toEqual(expect.any(String));

    // The test server trusts local connections, so the password is checked here as the server keeps it.
    const verifier = async () => {
      const admin = new pg.Client({ connectionString: data.url });
      await admin.connect();
      try {
        return (
          await admin.query("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1", [connection.role])
        ).rows[0] as { rolcanlogin: boolean; rolpassword: string | null } | undefined;
      } finally {
        await admin.end();
      }
    };
    const first = await verifier();
    expect(first?.rolcanlogin).toBe(true);
    expect(first?.rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    expect(first?.rolpassword).not.toContain(connection.password);
    const renewed = await call("POST", `/api/agreements/${agreementId}/connection`, consumer);
    expect(renewed.status).toBe(200);
    expect(renewed.body.password).not.toBe(connection.password);
    expect((await verifier())?.rolpassword).not.toBe(first?.rolpassword);
    connection = { ...connection, password: renewed.body.password };

    const view = connection.views[0].view as string;
    const psql = await direct(connection, `SELECT * FROM ${view} ORDER BY order_id`);
    expect(psql).toEqual(read.body.rows);
    await expect(direct(connection, "SELECT * FROM sales.orders")).rejects.toThrow(/permission denied/);
  });

  it("ends the grant with the agreement: consume and psql are refused", async () => {
    const ended = await call("POST", `/api/agreements/${agreementId}/terminate`, consumer, { reason: "done" });
    expect(ended.status).toBe(200);
    // A notice period applies: the agreement terminates at its end; the tick settles it.
    await db.query("UPDATE agreements SET notice_ends_at = now() - interval '1 second' WHERE id = $1", [agreementId]);
    await harness.grants.reconcile();
    expect((await consume(consumer)).status).toBe(403);
    await expect(direct(connection, `SELECT 1 FROM ${connection.views[0].view}`)).rejects.toThrow(
      /password authentication failed|does not exist/,
    );
    expect((await call("GET", `/api/agreements/${agreementId}/connection`, consumer)).status).toBe(409);
    const admin = new pg.Client({ connectionString: data.url });
    await admin.connect();
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [connection.role]);
    await admin.end();
    expect(left.rows[0]?.n).toBe(0);
    expect(errors).toEqual([]);
  });

  it("takes a grant back where it was made when the port's data moves to Quanta's storage", async () => {
    const team = await testIdentity(db, {
      username: "fin@finance.example",
      teams: [{ team: "finance", role: "owner" }],
    });
    const asked = await call("POST", "/api/access-requests", team, {
      productId: "shop.orders",
      port: "orders",
      consumerTeam: "finance",
      purpose: "Quarterly close",
    });
    await call("POST", `/api/access-requests/${asked.body.id}/approve`, owner, {});
    const fetched = await call("GET", `/api/agreements/${asked.body.id}/connection`, team);
    expect(fetched.status).toBe(200);
    roles.push(fetched.body.role);
    const file = await writeData(
      join(root, "orders.parquet"),
      `SELECT i::BIGINT AS order_id, 'p' || i || '@x.example' AS customer_email, 'C' || i AS customer_id,
         (i * 10)::DOUBLE AS amount, true AS analytical_consent FROM range(3) t(i)`,
    );
    await publishData(db, harness.lake, {
      productId: "shop.orders",
      port: "orders",
      format: "parquet",
      body: createReadStream(file),
      actor: "owner@shop.example",
    });
    await harness.grants.reconcile();
    const admin = new pg.Client({ connectionString: data.url });
    await admin.connect();
    const left = await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [fetched.body.role]);
    await admin.end();
    expect(left.rows[0]?.n).toBe(0);
    // Consume now serves the stored version; the store holds no grant for it.
    expect((await consume(team, "SELECT count(*) AS n FROM orders")).body.rows).toEqual([{ n: 3 }]);
    expect((await call("GET", `/api/agreements/${asked.body.id}/connection`, team)).body.error?.code).toBe(
      "no-store-grants",
    );
  });
});
