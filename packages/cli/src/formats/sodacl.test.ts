import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

/**
 * A SodaCL checks file imported with `quanta import --format sodacl` and RUN by `quanta test` on
 * real Parquet files: every check passes on good data, the right ones fail on bad data, none is
 * skipped.
 */
const dir = tempDir("quanta-sodacl-");
const quanta = consoleIn(dir);

const checks = `checks for orders:
  - row_count between 3 and 100
  - schema:
      fail:
        when required column missing: [order_id, status]
  - missing_count(order_id) = 0
  - duplicate_count(order_id) = 0
  - invalid_count(status) = 0:
      valid values: [placed, shipped]
  - invalid_count(order_id) = 0:
      valid regex: ^ORD-[0-9]+$
  - invalid_count(total) = 0:
      valid min: 0
  - invalid_count(country) = 0:
      valid length: 2
  - invalid_percent(email) < 20%:
      valid format: email
  - missing_percent(email) <= 25%
  - avg(total) between 1 and 1000
  - freshness(ordered_at) < 1d
  - values in (customer_id) must exist in customers (id)
  - revenue > 0:
      revenue query: SELECT SUM(total) FROM orders
  - failed rows:
      name: No huge refunds
      fail condition: total < -100
checks for customers:
  - row_count > 0
  - missing_count(id) = 0
`;

/** The checks the bad data breaks, in the order quanta test reports them (the same on every engine). */
const failingOnBadData = [
  "orders.order_id is required (no nulls)",
  "orders.order_id is unique",
  "orders.order_id invalidValues",
  "orders.status invalidValues",
  "invalid_count(total) = 0",
  "avg(total) between 1 and 1000",
  "invalid_count(country) = 0",
  "orders.email invalidValues",
  "orders.email nullValues",
  "freshness(ordered_at) < 1d",
  "values in customer_id must exist in customers.id",
  "revenue > 0",
  "No huge refunds",
  "customers.id is required (no nulls)",
];

interface Result {
  key: string;
  name: string;
  result: string;
  reason?: string;
}

async function run(server: string): Promise<Result[]> {
  const r = await quanta("test", "orders.odcs.yaml", "--server", server, "--format", "json");
  expect(r.err).toBe("");
  return (JSON.parse(r.out) as { checks: Result[] }).checks;
}

beforeAll(async () => {
  for (const kind of ["good", "bad"]) mkdirSync(join(dir, kind));
  await writeData(
    join(dir, "good", "orders.parquet"),
    `SELECT 'ORD-' || i AS order_id, 1 + i % 3 AS customer_id, ['placed', 'shipped'][1 + i % 2] AS status,
            10.5 * i AS total, 'NL' AS country, CASE WHEN i = 1 THEN NULL ELSE 'c' || i || '@example.com' END AS email,
            now() - i * INTERVAL 1 HOUR AS ordered_at
     FROM range(1, 11) t(i)`,
  );
  await writeData(join(dir, "good", "customers.parquet"), "SELECT i AS id FROM range(1, 4) t(i)");
  await writeData(
    join(dir, "bad", "orders.parquet"),
    `SELECT * FROM (VALUES
       ('ORD-1', 1, 'placed', -500.0, 'NL', 'a@example.com', now() - INTERVAL 3 DAY),
       ('ORD-1', 2, 'lost', -5.0, 'NLD', 'not an email', now() - INTERVAL 3 DAY),
       (NULL, 99, 'shipped', 20.0, 'BE', NULL, now() - INTERVAL 2 DAY),
       ('X-4', 1, 'placed', 30.0, 'DE', NULL, now() - INTERVAL 4 DAY)
     ) t(order_id, customer_id, status, total, country, email, ordered_at)`,
  );
  await writeData(join(dir, "bad", "customers.parquet"), "SELECT * FROM (VALUES (1), (2), (NULL)) t(id)");
  writeFileSync(join(dir, "checks.yml"), checks);
  const imported = await quanta("import", "checks.yml", "--format", "sodacl", "-o", "orders.odcs.yaml");
  expect([imported.code, imported.err]).toEqual([0, "wrote orders.odcs.yaml (ODCS)\n"]);
  const contract = parse(readFileSync(join(dir, "orders.odcs.yaml"), "utf8"));
  contract.servers = ["good", "bad"].map((kind) => ({
    server: kind,
    type: "local",
    path: `${kind}/{model}.parquet`,
    format: "parquet",
  }));
  writeFileSync(join(dir, "orders.odcs.yaml"), stringify(contract));
});

