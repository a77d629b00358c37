import { buildChecks, EngineError, runChecks, UnavailableError } from "@quanta/core";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePostgresConfig } from "./postgres-config.js";
import { PostgresConnection } from "./postgres-connection.js";

describe.skipIf(postgresSkipReason())("PostgresConnection", () => {
  let db: { url: string; drop(): Promise<void> };
  let server: Record<string, unknown>;
  let conn: PostgresConnection;

  beforeAll(async () => {
    db = await createTestDatabase("engine_pg");
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA sales;
      CREATE TABLE sales.orders (
        order_id bigint PRIMARY KEY, customer_id integer, amount numeric(10,2) NOT NULL,
        status varchar(20), tags text[], created_at timestamptz, shipped_on date, payload jsonb);
      INSERT INTO sales.orders
      SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 7 END, i * 1.5,
             (ARRAY['new','paid','shipped','void'])[1 + i % 4], ARRAY['a'], now() - make_interval(hours => i),
             DATE '2024-01-01' + i, jsonb_build_object('i', i)
      FROM generate_series(1, 100) AS s(i);
      CREATE VIEW sales.paid AS SELECT * FROM sales.orders WHERE status = 'paid';
      CREATE MATERIALIZED VIEW sales.daily AS SELECT shipped_on, count(*) AS n FROM sales.orders GROUP BY 1;
      CREATE TABLE sales.empty ();
      CREATE SEQUENCE sales.seq;`);
    await admin.end();
    const u = new URL(db.url);
    server = {
      server: "local-pg",
      type: "postgres",
      host: u.hostname,
      port: Number(u.port),
      database: u.pathname.slice(1),
      schema: "sales",
    };
    conn = await PostgresConnection.open(
      { server, objects: [{ name: "orders" }, { name: "paid_orders", physicalName: "paid" }], baseDir: "." },
      { QUANTA_POSTGRES_USER: u.username },
    );
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it("introspects tables, views and materialized views from the catalog", async () => {
    expect(
      (await conn.introspect("orders"))?.map((c) => `${c.name} ${c.type}${c.nullable ? "" : " not null"}`),
    ).toMatchInlineSnapshot(`
        [
          "order_id bigint not null",
          "customer_id integer",
          "amount numeric(10,2) not null",
          "status character varying(20)",
          "tags text[]",
          "created_at timestamp with time zone",
          "shipped_on date",
          "payload jsonb",
        ]
      `);
    expect((await conn.introspect("paid_orders"))?.length).toBe(8);
    expect(await conn.introspect("daily")).toEqual([
      { name: "shipped_on", type: "date", nullable: true },
      { name: "n", type: "bigint", nullable: true },
    ]);
    expect(await conn.introspect("empty")).toEqual([]);
    expect(await conn.introspect("seq")).toBeUndefined();
    expect(await conn.introspect("nope")).toBeUndefined();
    expect(conn.relation("paid_orders")).toBe('"sales"."paid"');
  });

  it("returns numbers for counts and decimals, text for dates", async () => {
    const rows = await conn.run(
      `SELECT count(*) AS n, sum(amount) AS total, min(shipped_on) AS first, 12345678901234567890::numeric AS big FROM ${conn.relation("orders")}`,
    );
    expect(rows).toEqual([{ n: 100, total: 7575, first: "2024-01-02", big: "12345678901234567890" }]);
  });

  it("runs every statement read-only, with the SQL in the error", async () => {
    const error = await conn.run(`DELETE FROM ${conn.relation("orders")}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).message).toMatch(/read-only transaction/);
    expect((error as EngineError).sql).toBe('DELETE FROM "sales"."orders"');
    const two = await conn.run("SELECT 1; SELECT 2").catch((e: unknown) => e);
    expect((two as Error).message).toMatch(/cannot insert multiple commands into a prepared statement/);
    expect(await conn.run(`SELECT count(*) AS n FROM ${conn.relation("orders")}`)).toEqual([{ n: 100 }]);
  });

  it("runs two statements side by side in two sessions, and queues a third", async () => {
    expect(conn.capabilities.concurrentStatements).toBe(2);
    const pid = "SELECT pg_backend_pid() AS pid, pg_sleep(0.1)::text AS slept";
    const pids = (await Promise.all([conn.run(pid), conn.run(pid), conn.run(pid)])).map((r) => r[0]?.pid);
    expect(new Set(pids.slice(0, 2)).size).toBe(2);
    expect(pids.slice(0, 2)).toContain(pids[2]);
  });

  it("stops a statement at the statement timeout", async () => {
    const slow = await PostgresConnection.connect({ ...conn.config, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      const error = await slow.run("SELECT pg_sleep(5)").catch((e: unknown) => e);
      expect((error as Error).message).toBe("timed out after 0.2 s");
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await slow.close();
    }
  });

  it("stops a statement at a shorter limit of its own, or cancels it on the server when its signal aborts", async () => {
    const slow = "SELECT count(*) AS n FROM generate_series(1, 100000) a, generate_series(1, 100000) b";
    let started = Date.now();
    const timedOut = await conn.run(slow, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(EngineError);
    expect(timedOut).toMatchObject({ message: "timed out after 0.2 s", sql: slow });
    expect(Date.now() - started).toBeLessThan(3_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    started = Date.now();
    expect(await conn.run(slow, { signal: controller.signal }).catch((e: unknown) => e)).toMatchObject({
      message: "stopped before it finished",
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await conn.run("SELECT 1 AS one", { timeoutMs: 1_000 })).toEqual([{ one: 1 }]);
  });

  it("runs a contract in one scan per dataset", async () => {
    const contract = {
      apiVersion: "v3.1.0",
      kind: "DataContract",
      schema: [
        {
          name: "orders",
          properties: [
            { name: "order_id", logicalType: "integer", physicalType: "bigint", required: true, unique: true },
            { name: "customer_id", quality: [{ metric: "nullValues", mustBeLessOrEqualTo: 10, unit: "percent" }] },
            {
              name: "amount",
              logicalType: "number",
              physicalType: "decimal(10,2)",
              logicalTypeOptions: { minimum: 0 },
            },
            {
              name: "status",
              logicalType: "string",
              quality: [{ metric: "invalidValues", arguments: { validValues: ["new", "paid", "shipped"] } }],
            },
            { name: "tags", logicalType: "array", logicalTypeOptions: { minItems: 1 } },
            { name: "created_at", logicalType: "timestamp" },
          ],
          quality: [
            { metric: "rowCount", mustBeGreaterThan: 50 },
            { type: "sql", query: "SELECT count(*) FROM {object} WHERE amount > 1000", mustBe: 0 },
          ],
        },
      ],
      slaProperties: [{ property: "latency", value: 2, unit: "h", element: "orders.created_at" }],
    };
    const result = await runChecks(buildChecks(contract), conn);
    // The latency check's value is the age of the newest row in seconds: about an hour, not pinned.
    const shown = result.checks.map((c) =>
      c.type === "freshness" ? { ...c, value: Math.round(Number(c.value) / 3600) } : c,
    );
    expect(shown.map((c) => `${c.key} ${c.result} ${c.value ?? ""} ${c.reason ?? ""}`.trim())).toMatchInlineSnapshot(`
      [
        "orders.objectExists passed",
        "orders.order_id.propertyExists passed",
        "orders.order_id.propertyType passed bigint",
        "orders.order_id.required passed 0",
        "orders.order_id.unique passed 0",
        "orders.customer_id.propertyExists passed",
        "orders.customer_id.quality.0.nullValues passed 10",
        "orders.amount.propertyExists passed",
        "orders.amount.propertyType passed numeric(10,2)",
        "orders.amount.minimum passed 0",
        "orders.status.propertyExists passed",
        "orders.status.propertyType passed character varying(20)",
        "orders.status.quality.0.invalidValues failed 25 25 is not = 0; invalid values include "void"",
        "orders.tags.propertyExists passed",
        "orders.tags.propertyType passed text[]",
        "orders.tags.minItems passed 0",
        "orders.created_at.propertyExists passed",
        "orders.created_at.propertyType passed timestamp with time zone",
        "orders.quality.0.rowCount passed 100",
        "orders.quality.1.sql passed 0",
        "sla.latency.orders.created_at passed 1",
      ]
    `);
    const scans = new Set(result.checks.filter((c) => c.sql?.includes("count(*) AS")).map((c) => c.sql));
    expect(scans.size).toBe(1);
  });
});

describe.skipIf(postgresSkipReason())("PostgresConnection as a least-privilege role", () => {
  let db: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  const role = `reader_${Math.random().toString(16).slice(2, 10)}`;
  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_role");
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE ROLE ${role} LOGIN;
      CREATE TABLE public.open_data (id int); INSERT INTO public.open_data VALUES (1), (2);
      CREATE TABLE public.salaries (id int, pay int); INSERT INTO public.salaries VALUES (1, 100);
      GRANT SELECT ON public.open_data TO ${role};`);
  });
  afterAll(async () => {
    await admin?.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => {});
    await admin?.end();
    await db?.drop();
  });

  it("checks what the role may read and names what it may not", async () => {
    const u = new URL(db.url);
    const conn = await PostgresConnection.open(
      {
        server: { type: "postgres", host: u.hostname, port: Number(u.port), database: u.pathname.slice(1) },
        objects: [{ name: "open_data" }, { name: "salaries" }],
        baseDir: ".",
      },
      { QUANTA_POSTGRES_USER: role },
    );
    try {
      const contract = {
        apiVersion: "v3.1.0",
        kind: "DataContract",
        schema: ["open_data", "salaries"].map((name) => ({
          name,
          properties: [{ name: "id", logicalType: "integer", required: true }],
          quality: [{ metric: "rowCount", mustBeGreaterThan: 0 }],
        })),
      };
      const result = await runChecks(buildChecks(contract), conn);
      expect(result.checks.map((c) => `${c.key} ${c.result} ${c.reason ?? ""}`.trim())).toMatchInlineSnapshot(`
        [
          "open_data.objectExists passed",
          "open_data.id.propertyExists passed",
          "open_data.id.propertyType passed",
          "open_data.id.required passed",
          "open_data.quality.0.rowCount passed",
          "salaries.objectExists passed",
          "salaries.id.propertyExists passed",
          "salaries.id.propertyType passed",
          "salaries.id.required error permission denied for table salaries",
          "salaries.quality.0.rowCount error permission denied for table salaries",
        ]
      `);
    } finally {
      await conn.close();
    }
  });
});

describe("PostgresConnection failures", () => {
  it("names an unreachable server quickly", async () => {
    const config = resolvePostgresConfig({ type: "postgres", host: "127.0.0.1", port: 1, database: "x" }, {});
    const started = Date.now();
    const error = await PostgresConnection.connect(config).catch((e: unknown) => e);
    // Not the engine's fault nor the query's: the server is unavailable (the platform answers 422 for the port).
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: "engine-unreachable" });
    expect((error as Error).message).toMatchInlineSnapshot(
      `"cannot connect to PostgreSQL at postgres://127.0.0.1:1/x: connection refused (is the server running and reachable?)"`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("fails fast on an unroutable host (connect timeout as the backstop)", async () => {
    // 192.0.2.0/24 is TEST-NET-1: routed nowhere, so the connect attempt just hangs.
    const config = resolvePostgresConfig(
      { type: "postgres", host: "192.0.2.1", port: 5432, database: "x" },
      { QUANTA_POSTGRES_CONNECT_TIMEOUT_MS: "300" },
    );
    const started = Date.now();
    const error = await PostgresConnection.connect(config).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^cannot connect to PostgreSQL at postgres:\/\/192\.0\.2\.1:5432\/x: /);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe.skipIf(postgresSkipReason())("PostgresConnection credentials", () => {
  let db: { url: string; drop(): Promise<void> };
  let base: Record<string, unknown>;
  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_auth");
    const u = new URL(db.url);
    base = { type: "postgres", host: u.hostname, port: Number(u.port), database: u.pathname.slice(1) };
  });
  afterAll(() => db?.drop());

  it("names a missing database", async () => {
    const error = await PostgresConnection.open(
      { server: { ...base, database: "no_such_db" }, objects: [], baseDir: "." },
      { QUANTA_POSTGRES_USER: "postgres" },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/database "no_such_db" does not exist/);
  });

  it("names an unknown role", async () => {
    const error = await PostgresConnection.open(
      { server: base, objects: [], baseDir: "." },
      { QUANTA_POSTGRES_USER: "nobody_here" },
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/role "nobody_here" does not exist/);
  });

  it("takes the whole URL from QUANTA_SERVER_<NAME>_URL", async () => {
    const conn = await PostgresConnection.open(
      { server: { type: "postgres", server: "prod-eu", schema: "public" }, objects: [], baseDir: "." },
      { QUANTA_SERVER_PROD_EU_URL: db.url },
    );
    expect(await conn.run("SELECT current_database() AS db")).toEqual([{ db: new URL(db.url).pathname.slice(1) }]);
    await conn.close();
  });
});
