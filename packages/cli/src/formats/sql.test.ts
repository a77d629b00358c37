import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as DuckDbApi from "@duckdb/node-api";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  expectCleanImport,
  exportFile,
  exportText,
  fixtures,
  importText,
  onlyText,
} from "../../../core/src/formats/format-test-kit.test-helpers.js";

/**
 * The SQL the `sql` and `sql-query` formats write, run by the engines themselves: the DDL of the
 * rich, hostile and demo orders contracts creates real tables in DuckDB and PostgreSQL, the demo's
 * Parquet rows load into the exported `orders` table (its NOT NULL, keys and CHECKs hold them), and
 * the exported SELECTs read the created tables.
 */

// biome-ignore lint/suspicious/noExplicitAny: tests walk imported contracts freely
type Obj = Record<string, any>;

const { DuckDBInstance } = createRequire(import.meta.url)("@duckdb/node-api") as typeof DuckDbApi;

const contracts = { rich: fixtures.rich, hostile: fixtures.hostile, orders: fixtures.orders } as const;

const importFixture = (name: string) =>
  fileURLToPath(new URL(`../../../core/src/formats/sql/testdata/${name}`, import.meta.url));

/** The `type: sql` rules an import made of CHECKs, with {object} filled in. */
async function importedRules(file: string, dialect: string): Promise<string[]> {
  const outcome = await importText("sql", readFileSync(importFixture(file)), { dialect }, file);
  const contract = parse(expectCleanImport(outcome, ["sql-statement-skipped"])) as {
    schema: { physicalName: string; quality?: { type?: string; query?: string }[] }[];
  };
  return contract.schema.flatMap((o) =>
    (o.quality ?? [])
      .filter((q) => q.type === "sql")
      .map((q) => (q.query ?? "").replaceAll("{object}", `"${o.physicalName.replaceAll('"', '""')}"`)),
  );
}

async function ddl(name: keyof typeof contracts, dialect: string): Promise<string> {
  return onlyText(await exportFile("sql", contracts[name], { dialect }));
}

async function queries(name: keyof typeof contracts, dialect: string, schema?: string): Promise<string[]> {
  const text = onlyText(await exportFile("sql-query", contracts[name], { dialect, ...(schema ? { schema } : {}) }));
  return text
    .split(/;\n/)
    .map((q) => q.trim())
    .filter(Boolean);
}

describe("sql export in real DuckDB", () => {
  let instance: DuckDbApi.DuckDBInstance;
  let conn: DuckDbApi.DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    conn = await instance.connect();
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  for (const name of ["rich", "hostile", "orders"] as const) {
    it(`creates the ${name} tables and selects from them`, async () => {
      await conn.run(`CREATE SCHEMA "${name}"; USE memory."${name}"`);
      await conn.run(await ddl(name, "duckdb"));
      const tables = await conn.runAndReadAll(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = '${name}' ORDER BY table_name`,
      );
      const expected = { rich: ["customers", "orders"], hostile: ["order items", "select"], orders: ["orders"] }[name];
      expect(tables.getRowObjects().map((r) => r.table_name)).toEqual(expected);
      for (const query of await queries(name, "duckdb")) {
        const result = await conn.runAndReadAll(query);
        expect(result.columnCount).toBeGreaterThan(0);
      }
    });
  }

  it("keeps hostile names and comments exactly", async () => {
    await conn.run(`USE memory."hostile"`);
    const columns = await conn.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'hostile' AND table_name = 'select' ORDER BY ordinal_position`,
    );
    expect(columns.getRowObjects().map((r) => r.column_name)).toEqual([
      "from",
      "order date",
      "class",
      "größe",
      'a"b',
      "x'y",
      "1st",
      "type",
      "ключ",
      "a;drop table x",
      // DuckDB names ignore case, so the second spelling of "order date" is renamed (and warned).
      "Order Date_2",
    ]);
    const comment = await conn.runAndReadAll(
      `SELECT comment FROM duckdb_columns() WHERE schema_name = 'hostile' AND table_name = 'select' AND column_name = 'class'`,
    );
    expect(comment.getRowObjects()[0]?.comment).toBe(
      "Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --",
    );
    // The value set became a CHECK that accepts the hostile values and refuses others.
    await conn.run(`INSERT INTO "select" ("from", "type") VALUES (1, 'it''s'), (2, 'say "hi"'), (3, 'a\\b')`);
    await expect(conn.run(`INSERT INTO "select" ("from", "type") VALUES (4, 'other')`)).rejects.toThrow(/CHECK/i);
    await expect(conn.run(`INSERT INTO "order items" ("def") VALUES (99)`)).rejects.toThrow(/foreign key/i);
  });

  it("runs the DuckDB DDL the import reads, and the SQL rules it makes of CHECKs", async () => {
    await conn.run(`CREATE SCHEMA "imported_duckdb"; USE memory."imported_duckdb"`);
    await conn.run(readFileSync(importFixture("shop.duckdb.sql"), "utf8"));
    // PostgreSQL DDL → contract → DuckDB DDL, run in DuckDB; then the contract's rules on it.
    await conn.run(`CREATE SCHEMA "imported_pg"; USE memory."imported_pg"`);
    const pgDdl = readFileSync(importFixture("shop.postgres.sql"));
    const contract = expectCleanImport(await importText("sql", pgDdl, {}, "shop.sql"), ["sql-statement-skipped"]);
    await conn.run(onlyText(await exportText("sql", contract, { dialect: "duckdb" })));
    await conn.run(`INSERT INTO "order lines" ("Größe", order_id, line_no, sku) VALUES (1.5, 'A', 1, 'ABC')`);
    await expect(
      conn.run(`INSERT INTO "order lines" ("Größe", order_id, line_no, sku) VALUES (1.5, 'A', 2, 'abc')`),
    ).rejects.toThrow(/CHECK/i);
    const rules = await importedRules("shop.postgres.sql", "postgres");
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      const result = await conn.runAndReadAll(rule);
      expect(Number(result.getRows()[0]?.[0])).toBe(0);
    }
  });

  it("loads the demo's orders.parquet into the exported orders table", async () => {
    await conn.run(`USE memory."orders"`);
    const columns = (await queries("orders", "duckdb"))[0]?.replace(/^SELECT\s+|\s+FROM[\s\S]*$/g, "") ?? "";
    const file = fixtures.ordersData.replaceAll("'", "''");
    await conn.run(`INSERT INTO "orders" (${columns}) SELECT ${columns} FROM read_parquet('${file}')`);
    const loaded = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "orders"`);
    const source = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`);
    const n = source.getRowObjects()[0]?.n as number;
    expect(n).toBeGreaterThan(1000);
    expect(loaded.getRowObjects()[0]?.n).toBe(n);
    const [query] = await queries("orders", "duckdb", "orders");
    const rows = await conn.runAndReadAll(query as string);
    expect(rows.currentRowCount).toBe(n);
  });
});