describe("SodaCL checks imported and run by quanta test", () => {
  it("lints clean", async () => {
    const lint = await quanta("lint", "orders.odcs.yaml", "--format", "json");
    expect(JSON.parse(lint.out).issues.filter((i: { severity: string }) => i.severity !== "info")).toEqual([]);
  });

  it("passes every check on good data, none skipped", async () => {
    const results = await run("good");
    expect(results.filter((c) => c.result !== "passed")).toEqual([]);
    // Every SodaCL check is there: 16 on orders and 2 on customers, plus existence checks.
    expect(results.length).toBeGreaterThanOrEqual(18);
  });

  it("fails exactly the checks the bad data breaks", async () => {
    const results = await run("bad");
    expect(results.filter((c) => c.result === "skipped" || c.result === "error")).toEqual([]);
    const failed = results.filter((c) => c.result === "failed").map((c) => c.name);
    expect(failed).toEqual(failingOnBadData);
    const passed = results.filter((c) => c.result === "passed").map((c) => c.name);
    expect(passed).toEqual(expect.arrayContaining(["orders rowCount", "customers rowCount", "orders.status exists"]));
  });
});

describe("hostile names through SodaCL and back, run on real data", () => {
  const hostile = join(import.meta.dirname, "../../../core/src/formats/testdata/hostile.odcs.yaml");

  beforeAll(async () => {
    mkdirSync(join(dir, "hostile"));
    const cols = `1 AS "from", DATE '2024-01-02' AS "order date", 'c' AS "class", 1.5 AS "größe", 'q' AS "a""b",
      'a' AS "x'y", TRUE AS "1st", 'ключ' AS "ключ", TIMESTAMP '2024-01-02 03:04:05' AS "a;drop table x"`;
    await writeData(
      join(dir, "hostile", "select.parquet"),
      `SELECT ${cols}, 'it''s' AS "type" UNION ALL SELECT 2, DATE '2024-01-03', 'c', 2.5, 'q', 'a', FALSE, 'k', NULL, 'say "hi"'
       UNION ALL SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'a\\b'`,
    );
    await writeData(
      join(dir, "hostile", "order items.parquet"),
      `SELECT 1 AS "def", {'func': 'f'} AS "interface", ['p'] AS "package" UNION ALL SELECT 3, NULL, NULL`,
    );
    const exported = await quanta("export", hostile, "--format", "sodacl", "-o", "hostile.checks.yml");
    expect(exported.code).toBe(0);
    const imported = await quanta("import", "hostile.checks.yml", "--format", "sodacl", "-o", "hostile.odcs.yaml");
    expect(imported.code).toBe(0);
    const contract = parse(readFileSync(join(dir, "hostile.odcs.yaml"), "utf8"));
    // DuckDB matches column names case-insensitively: "Order Date" and "order date" cannot both be
    // columns of one file, so the data (not the contract) leaves "Order Date" out.
    const select = contract.schema.find((o: { name: string }) => o.name === "select");
    select.properties = select.properties.filter((p: { name: string }) => p.name !== "Order Date");
    contract.servers = [{ server: "files", type: "local", path: "hostile/{model}.parquet", format: "parquet" }];
    writeFileSync(join(dir, "hostile.odcs.yaml"), stringify(contract));
  });

  it("quotes every name: all checks pass on matching data, and a wrong value fails by name", async () => {
    const r = await quanta("test", "hostile.odcs.yaml", "--format", "json");
    const results = (JSON.parse(r.out) as { checks: Result[] }).checks;
    expect(results.filter((c) => c.result !== "passed")).toEqual([]);
    expect(results.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'select.a"b exists',
        "select.type invalidValues",
        "values in def must exist in select.from",
      ]),
    );
    await writeData(
      join(dir, "hostile", "order items.parquet"),
      `SELECT 1 AS "def", {'func': 'f'} AS "interface", ['p'] AS "package" UNION ALL SELECT 9, NULL, NULL`,
    );
    const bad = JSON.parse((await quanta("test", "hostile.odcs.yaml", "--format", "json")).out) as { checks: Result[] };
    expect(bad.checks.filter((c) => c.result !== "passed").map((c) => `${c.result} ${c.name}`)).toEqual([
      "failed values in def must exist in select.from",
    ]);
  });
});

