import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, QuantaError, UnavailableError, UnprocessableError } from "@quanta/core";
import {
  type ConsumeQuery,
  type ConsumeStream,
  defaultConsumeLimits,
  type ReadDataset,
  type ReadRequest,
} from "@quanta/core/engines";
import { createTestDatabase, freePort, postgresSkipReason } from "@quanta/testing";
import { tableFromIPC } from "apache-arrow";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresEngine } from "../manifest.js";
import type { PostgresReader } from "./postgres-reader.js";

const customers: ReadDataset = {
  name: "customers",
  source: { kind: "table", schema: undefined, table: "customers" },
  masked: ["EMAIL", "age"],
  rowFilters: ["region = 'EU'", "age >= 30"],
};
const orders: ReadDataset = {
  name: "orders",
  source: { kind: "table", schema: "sales", table: "orders" },
  masked: [],
  rowFilters: [],
};

const body = (s: ConsumeStream) => new Response(s.body as ReadableStream<Uint8Array>);

async function rejection(p: Promise<unknown>): Promise<QuantaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QuantaError) return e;
    throw e;
  }
  throw new Error("expected the read to be refused");
}

describe.skipIf(postgresSkipReason())("PostgresReader", () => {
  let db: { url: string; drop(): Promise<void> };
  let server: Record<string, unknown>;
  let reader: PostgresReader;
  let tempDir: string;
  const env = { QUANTA_POSTGRES_USER: "postgres" };

  const read = (datasets: readonly ReadDataset[], query: Partial<ConsumeQuery>, limits = {}) =>
    reader.consume({
      server,
      env,
      datasets,
      query: { limit: 100, format: "json", ...query },
      limits: { ...defaultConsumeLimits, ...limits },
    } satisfies ReadRequest);
  const json = async (datasets: readonly ReadDataset[], query: Partial<ConsumeQuery>, limits = {}) => {
    const stream = await read(datasets, { ...query, format: "json" }, limits);
    const text = await body(stream).text();
    return { stream, text, value: JSON.parse(text), outcome: await stream.done };
  };

  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_consume");
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA sales;
      CREATE TABLE sales.customers (
        id integer PRIMARY KEY, name text, "Email" varchar(100), age integer, region text, vip boolean,
        joined date, seen timestamptz, balance numeric(12,2), score double precision, visits bigint,
        tags text[], attrs jsonb, note text);
      INSERT INTO sales.customers VALUES
        (1, 'Ada', 'ada@example.eu', 36, 'EU', true, '2020-01-31', '2024-05-06 07:08:09.123456+02', 1234.50, 0.5,
         9007199254740993, ARRAY['a','b'], '{"k": 1}', 'says "hi", then
leaves'),
        (2, 'Bob', 'bob@example.com', 41, 'US', false, '2021-02-01', '2024-01-01 00:00:00+00', -3.25, 1.5, 2, NULL, NULL, ''),
        (3, 'Cleo', 'cleo@example.eu', 25, 'EU', NULL, '1969-12-31', NULL, NULL, 'NaN', -1, '{}', '[]', NULL),
        (4, 'Dan', 'dan@example.eu', 52, 'EU', false, '0044-03-15 BC', 'infinity', 0.01, 'Infinity', 0, ARRAY['x'], 'null', 'ü');
      CREATE TABLE sales.orders (order_id bigint, customer_id integer, amount numeric(10,2));
      INSERT INTO sales.orders SELECT i, 1 + i % 4, i * 1.25 FROM generate_series(1, 20) AS s(i);
      CREATE TABLE sales.secrets (x text);
      INSERT INTO sales.secrets VALUES ('top secret');
      CREATE VIEW sales.leaky AS SELECT * FROM sales.secrets;
      CREATE TABLE public.elsewhere (x integer);
      CREATE FUNCTION public.leak() RETURNS SETOF text LANGUAGE sql AS 'SELECT x FROM sales.secrets';`);
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
    tempDir = mkdtempSync(join(tmpdir(), "quanta-pg-consume-"));
    reader = (await postgresEngine.loadReader?.({ tempDir })) as PostgresReader;
  });
  afterAll(async () => {
    await reader?.close();
    await db?.drop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it("serves the only dataset masked and filtered as JSON, with PostgreSQL's type names", async () => {
    const { stream, value, outcome } = await json([customers], {});
    expect(stream.contentType).toBe("application/json; charset=utf-8");
    expect(value.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "name", type: "text" },
      { name: "Email", type: "text" },
      { name: "age", type: "integer" },
      { name: "region", type: "text" },
      { name: "vip", type: "boolean" },
      { name: "joined", type: "date" },
      { name: "seen", type: "timestamp with time zone" },
      { name: "balance", type: "numeric(12,2)" },
      { name: "score", type: "double precision" },
      { name: "visits", type: "bigint" },
      { name: "tags", type: "text[]" },
      { name: "attrs", type: "jsonb" },
      { name: "note", type: "text" },
    ]);
    expect(value.rows).toEqual([
      {
        id: 1,
        name: "Ada",
        Email: "***",
        age: null,
        region: "EU",
        vip: true,
        joined: "2020-01-31",
        seen: "2024-05-06T05:08:09.123456+00:00",
        balance: 1234.5,
        score: 0.5,
        visits: 9007199254740992, // JSON.parse rounds; the text holds 9007199254740993
        tags: ["a", "b"],
        attrs: { k: 1 },
        note: 'says "hi", then\nleaves',
      },
      {
        id: 4,
        name: "Dan",
        Email: "***",
        age: null,
        region: "EU",
        vip: false,
        joined: "0044-03-15 BC",
        seen: "infinity",
        balance: 0.01,
        score: "Infinity",
        visits: 0,
        tags: ["x"],
        attrs: null,
        note: "ü",
      },
    ]);
    expect(value).toMatchObject({ rowCount: 2, truncated: false });
    expect(outcome).toMatchObject({ rows: 2, truncated: false });
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it("writes CSV with a header, RFC 4180 quoting and CRLF", async () => {
    const stream = await read([customers], {
      format: "csv",
      sql: "SELECT id, name, vip, tags, note, balance, \"Email\" FROM customers UNION ALL SELECT 9, '', NULL, NULL, 'a,b', NULL, NULL ORDER BY 1",
    });
    expect(stream.contentType).toBe("text/csv; charset=utf-8");
    expect(await body(stream).text()).toBe(
      'id,name,vip,tags,note,balance,Email\r\n1,Ada,true,"[""a"",""b""]","says ""hi"", then\nleaves",1234.50,***\r\n4,Dan,false,"[""x""]",ü,0.01,***\r\n9,"",,,"a,b",,\r\n',
    );
    expect(await stream.done).toMatchObject({ rows: 3, truncated: false });
  });

  it("writes Arrow IPC with PostgreSQL's types mapped to Arrow's", async () => {
    const all = { ...customers, masked: ["email"], rowFilters: [] };
    const stream = await read([all], { format: "arrow", sql: "SELECT * FROM customers ORDER BY id" });
    expect(stream.contentType).toBe("application/vnd.apache.arrow.stream");
    const table = tableFromIPC(new Uint8Array(await body(stream).arrayBuffer()));
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toStrictEqual([
      "id: Int32",
      "name: Utf8",
      "Email: Utf8",
      "age: Int32",
      "region: Utf8",
      "vip: Bool",
      "joined: Date32<DAY>",
      "seen: Timestamp<MICROSECOND, UTC>",
      "balance: Decimal[12e+2]",
      "score: Float64",
      "visits: Int64",
      "tags: Utf8",
      "attrs: Utf8",
      "note: Utf8",
    ]);
    const col = (name: string) => table.getChild(name)!.toArray();
    expect([...col("id")]).toEqual([1, 2, 3, 4]);
    expect(table.getChild("Email")!.toJSON()).toEqual(["***", "***", "***", "***"]);
    expect(table.getChild("vip")!.toJSON()).toEqual([true, false, null, false]);
    // Days since 1970-01-01 (as PostgreSQL subtracts dates): 2020-01-31, 2021-02-01, 1969-12-31, 44 BC.
    expect([...(table.getChild("joined")!.data[0]!.values as Int32Array)]).toEqual([18292, 18659, -1, -735_160]);
    // Microseconds since the epoch, in UTC; infinity as the largest 64-bit value (as DuckDB sends it).
    const seen = table.getChild("seen")!;
    expect([...(seen.data[0]!.values as BigInt64Array)].filter((_, i) => seen.isValid(i))).toEqual([
      1_714_972_089_123_456n,
      1_704_067_200_000_000n,
      9_223_372_036_854_775_807n,
    ]);
    expect(seen.get(2)).toBeNull();
    const balance = table.getChild("balance")!;
    const unscaled = (i: number) => {
      const w = balance.data[0]!.values as Uint32Array;
      return BigInt.asIntN(
        128,
        [0, 1, 2, 3].reduce((v, k) => v | (BigInt(w[i * 4 + k]!) << BigInt(32 * k)), 0n),
      );
    };
    expect([unscaled(0), unscaled(1), unscaled(3)]).toEqual([123_450n, -325n, 1n]);
    expect(balance.get(2)).toBeNull();
    expect([...(col("score") as Float64Array)]).toEqual([0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]);
    expect([...(col("visits") as BigInt64Array)]).toEqual([9007199254740993n, 2n, -1n, 0n]);
    expect(table.getChild("tags")!.toJSON()).toEqual(['["a","b"]', null, "[]", '["x"]']);
    expect(table.getChild("attrs")!.toJSON()).toEqual(['{"k": 1}', null, "[]", "null"]);
    expect(table.getChild("note")!.toJSON()).toEqual(['says "hi", then\nleaves', "", null, "ü"]);
    expect(await stream.done).toMatchObject({ rows: 4, truncated: false });
  });

  it("reads one row past the limit to tell a truncated result", async () => {
    const { value } = await json([orders], { limit: 3, sql: "SELECT order_id FROM orders ORDER BY order_id" });
    expect(value).toMatchObject({ rows: [{ order_id: 1 }, { order_id: 2 }, { order_id: 3 }], rowCount: 3 });
    expect(value.truncated).toBe(true);
    const exact = await json([orders], { limit: 20 });
    expect(exact.value).toMatchObject({ rowCount: 20, truncated: false });
    const csv = await read([orders], { format: "csv", limit: 2, sql: "SELECT order_id FROM orders ORDER BY 1" });
    expect(await body(csv).text()).toBe("order_id\r\n1\r\n2\r\n");
    expect(await csv.done).toMatchObject({ rows: 2, truncated: true });
    const arrow = await read([orders], { format: "arrow", limit: 5 });
    expect(tableFromIPC(new Uint8Array(await body(arrow).arrayBuffer())).numRows).toBe(5);
  });

  it("joins several datasets by name and asks for SQL when none is given", async () => {
    const { value } = await json([customers, orders], {
      sql: "SELECT c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY 1 ORDER BY 1",
    });
    // Bob (US) and Cleo (25) are filtered out of customers, so their orders join nothing.
    expect(value.rows).toEqual([
      { name: "Ada", total: 75.0 },
      { name: "Dan", total: 68.75 },
    ]);
    const e = await rejection(read([customers, orders], {}));
    expect(e).toBeInstanceOf(InputError);
    expect(e.code).toBe("sql-required");
  });

  it("keeps the consumer's conditions above the row filters and never shows masked values", async () => {
    // Run below the filters, this would divide by zero on Bob's row (US).
    const { value } = await json([customers], {
      sql: "SELECT id FROM customers WHERE (CASE WHEN region <> 'EU' THEN 1 / (id - id) ELSE 1 END) = 1 ORDER BY id",
    });
    expect(value.rows).toEqual([{ id: 1 }, { id: 4 }]);
    const masked = await json([customers], {
      sql: `SELECT count(*) AS n FROM customers WHERE "Email" LIKE '%@%' OR age IS NOT NULL`,
    });
    expect(masked.value.rows).toEqual([{ n: 0 }]);
  });

  it.each([
    ["SELECT * FROM sales.secrets", "the query reads sales.secrets, which is not one of the port's datasets"],
    ["SELECT * FROM sales.customers", "the query reads sales.customers, which is not one of the port's datasets"],
    ["SELECT * FROM customers, public.elsewhere", "the query reads public.elsewhere"],
    ["SELECT * FROM sales.leaky", "the query reads sales.secrets"],
    ["TABLE sales.secrets", "the query reads sales.secrets"],
    [
      "SELECT * FROM (WITH customers AS MATERIALIZED (SELECT * FROM sales.customers) SELECT * FROM customers) AS x",
      "the query reads sales.customers",
    ],
    ["SELECT id FROM customers WHERE id IN (SELECT 1 FROM sales.secrets)", "the query reads sales.secrets"],
    ["SELECT * FROM pg_catalog.pg_authid", "reading the system catalog pg_catalog.pg_authid is not allowed"],
    ["SELECT * FROM pg_user", "reading the system catalog pg_catalog.pg_authid is not allowed"],
    ["SELECT * FROM pg_stat_activity", "function pg_stat_get_activity"],
    ["SELECT pg_read_file('/etc/passwd')", "function pg_read_file is not allowed"],
    ["SELECT * FROM public.leak()", "function public.leak() is not one of PostgreSQL's built-in functions"],
    ["SELECT ts_stat('SELECT to_tsvector(x) FROM sales.secrets')", "function ts_stat is not allowed"],
    ["SELECT pg_get_viewdef('sales.leaky')", "function pg_get_viewdef() reads the catalog"],
    ["SELECT current_query()", "function current_query() reads the statement"],
    ["SELECT set_config('role', 'postgres', true)", "function set_config is not allowed"],
    ["DELETE FROM customers", "only a SELECT is allowed, found DELETE"],
    ["WITH d AS (DELETE FROM sales.secrets RETURNING *) SELECT * FROM d", "DELETE is not allowed"],
    ["SELECT * INTO sales.copy FROM customers", "INTO is not allowed"],
    ["SELECT * FROM customers FOR UPDATE", "row locks (FOR UPDATE/SHARE) are not allowed"],
    ["SELECT 1; SELECT 2", "exactly one statement is allowed, found 2"],
    ["SELECT 1; DROP TABLE sales.secrets", "exactly one statement is allowed, found 2"],
    ["SET ROLE postgres", "only a SELECT is allowed, found SET"],
    ["SELECT * FROM customers) AS x, (SELECT * FROM sales.secrets", "a closing parenthesis has no opening one"],
    ["SELECT (1", "the SQL has an unclosed parenthesis"],
  ])("refuses %j", async (sql, reason) => {
    const e = await rejection(read([customers], { sql }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.code).toBe("sql-refused");
    expect(e.message).toContain(reason);
    expect(e.message).toContain("a consume query is one SELECT over the port's datasets (customers)");
    expect(e.message).not.toContain("top secret");
  });

  it("finds no user function by an unqualified name", async () => {
    const e = await rejection(read([customers], { sql: "SELECT * FROM leak()" }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.code).toBe("query-failed");
    expect(e.message).toContain("function leak() does not exist");
  });

  it("answers the query's own faults as InputErrors, before any connection", async () => {
    const cases: [Partial<ConsumeQuery>, object, string, RegExp][] = [
      [{ limit: 11 }, { maxRows: 10 }, "limit-too-large", /limit 11 is above this server's maximum 10/],
      [{ sql: `SELECT 1 AS a ${"-".repeat(20)}` }, { maxSqlLength: 20 }, "sql-too-long", /at most 20/],
      [{ format: "parquet" }, {}, "format-not-served", /serves json, csv, arrow, not parquet/],
      [{ sql: "SELECT nope FROM customers" }, {}, "query-failed", /column "nope" does not exist/],
      [{ sql: "SELEC 1" }, {}, "sql-refused", /only a SELECT is allowed/],
    ];
    for (const [query, limits, code, message] of cases) {
      const e = await rejection(read([customers], query, limits));
      expect(e, code).toBeInstanceOf(InputError);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    }
  });

  it("writes results past one Arrow batch and one CSV chunk, long values included", async () => {
    const sql =
      "SELECT i, repeat('x', i % 50) || i AS s FROM generate_series(1, 70000) AS g(i) UNION ALL SELECT 0, repeat('é', 1500000)";
    const arrow = await read([orders], { format: "arrow", limit: 70_001, sql });
    const table = tableFromIPC(new Uint8Array(await body(arrow).arrayBuffer()));
    expect(table.numRows).toBe(70_001);
    expect(table.batches.length).toBeGreaterThan(1);
    const s = table.getChild("s")!;
    expect([s.get(0), s.get(48), s.get(69_999)]).toEqual(["x1", `${"x".repeat(49)}49`, "70000"]);
    expect(s.get(70_000)).toBe("é".repeat(1_500_000));
    const csv = await read([orders], { format: "csv", limit: 70_001, sql });
    const lines = (await body(csv).text()).split("\r\n");
    expect(lines).toHaveLength(70_003);
    expect([lines[1], lines[70_000], lines[70_001]?.length]).toEqual(["1,x1", "70000,70000", 1_500_002]);
  });

  it("stops a query at the time limit, on the server and from the reader", async () => {
    const started = performance.now();
    const one = await rejection(
      read([orders], { sql: "SELECT count(*) FROM generate_series(1, 2000000000)" }, { timeoutMs: 300 }),
    );
    expect(one).toBeInstanceOf(InputError);
    expect(one.code).toBe("query-timeout");
    expect(one.message).toBe("the query ran longer than the time limit of 300 ms and was stopped");
    const many = await rejection(
      read(
        [orders],
        { format: "arrow", limit: 1_000_000, sql: "SELECT i, md5(i::text) FROM generate_series(1, 100000000) AS s(i)" },
        { timeoutMs: 300 },
      ),
    );
    expect(many.code).toBe("query-timeout");
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(readdirSync(tempDir)).toEqual([]);
    // The pooled connections are still good.
    expect((await json([orders], { sql: "SELECT count(*) AS n FROM orders" })).value.rows).toEqual([{ n: 20 }]);
  });

  it("says which dataset cannot be read: a missing table, an unknown mask, a bad row filter", async () => {
    const cases: [ReadDataset, string, RegExp][] = [
      [{ ...orders, source: { kind: "table", schema: "sales", table: "gone" } }, "dataset-unreadable", /sales\.gone/],
      [{ ...orders, masked: ["nope"] }, "masked-column-unknown", /masks "nope", which sales\.orders does not have/],
      [{ ...orders, rowFilters: ["amount"] }, "dataset-unreadable", /argument of WHERE must be type boolean/],
      [{ ...orders, rowFilters: ["amount > 1) OR (true"] }, "row-filter-invalid", /closing parenthesis/],
      [{ ...orders, rowFilters: ["customer_id IN (SELECT 1)"] }, "row-filter-invalid", /not a subquery/],
      [{ ...orders, rowFilters: ["pg_read_file('x') = ''"] }, "row-filter-invalid", /pg_read_file/],
      [{ ...orders, source: { kind: "files", files: ["/x.parquet"], format: "parquet" } }, "engine-mismatch", /files/],
    ];
    for (const [dataset, code, message] of cases) {
      const e = await rejection(read([dataset], {})).catch((x) => {
        throw new Error(`${code}: ${x}`);
      });
      expect(e, code).toBeInstanceOf(UnprocessableError);
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    }
  });

  it("names the server without its password when it cannot connect or log in", async () => {
    const password = "hunter2-do-not-show";
    const closed = await freePort();
    const refused = await rejection(
      reader.consume({
        server: { server: "far", type: "postgres", host: "127.0.0.1", port: closed, database: "db" },
        env: { QUANTA_SERVER_FAR_USER: "bob", QUANTA_SERVER_FAR_PASSWORD: password },
        datasets: [orders],
        query: { limit: 1, format: "json" },
        limits: defaultConsumeLimits,
      }),
    );
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused.code).toBe("engine-unreachable");
    expect(refused.message).toBe(
      `cannot connect to PostgreSQL at postgres://bob:***@127.0.0.1:${closed}/db: connection refused (is the server running and reachable?)`,
    );
    // A server that refuses the password, as PostgreSQL does (an ErrorResponse to the startup message).
    const fake: Server = createServer((socket) => {
      socket.once("data", () => {
        const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed for user "bob"\0\0');
        const header = Buffer.alloc(5);
        header.write("E");
        header.writeInt32BE(fields.length + 4, 1);
        socket.end(Buffer.concat([header, fields]));
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as { port: number }).port;
    try {
      const login = await rejection(
        reader.consume({
          server: { server: "far", type: "postgres", host: "127.0.0.1", port, database: "db" },
          env: { QUANTA_SERVER_FAR_USER: "bob", QUANTA_SERVER_FAR_PASSWORD: password },
          datasets: [orders],
          query: { limit: 1, format: "csv" },
          limits: defaultConsumeLimits,
        }),
      );
      expect(login).toBeInstanceOf(UnavailableError);
      expect(login.code).toBe("engine-login-failed");
      expect(login.message).toContain(`PostgreSQL at postgres://bob:***@127.0.0.1:${port}/db: authentication failed`);
      expect(login.message).not.toContain(password);
      expect(refused.message).not.toContain(password);
    } finally {
      fake.close();
    }
  });
});
