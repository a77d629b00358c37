import { mkdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { duckdbEngine, readTabularFile } from "@quanta/engine-duckdb";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersContract, productYaml } from "../access/access-fixtures.js";
import { planRead, type ReadPlan } from "../access/read-access.js";
import { DataLocator, type VariableSource } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import type { Principal } from "../identity/principal.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { buildPipelineOutput, type OutputBuildRequest, type PlannedInput } from "./build-inputs.js";
import { revenueFiles } from "./pipeline-fixtures.js";

const asTeam = (team: string): Principal => ({
  userId: "pipeline:shop.revenue",
  name: "pipeline:shop.revenue",
  displayName: null,
  kind: "service",
  roles: [],
  teams: [{ team, role: "member" }],
  via: "token",
});

/**
 * Pipelines whose inputs are PostgreSQL tables (ADR 0030), on a real server: port `orders` of
 * shop.orders is the table sales.orders, read by team revenue-team under an approved agreement
 * (customer_email and customer_id masked, unconsented rows filtered out). The steps run in
 * PostgreSQL when every input is there, in DuckDB when the inputs are mixed.
 */
describe.skipIf(postgresSkipReason())("pipeline outputs built from PostgreSQL inputs", () => {
  let data: { url: string; drop(): Promise<void> };
  let store: { url: string; drop(): Promise<void> };
  let db: Database;
  let app: OpenAPIHono;
  let harness: Harness;
  let root: string;
  let locator: DataLocator;
  let orders: ReadPlan;
  let n = 0;

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
    data = await createTestDatabase("pipe_data");
    store = await createTestDatabase("pipe_store");
    const admin = new pg.Client({ connectionString: data.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA sales;
      CREATE TABLE sales.orders AS
        SELECT i AS order_id, 'person' || i || '@customers.example' AS customer_email, 'C' || i AS customer_id,
               (i * 10)::double precision AS amount, i % 3 <> 0 AS analytical_consent
        FROM generate_series(0, 29) AS s(i);
      CREATE FUNCTION public.leak() RETURNS text LANGUAGE sql AS $$ SELECT string_agg(customer_email, ',') FROM sales.orders $$;`);
    await admin.end();
    const u = new URL(data.url);
    const secrets: VariableSource = {
      async forEnvironment(env) {
        const values: Record<string, string> = {
          QUANTA_SERVER_WAREHOUSE_USER: decodeURIComponent(u.username),
          QUANTA_SERVER_WAREHOUSE_PASSWORD: decodeURIComponent(u.password),
          // A port nothing listens on, with a password to keep out of messages.
          QUANTA_SERVER_CLOSED_URL: `postgres://quanta:s3cret-pw@127.0.0.1:1/${u.pathname.slice(1)}`,
        };
        return { lookup: (name) => (env === "prod" ? values[name] : undefined), isSecret: () => true };
      },
    };
    root = await mkdtemp(join(tmpdir(), "quanta-pipe-pg-"));
    db = await openDatabase({ url: store.url });
    const registry = new Registry(db);
    const withoutTotals = productYaml().replace(/ {2}- name: totals[\s\S]*?value: auto\n/, "");
    await registry.publish({
      files: [
        { path: "shop-orders.odps.yaml", text: withoutTotals },
        { path: "contracts/orders.odcs.yaml", text: contract(u) },
      ],
    });
    await registry.publish({
      files: [
        {
          path: "p.odps.yaml",
          text: withoutTotals
            .replace("id: shop.orders", "id: shop.closed")
            .replaceAll("contractId: shop.orders.orders", "contractId: shop.closed.orders"),
        },
        {
          path: "contracts/orders.odcs.yaml",
          text: contract(u)
            .replace("id: shop.orders.orders", "id: shop.closed.orders")
            .replace("server: warehouse", "server: closed"),
        },
      ],
    });
    await registry.publish({ files: revenueFiles() });
    locator = new DataLocator(join(root, "platform"), { environment: "prod", variables: secrets });
    harness = new Harness({ db, registry, locator, log: () => {} });
    app = createApp({ registry, harness, logError: () => {} });
    const owner = await testIdentity(db, {
      username: "owner@shop.example",
      teams: [{ team: "shop-team", role: "owner" }],
    });
    const rita = await testIdentity(db, {
      username: "rita@revenue.example",
      teams: [{ team: "revenue-team", role: "owner" }],
    });
    const call = async (path: string, who: TestIdentity, body: unknown) => {
      const res = await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...who.headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as { id: string } };
    };
    const asked = await call("/api/access-requests", rita, {
      productId: "shop.orders",
      port: "orders",
      consumerTeam: "revenue-team",
      purpose: "Revenue figures",
    });
    expect(asked.status).toBe(201);
    expect((await call(`/api/access-requests/${asked.body.id}/approve`, owner, {})).status).toBe(200);
    orders = await planRead(
      db,
      locator,
      { productId: "shop.orders", port: "orders", action: "pipeline" },
      asTeam("revenue-team"),
    );
  });

  afterAll(async () => {
    harness?.close();
    await db?.close();
    await data?.drop();
    await store?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const build = (
    inputs: PlannedInput[],
    steps: OutputBuildRequest["steps"],
    extra: Partial<OutputBuildRequest> = {},
  ) => {
    // The staged version's folder, which the lake makes before a build.
    mkdirSync(join(root, `out-${++n}`), { recursive: true });
    const outputFile = join(root, `out-${n}`, "revenue.parquet");
    return {
      outputFile,
      built: buildPipelineOutput({
        inputs,
        steps,
        outputFile,
        tempDir: join(root, "tmp"),
        timeoutMs: 20_000,
        threads: 1,
        memoryLimit: "500MB",
        ...extra,
      }),
    };
  };
  const read = async (file: string) => (await readTabularFile(file, "parquet", 1000)).records;
  /** The Parquet file's columns and their types, as DuckDB reads them. */
  const types = async (file: string) => {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
      return Object.fromEntries(r.getRows().map((row) => [String(row[0]), String(row[1])]));
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  };
  const refusal = async (sql: string) => {
    const { built } = build(
      [{ port: "orders", plan: orders }],
      [
        { name: "consented", sql: "SELECT order_id, amount FROM orders" },
        { name: "bad", sql },
      ],
    );
    const e = (await built.catch((x: unknown) => x)) as {
      name: string;
      code: string;
      message: string;
      steps: unknown[];
    };
    expect(e.name).toBe("BuildFailed");
    return e;
  };

  it("runs the steps in PostgreSQL over the masked, filtered table and writes Parquet", async () => {
    const { outputFile, built } = build(
      [{ port: "orders", plan: orders }],
      [
        { name: "consented", sql: "SELECT order_id, amount, customer_email, customer_id FROM orders" },
        {
          name: "totals",
          sql: "SELECT count(*)::BIGINT AS orders, sum(amount) AS revenue, min(customer_email) AS sample_email,\n  max(customer_id) AS sample_id -- a trailing comment\nFROM consented",
        },
      ],
    );
    const result = await built;
    expect(result.engine).toBe("postgres");
    expect(result.rowsIn).toEqual({ "orders.orders": 20 });
    expect(result.rowsOut).toBe(1);
    expect(result.steps.map((s) => [s.name, s.status, s.rows])).toEqual([
      ["consented", "passed", 20],
      ["totals", "passed", 1],
    ]);
    expect(result.steps[1]?.sql).toContain('INSERT INTO pg_temp."totals"');
    expect(result.steps.every((s) => s.ms >= 0 && s.startedAt.length > 0)).toBe(true);
    // 30 orders, every third without consent: 20 read, their amounts summed, e-mail and id masked.
    expect(await read(outputFile)).toEqual([{ orders: "20", revenue: 3000, sample_email: "***", sample_id: "***" }]);
    expect(await types(outputFile)).toEqual({
      orders: "BIGINT",
      revenue: "DOUBLE",
      sample_email: "VARCHAR",
      sample_id: "VARCHAR",
    });
  });

  it("keeps types: integers, decimals, dates, timestamps and booleans survive the trip to Parquet", async () => {
    const { outputFile, built } = build(
      [{ port: "orders", plan: orders }],
      [
        {
          name: "typed",
          sql: `SELECT order_id, (amount / 3)::numeric(12,2) AS third, DATE '2024-01-01' + order_id AS day,
  TIMESTAMPTZ '2024-01-01 10:00:00+00' AS at, 1234567890123456789012345678.1234567891::numeric(38,10) AS big, analytical_consent, ARRAY[order_id, 1] AS pair, '' AS empty, NULL::text AS nothing
FROM orders WHERE order_id = 1`,
        },
      ],
    );
    await built;
    const [row] = await read(outputFile);
    expect(row).toMatchObject({
      order_id: 1,
      third: "3.33",
      big: "1234567890123456789012345678.1234567891",
      analytical_consent: true,
      empty: "",
      nothing: null,
    });
    expect(String(row?.day)).toContain("2024-01-02");
    expect(String(row?.pair)).toBe("[1,1]");
    expect(await types(outputFile)).toEqual({
      order_id: "INTEGER",
      third: "DECIMAL(12,2)",
      day: "DATE",
      at: "TIMESTAMP WITH TIME ZONE",
      big: "DECIMAL(38,10)",
      analytical_consent: "BOOLEAN",
      pair: "VARCHAR",
      empty: "VARCHAR",
      nothing: "VARCHAR",
    });
  });

  it.each([
    ["SELECT pg_read_file('/etc/passwd')", /function pg_read_file is not allowed/],
    ["SELECT public.leak()", /function public\.leak\(\) is not one of PostgreSQL's built-in functions/],
    ["SELECT 1; SELECT 2", /exactly one statement is allowed, found 2/],
    ["SET search_path = public", /only a SELECT is allowed, found SET/],
    ["SELECT set_config('search_path', 'public', true)", /function set_config is not allowed/],
    ["SELECT * FROM sales.orders", /reads sales\.orders, which is not an input or an earlier step/],
    ["SELECT count(*) FROM pg_catalog.pg_authid", /pg_authid/],
    ["WITH gone AS (DELETE FROM sales.orders RETURNING *) SELECT * FROM gone", /DELETE is not allowed/],
    ["SELECT * INTO public.copied FROM orders", /INTO is not allowed/],
    ["SELECT * FROM pg_catalog.pg_read_binary_file('/etc/hostname')", /function pg_read_binary_file is not allowed/],
  ])("refuses the step %s with a clear reason", async (sql, reason) => {
    const e = await refusal(sql);
    expect(e.code).toBe("sql-refused");
    expect(e.message).toMatch(/^step "bad" is refused: /);
    expect(e.message).toMatch(reason);
    expect(e.message).toContain("a step is one SELECT over the input ports and earlier steps (orders, consented)");
    expect(e.steps).toHaveLength(1);
  });

  it("cannot call a user function by its bare name: the session's path holds no user schema", async () => {
    const e = await refusal("SELECT leak()");
    expect(e.code).toBe("step-failed");
    expect(e.message).toMatch(/function leak\(\) does not exist/);
  });

  it("stops a step at the build's time limit", async () => {
    const { built } = build(
      [{ port: "orders", plan: orders }],
      [{ name: "slow", sql: "SELECT count(*) FROM generate_series(1, 1000000000) AS g" }],
      { timeoutMs: 300 },
    );
    const e = (await built.catch((x: unknown) => x)) as { code: string; message: string };
    expect(e.code).toBe("timeout");
    expect(e.message).toMatch(/time limit of 0 s|stopped at the run's time limit/);
  });

  it("stops a step when the run's signal is aborted, saying why", async () => {
    const controller = new AbortController();
    const { built } = build(
      [{ port: "orders", plan: orders }],
      [{ name: "slow", sql: "SELECT count(*) FROM generate_series(1, 1000000000) AS g" }],
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error("the run was cancelled by rita")), 300);
    const e = (await built.catch((x: unknown) => x)) as { code: string; message: string };
    expect(e.code).toBe("stopped");
    expect(e.message).toBe('step "slow" was stopped: the run was cancelled by rita');
  });

  it("names an unreachable server the way reads do, never its credentials", async () => {
    const closed = await planRead(db, locator, { productId: "shop.closed", port: "orders" }, asTeam("shop-team"));
    const { built } = build([{ port: "orders", plan: closed }], [{ name: "all", sql: "SELECT * FROM orders" }]);
    const e = (await built.catch((x: unknown) => x)) as { name: string; code: string; message: string };
    expect(e.name).toBe("BuildFailed");
    expect(e.code).toBe("engine-unreachable");
    expect(e.message).toMatch(/^cannot connect to PostgreSQL at .*connection refused/);
    expect(e.message).not.toContain("s3cret-pw");
    // The server is named, not its address.
    expect(e.message).toContain("cannot connect to PostgreSQL at the closed (postgres) server");
    expect(e.message).not.toMatch(/postgres:\/\/|127\.0\.0\.1/);
  });

  it("builds mixed inputs in DuckDB: the PostgreSQL input read masked and filtered first", async () => {
    const regions = join(root, "regions.csv");
    await writeFile(regions, "order_id,region\n1,north\n2,south\n3,east\n");
    const files = {
      port: "regions",
      plan: {
        datasets: [
          { name: "regions", source: { kind: "files", files: [regions], format: "csv" }, masked: [], rowFilters: [] },
        ],
        source: { engine: duckdbEngine, redact: (t: string) => t },
      } as unknown as PlannedInput["plan"],
    };
    const { outputFile, built } = build(
      [{ port: "orders", plan: orders }, files],
      [
        {
          name: "joined",
          sql: "SELECT o.order_id, r.region, o.customer_email FROM orders o JOIN regions.regions r USING (order_id) ORDER BY 1",
        },
      ],
    );
    const result = await built;
    expect(result.engine).toBe("duckdb");
    expect(result.rowsIn).toMatchObject({ "orders.orders": 20, "regions.regions": 3 });
    // Order 3 has no consent: filtered out before DuckDB saw it.
    expect(await read(outputFile)).toEqual([
      { order_id: 1, region: "north", customer_email: "***" },
      { order_id: 2, region: "south", customer_email: "***" },
    ]);
  });

  it("builds in DuckDB when the output says so (engine: duckdb), in DuckDB's dialect", async () => {
    const { outputFile, built } = build(
      [{ port: "orders", plan: orders }],
      [{ name: "n", sql: "SELECT count(*) AS n, list(order_id ORDER BY order_id)[1] AS first FROM orders" }],
      { engine: "duckdb" },
    );
    const result = await built;
    expect(result.engine).toBe("duckdb");
    expect(await read(outputFile)).toEqual([{ n: "20", first: 1 }]);
  });
});
