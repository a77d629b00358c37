import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { getFormat, type ImportEnvironment, importWithFormat } from "@quanta/core";
import { tempDir } from "@quanta/engine-duckdb/test-data";
import { dataImportEnvironment } from "@quanta/platform";
import { createTestDatabase, freePort, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

const dir = tempDir("quanta-import-pg-");
const quanta = consoleIn(dir);

async function infer(location: string, options: Record<string, string> = {}, env: ImportEnvironment = importEnv()) {
  const format = getFormat("postgres");
  if (!format) throw new Error("no postgres format");
  return importWithFormat(format, { file: location, bytes: new Uint8Array() }, options, env);
}

const importEnv = (env: Record<string, string> = {}) => dataImportEnvironment({ baseDir: dir, env });

async function testResults(contract: string): Promise<{ code: number; results: Record<string, string> }> {
  const r = await quanta("test", contract, "--format", "json");
  const run = JSON.parse(r.out) as { checks: { key: string; result: string }[] };
  return { code: r.code, results: Object.fromEntries(run.checks.map((c) => [c.key, c.result])) };
}

type Rule = { name?: string; type?: string; query?: string; tags?: string[]; arguments?: { validValues?: unknown[] } };
type Property = {
  name: string;
  logicalType?: string;
  physicalType?: string;
  required?: boolean;
  unique?: boolean;
  primaryKey?: boolean;
  primaryKeyPosition?: number;
  description?: string;
  quality?: Rule[];
};
type SchemaObject = {
  name: string;
  physicalName?: string;
  physicalType?: string;
  description?: string;
  properties: Property[];
  relationships?: { type: string; from: string | string[]; to: string | string[] }[];
  quality?: Rule[];
};

describe.skipIf(postgresSkipReason())("postgres import (real PostgreSQL through the engine registry)", () => {
  let db: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  const userBefore = process.env.QUANTA_POSTGRES_USER;
  /** Roles are the server's, not the database's: one name per run. */
  const readerRole = `import_reader_${randomBytes(4).toString("hex")}`;

  beforeAll(async () => {
    db = await createTestDatabase("import_pg");
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.customers (
        customer_id integer PRIMARY KEY,
        email text NOT NULL UNIQUE,
        country char(2) NOT NULL CHECK (country IN ('NL', 'BE', 'DE')),
        note text
      );
      COMMENT ON TABLE shop.customers IS 'People who ordered at least once';
      COMMENT ON COLUMN shop.customers.email IS 'Login e-mail address';
      CREATE TYPE shop.line_state AS ENUM ('open', 'it''s packed', 'sent');
      CREATE TABLE shop."order lines" (
        order_id bigint,
        line_no smallint,
        customer_id integer NOT NULL REFERENCES shop.customers (customer_id),
        amount numeric(10,2) CONSTRAINT amount_not_negative CHECK (amount >= 0),
        placed_at timestamp with time zone NOT NULL,
        status varchar(20),
        state shop.line_state NOT NULL DEFAULT 'open',
        PRIMARY KEY (order_id, line_no)
      );
      INSERT INTO shop.customers
        SELECT i, 'c' || i || '@example.com', (ARRAY['NL', 'BE', 'DE'])[1 + i % 3], CASE WHEN i % 2 = 0 THEN 'vip' END
        FROM generate_series(1, 30) i;
      INSERT INTO shop."order lines"
        SELECT 1000 + i / 3, i % 3, 1 + i % 30, i * 2.5, TIMESTAMPTZ '2024-02-01 08:00:00+00' + i * INTERVAL '1 hour',
               (ARRAY['placed', 'paid', 'shipped'])[1 + i % 3]
        FROM generate_series(0, 89) i;
      CREATE VIEW shop.dutch_customers AS SELECT customer_id, email FROM shop.customers WHERE country = 'NL';
      CREATE TABLE public.elsewhere (id integer);
    `);
    // quanta test finds the role the way users give it: QUANTA_POSTGRES_USER (the server entry has no user).
    process.env.QUANTA_POSTGRES_USER = decodeURIComponent(new URL(db.url).username);
  });
  afterAll(async () => {
    if (userBefore === undefined) delete process.env.QUANTA_POSTGRES_USER;
    else process.env.QUANTA_POSTGRES_USER = userBefore;
    await admin?.query(`DROP OWNED BY ${readerRole}; DROP ROLE IF EXISTS ${readerRole}`).catch(() => {});
    await admin?.end();
    await db?.drop();
  });

  it("infers declared keys, NOT NULL, CHECKs, comments and relationships; quanta test passes", async () => {
    const outcome = await infer(db.url, { schema: "shop" });
    expect(outcome.issues.filter((i) => i.severity !== "info").map((i) => i.message)).toEqual([]);
    const text = outcome.text ?? "";
    const contract = parse(text) as { id: string; servers: Record<string, unknown>[]; schema: SchemaObject[] };
    const u = new URL(db.url);
    expect(contract.servers).toEqual([
      {
        server: "postgres",
        type: "postgres",
        host: u.hostname,
        port: Number(u.port),
        database: u.pathname.slice(1),
        schema: "shop",
      },
    ]);
    expect(contract.schema.map((o) => `${o.name} ${o.physicalType}`)).toEqual([
      "customers table",
      "dutch_customers view",
      "order_lines table",
    ]);
    const [customers, , lines] = contract.schema as [SchemaObject, SchemaObject, SchemaObject];
    expect(customers.description).toBe("People who ordered at least once");
    const flags = (o: SchemaObject) =>
      o.properties.map(
        (p) =>
          `${p.name}: ${p.logicalType} ${p.physicalType}${p.required ? " required" : ""}${p.unique ? " unique" : ""}${
            p.primaryKey ? ` pk${p.primaryKeyPosition ?? ""}` : ""
          }`,
      );
    expect(flags(customers)).toEqual([
      "customer_id: integer integer required pk",
      "email: string text required unique",
      "country: string character(2) required",
      "note: string text",
    ]);
    expect(customers.properties[1]?.description).toBe("Login e-mail address");
    expect(flags(lines)).toEqual([
      "order_id: integer bigint required pk1",
      "line_no: integer smallint required pk2",
      "customer_id: integer integer required",
      "amount: number numeric(10,2)",
      "placed_at: timestamp timestamp with time zone required",
      "status: string character varying(20)",
      "state: string line_state required",
    ]);
    expect(lines.properties.find((p) => p.name === "state")?.quality).toEqual([
      {
        name: "declaredValues",
        description: "The labels of enum type line_state, declared in PostgreSQL.",
        metric: "invalidValues",
        arguments: { validValues: ["open", "it's packed", "sent"] },
        mustBe: 0,
        dimension: "conformity",
      },
    ]);
    expect(lines.relationships).toEqual([
      { type: "foreignKey", from: "order_lines.customer_id", to: "customers.customer_id" },
    ]);
    // Declared CHECK constraints are promises (no suggested tag); observed facts are suggestions.
    expect(customers.quality?.map((q) => `${q.name}: ${q.query} ${q.tags ?? "declared"}`)).toEqual([
      `customers_country_check: SELECT count(*) FROM {object} WHERE NOT ((country IN ('NL', 'BE', 'DE'))) declared`,
    ]);
    expect(lines.quality?.map((q) => q.name)).toEqual(["amount_not_negative"]);
    // Declared NOT NULL needs no suggestion; a nullable column never null in the rows gets one.
    expect(customers.properties[0]?.quality?.map((q) => q.name)).toEqual(["observedRange"]);
    expect(lines.properties.find((p) => p.name === "status")?.quality?.map((q) => q.name)).toEqual([
      "observedNoNulls",
      "observedLength",
      "observedValues",
    ]);
    expect(text).toContain("observed in 90 rows on ");
    // No key is guessed for a database: it declares its keys.
    expect(text).not.toContain("observedKey");

    writeFileSync(join(dir, "shop.odcs.yaml"), text);
    expect((await quanta("lint", "shop.odcs.yaml")).code).toBe(0);
    const { code, results } = await testResults("shop.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(results["customers.quality.0.sql"]).toBe("passed");
    // Results name objects by their table (physicalName).
    expect(results["order lines.primaryKey"]).toBe("passed");
    expect(results["order lines.placed_at.quality.0.sql"]).toBe("passed");
    expect(results["order lines.status.quality.2.invalidValues"]).toBe("passed");
    expect(results["order lines.state.quality.0.invalidValues"]).toBe("passed");
    expect(code).toBe(0);
  });

  it("works from the console: a password in the URL is used, never printed", async () => {
    const u = new URL(db.url);
    u.password = "not-echoed-anywhere";
    const r = await quanta(
      "import",
      "--format",
      "postgres",
      u.toString(),
      "--option",
      "schema=shop",
      "--option",
      "table=customers",
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain("type: postgres");
    expect(r.out).toContain("- name: customers");
    expect(r.out + r.err).not.toContain("not-echoed-anywhere");
    const bad = await quanta(
      "import",
      "--format",
      "postgres",
      u.toString(),
      "--option",
      "schema=shop",
      "--option",
      "table=nope",
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('no table "nope" in schema "shop"');
    expect(bad.err).not.toContain("not-echoed-anywhere");
  });

  it("reads only the tables named, and keeps a key to a table left out", async () => {
    const outcome = await infer(db.url, { schema: "shop", table: "order lines" });
    const warnings = outcome.issues.map((i) => `${i.severity} ${i.code}: ${i.message}`);
    expect(warnings).toEqual([
      "warning data-foreign-key-outside: order lines (customer_id) references customers, which this import does not read; the key is kept in customProperties foreignKeys",
    ]);
    const contract = parse(outcome.text ?? "") as { schema: (SchemaObject & { customProperties?: unknown })[] };
    expect(contract.schema.map((o) => `${o.name} (${o.physicalName})`)).toEqual(["order_lines (order lines)"]);
    expect(contract.schema[0]?.customProperties).toEqual([
      {
        property: "foreignKeys",
        value: [{ columns: ["customer_id"], table: "customers", references: ["customer_id"] }],
      },
    ]);
  });

  it("reads schema public by default", async () => {
    const outcome = await infer(db.url);
    expect(outcome.issues.map((i) => i.message)).toEqual([]);
    expect((parse(outcome.text ?? "") as { schema: SchemaObject[] }).schema.map((o) => o.name)).toEqual(["elsewhere"]);
  });

  it("sends the password from PGPASSWORD of the given environment, and only to hosts it may go to", async () => {
    // A server asking for the password in clear text (as pg_hba's `password` method does), then refusing it.
    const received: string[] = [];
    const fake: Server = createServer((socket) => {
      socket.once("data", () => {
        const ask = Buffer.alloc(9);
        ask.write("R");
        ask.writeInt32BE(8, 1);
        ask.writeInt32BE(3, 5);
        socket.write(ask);
        socket.once("data", (reply: Buffer) => {
          if (reply.toString("latin1", 0, 1) === "p") received.push(reply.toString("utf8", 5, reply.length - 1));
          const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed for user "bob"\0\0');
          const header = Buffer.alloc(5);
          header.write("E");
          header.writeInt32BE(fields.length + 4, 1);
          socket.end(Buffer.concat([header, fields]));
        });
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const port = (fake.address() as { port: number }).port;
    const location = `postgresql://bob@127.0.0.1:${port}/shop`;
    try {
      const given = await infer(location, {}, importEnv({ PGPASSWORD: "from-env" }));
      expect(given.issues.map((i) => i.code)).toEqual(["engine-login-failed"]);
      expect(received).toEqual(["from-env"]);
      const preferred = await infer(
        location,
        {},
        importEnv({ PGPASSWORD: "from-env", QUANTA_POSTGRES_PASSWORD: "quanta" }),
      );
      expect(preferred.issues.map((i) => i.code)).toEqual(["engine-login-failed"]);
      expect(received).toEqual(["from-env", "quanta"]);
      // The platform scopes credentials to the hosts it lists: none goes to another host.
      await infer(location, {}, importEnv({ PGPASSWORD: "from-env", QUANTA_POSTGRES_HOSTS: "db.internal" }));
      expect(received.slice(2)).not.toContain("from-env");
      // The password the user gave with the URL (the console takes it out of the URL) wins over them all.
      const typed = dataImportEnvironment({
        baseDir: dir,
        env: { QUANTA_POSTGRES_PASSWORD: "quanta", QUANTA_POSTGRES_HOSTS: "db.internal" },
        password: "typed/with@odd",
      });
      const before = received.length;
      await infer(location, {}, typed);
      expect(received.slice(before)).toEqual(["typed/with@odd"]);
    } finally {
      fake.close();
    }
  });

  it("says precisely what is wrong, never showing a password", async () => {
    const u = new URL(db.url);
    const where = `${u.pathname.slice(1)} on ${u.hostname}:${u.port}`;
    const problems = async (location: string, options: Record<string, string> = {}, env = importEnv()) =>
      (await infer(location, options, env)).issues.map((i) => `${i.code}: ${i.message}`);
    expect(await problems(db.url, { schema: "shop", table: "orders,customers" })).toEqual([
      `data-not-found: no table "orders" in schema "shop" of database ${where} (it has customers, dutch_customers, order lines)`,
    ]);
    // A table this role may not read: the scan's refusal, naming the table.
    await admin.query(`CREATE ROLE ${readerRole} LOGIN; GRANT USAGE ON SCHEMA shop TO ${readerRole};
      GRANT SELECT ON shop.customers TO ${readerRole}`);
    const reader = new URL(db.url);
    reader.username = readerRole;
    expect(await problems(reader.toString(), { schema: "shop", table: "customers,order lines" })).toEqual([
      'data-unreadable: cannot read table "order lines" of schema "shop": permission denied for table order lines',
    ]);
    expect(await problems(db.url, { schema: "nope" })).toEqual([
      `data-not-found: there is no schema "nope" in database ${where}`,
    ]);
    expect(await problems("postgresql://")).toEqual(["data-bad-url: the URL postgresql:// names no host"]);
    expect(await problems("mysql://bob:pw@db/x")).toEqual([
      'data-bad-url: postgres reads a postgresql://user@host:port/database URL; got "mysql://bob:***@db/x"',
    ]);
    expect(await problems(`postgresql://${u.host}`)).toEqual([
      `data-bad-url: the URL postgresql://${u.host} names no database (postgresql://user@host:port/database)`,
    ]);
    const closed = await freePort();
    const secret = "hunter2-never-shown";
    expect(await problems(`postgresql://bob@127.0.0.1:${closed}/shop`, {}, importEnv({ PGPASSWORD: secret }))).toEqual([
      `engine-unreachable: cannot connect to PostgreSQL at postgres://bob:***@127.0.0.1:${closed}/shop: connection refused (is the server running and reachable?)`,
    ]);
    // A server refusing the password, with PostgreSQL's own answer on the wire (the test server trusts every login).
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
      const fromEnv = await problems(`postgresql://bob@127.0.0.1:${port}/shop`, {}, importEnv({ PGPASSWORD: secret }));
      expect(fromEnv).toEqual([
        `engine-login-failed: cannot connect to PostgreSQL at postgres://bob:***@127.0.0.1:${port}/shop: authentication failed (password authentication failed for user "bob"); check the server's credentials`,
      ]);
      const inUrl = await infer(`postgresql://bob:${secret}@127.0.0.1:${port}/shop`);
      expect(inUrl.issues.map((i) => `${i.file}: ${i.code}`)).toEqual([
        `postgresql://bob:***@127.0.0.1:${port}/shop: engine-login-failed`,
      ]);
      expect(JSON.stringify([fromEnv, inUrl.issues])).not.toContain(secret);
    } finally {
      fake.close();
    }
  });
});