describe.skipIf(postgresSkipReason())("sql export in real PostgreSQL", () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase("sql_export");
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  for (const name of ["rich", "hostile", "orders"] as const) {
    it(`creates the ${name} tables and selects from them`, async () => {
      await client.query(`CREATE SCHEMA "${name}"; SET search_path TO "${name}"`);
      await client.query(await ddl(name, "postgres"));
      const tables = await client.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name COLLATE "C"',
        [name],
      );
      const expected = { rich: ["customers", "orders"], hostile: ["order items", "select"], orders: ["orders"] }[name];
      expect(tables.rows.map((r) => r.table_name)).toEqual(expected);
      for (const query of await queries(name, "postgres")) {
        const result = await client.query(query);
        expect(result.fields.length).toBeGreaterThan(0);
      }
    });
  }

  it("keeps hostile names, comments and value sets exactly", async () => {
    await client.query(`SET search_path TO "hostile"`);
    const comment = await client.query(
      `SELECT col_description('hostile."select"'::regclass, 3) AS c, obj_description('hostile."select"'::regclass) AS t`,
    );
    expect(comment.rows[0]).toEqual({
      c: "Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --",
      t: "A table named like a keyword; */ -- closes no comment",
    });
    await client.query(`INSERT INTO "select" ("from", "type") VALUES (1, $1), (2, $2), (3, $3)`, [
      "it's",
      'say "hi"',
      "a\\b",
    ]);
    await expect(client.query(`INSERT INTO "select" ("from", "type") VALUES (4, 'other')`)).rejects.toThrow(/check/i);
    await expect(client.query(`INSERT INTO "order items" ("def") VALUES (99)`)).rejects.toThrow(/foreign key/i);
  });

  it("runs the PostgreSQL DDL the import reads, and the SQL rules it makes of CHECKs", async () => {
    await client.query(`CREATE SCHEMA "imported"; SET search_path TO "imported", public`);
    await client.query(readFileSync(importFixture("shop.postgres.sql"), "utf8"));
    await client.query(`INSERT INTO "order lines" ("Größe", order_id, line_no, sku) VALUES (1.5, 'A', 1, 'ABC')`);
    const rules = await importedRules("shop.postgres.sql", "postgres");
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      const result = await client.query(rule);
      expect(Number(Object.values(result.rows[0] ?? {})[0])).toBe(0);
    }
  });

  it("reads back what pg_dump writes of the exported rich tables", async () => {
    const dump = execFileSync("pg_dump", ["--schema-only", "--schema=rich", "--no-owner", db.url], {
      encoding: "utf8",
    });
    const outcome = await importText("sql", dump, { id: "shop.orders" }, "rich.dump.sql");
    const back = parse(expectCleanImport(outcome, ["sql-statement-skipped"])) as Obj;
    const rich = parse(readFileSync(fixtures.rich, "utf8")) as Obj;
    const columns = (c: Obj) =>
      c.schema.map((o: Obj) => [
        o.name,
        o.description,
        o.properties.map((p: Obj) => [
          p.name,
          p.logicalType,
          p.required === true,
          p.primaryKey === true,
          p.relationships,
        ]),
      ]);
    expect(columns(back)).toEqual(columns(rich));
    const orders = (c: Obj, name: string) => c.schema[1].properties.find((p: Obj) => p.name === name);
    for (const name of ["status", "total", "quantity", "order_id"]) {
      expect([name, orders(back, name).quality, orders(back, name).logicalTypeOptions]).toEqual([
        name,
        orders(rich, name).quality,
        orders(rich, name).logicalTypeOptions,
      ]);
    }
  });

  it("declares the rich contract's keys", async () => {
    const keys = await client.query(
      `SELECT tc.table_name, tc.constraint_type, kcu.column_name
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
        WHERE tc.table_schema = 'rich' AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
        ORDER BY 1, 2, 3`,
    );
    expect(keys.rows).toEqual([
      { table_name: "customers", constraint_type: "PRIMARY KEY", column_name: "customer_id" },
      { table_name: "orders", constraint_type: "FOREIGN KEY", column_name: "customer_id" },
      { table_name: "orders", constraint_type: "PRIMARY KEY", column_name: "order_id" },
    ]);
  });
});