describe.skipIf(postgresSkipReason())("the same imported SodaCL checks on PostgreSQL", () => {
  let db: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  const user = process.env.QUANTA_POSTGRES_USER;

  beforeAll(async () => {
    db = await createTestDatabase("sodacl");
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA good; CREATE SCHEMA bad;
      CREATE TABLE good.orders AS
        SELECT 'ORD-' || i AS order_id, 1 + i % 3 AS customer_id, (ARRAY['placed', 'shipped'])[1 + i % 2] AS status,
               10.5 * i AS total, 'NL' AS country, CASE WHEN i = 1 THEN NULL ELSE 'c' || i || '@example.com' END AS email,
               now() - i * INTERVAL '1 hour' AS ordered_at
        FROM generate_series(1, 10) AS t(i);
      CREATE TABLE good.customers AS SELECT i AS id FROM generate_series(1, 3) AS t(i);
      CREATE TABLE bad.orders AS SELECT * FROM (VALUES
        ('ORD-1', 1, 'placed', -500.0, 'NL', 'a@example.com', now() - INTERVAL '3 days'),
        ('ORD-1', 2, 'lost', -5.0, 'NLD', 'not an email', now() - INTERVAL '3 days'),
        (NULL, 99, 'shipped', 20.0, 'BE', NULL, now() - INTERVAL '2 days'),
        ('X-4', 1, 'placed', 30.0, 'DE', NULL, now() - INTERVAL '4 days')
      ) AS t(order_id, customer_id, status, total, country, email, ordered_at);
      CREATE TABLE bad.customers AS SELECT * FROM (VALUES (1), (2), (NULL::integer)) AS t(id);`);
    const u = new URL(db.url);
    process.env.QUANTA_POSTGRES_USER = decodeURIComponent(u.username);
    const contract = parse(readFileSync(join(dir, "orders.odcs.yaml"), "utf8"));
    contract.servers = ["good", "bad"].map((schema) => ({
      server: schema,
      type: "postgres",
      host: u.hostname,
      port: Number(u.port),
      database: u.pathname.slice(1),
      schema,
    }));
    writeFileSync(join(dir, "orders.pg.odcs.yaml"), stringify(contract));
  });
  afterAll(async () => {
    if (user === undefined) delete process.env.QUANTA_POSTGRES_USER;
    else process.env.QUANTA_POSTGRES_USER = user;
    await admin?.end();
    await db?.drop();
  });

  const runPg = async (server: string) => {
    const r = await quanta("test", "orders.pg.odcs.yaml", "--server", server, "--format", "json");
    expect(r.err).toBe("");
    return (JSON.parse(r.out) as { checks: Result[] }).checks;
  };

  it("passes on good data and fails the same checks on bad data", async () => {
    expect((await runPg("good")).filter((c) => c.result !== "passed")).toEqual([]);
    const bad = await runPg("bad");
    expect(bad.filter((c) => c.result === "skipped" || c.result === "error")).toEqual([]);
    expect(bad.filter((c) => c.result === "failed").map((c) => c.name)).toEqual(failingOnBadData);
  });
});
