import { createRequire } from "node:module";
import type * as DuckDbApi from "@duckdb/node-api";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFile, fixtures, onlyText } from "../../../core/src/formats/format-test-kit.test-helpers.js";

/**
 * Each object's SELECT from `sql-query --option schema=…`, run in real DuckDB and PostgreSQL on the
 * tables the `sql` export creates: the column lists name every column, hostile names included.
 */

const { DuckDBInstance } = createRequire(import.meta.url)("@duckdb/node-api") as typeof DuckDbApi;

const objects = { hostile: ["select", "order items"], rich: ["customers", "orders"], orders: ["orders"] } as const;

async function query(name: keyof typeof objects, dialect: string, schema: string): Promise<string> {
  return onlyText(await exportFile("sql-query", fixtures[name], { dialect, schema }));
}

describe("sql-query in real DuckDB", () => {
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

  for (const name of Object.keys(objects) as (keyof typeof objects)[]) {
    it(`selects every column of each ${name} object`, async () => {
      await conn.run(`CREATE SCHEMA "${name}"; USE memory."${name}"`);
      await conn.run(onlyText(await exportFile("sql", fixtures[name], { dialect: "duckdb" })));
      for (const object of objects[name]) {
        const result = await conn.runAndReadAll(await query(name, "duckdb", object));
        const described = await conn.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM information_schema.columns WHERE table_schema = '${name}' AND table_name = '${object}'`,
        );
        expect(result.columnCount).toBe(described.getRowObjects()[0]?.n);
      }
    });
  }
});

describe.skipIf(postgresSkipReason())("sql-query in real PostgreSQL", () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase("sql_query");
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  for (const name of Object.keys(objects) as (keyof typeof objects)[]) {
    it(`selects every column of each ${name} object`, async () => {
      await client.query(`CREATE SCHEMA "${name}"; SET search_path TO "${name}"`);
      await client.query(onlyText(await exportFile("sql", fixtures[name], { dialect: "postgres" })));
      for (const object of objects[name]) {
        const result = await client.query(await query(name, "postgres", object));
        const described = await client.query(
          "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
          [name, object],
        );
        expect(result.fields.length).toBe(described.rows[0]?.n);
        expect(result.fields.length).toBeGreaterThan(0);
      }
    });
  }
});
