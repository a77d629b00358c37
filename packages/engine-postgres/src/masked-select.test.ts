import { EngineError, UnprocessableError } from "@quanta/core";
import type { ReadDataset } from "@quanta/core/engines";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskedSelect } from "./masked-select.js";

const people: ReadDataset = {
  name: "people",
  source: { kind: "table", schema: "crm", table: "People" },
  masked: ["email", "AGE", "born"],
  rowFilters: ["country = 'FR'", "age > 18 OR age IS NULL"],
};

describe.skipIf(postgresSkipReason())("maskedSelect", () => {
  let db: { url: string; drop(): Promise<void> };
  let client: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_masked");
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      CREATE SCHEMA crm;
      CREATE DOMAIN crm.email AS text;
      CREATE TABLE crm."People" (id int, "Email" crm.email, age int, born date, country char(2), note varchar(10));
      ALTER TABLE crm."People" DROP COLUMN note;
      INSERT INTO crm."People" VALUES (1, 'a@x.fr', 30, '1990-01-01', 'FR'), (2, 'b@x.de', 40, NULL, 'DE'),
        (3, 'c@x.fr', 12, '2012-01-01', 'FR'), (4, NULL, NULL, NULL, 'FR');
      SET search_path = pg_catalog, pg_temp;`);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("lists every column in table order, masks by type, ANDs each row filter in its own parentheses", async () => {
    const select = await maskedSelect(client, people, "public");
    expect(select.sql).toMatchInlineSnapshot(`
      "SELECT "id", '***'::text AS "Email", NULL::integer AS "age", NULL::date AS "born", "country" FROM "crm"."People" WHERE (
      country = 'FR'
      ) AND (
      age > 18 OR age IS NULL
      )"
    `);
    expect(select.relation).toBe('"crm"."People"');
    expect(select.columns).toEqual([
      { name: "id", type: "integer", masked: false },
      { name: "Email", type: "crm.email", masked: true },
      { name: "age", type: "integer", masked: true },
      { name: "born", type: "date", masked: true },
      { name: "country", type: "character(2)", masked: false },
    ]);
    const { rows } = await client.query(`${select.sql} ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, Email: "***", age: null, born: null, country: "FR" },
      { id: 4, Email: "***", age: null, born: null, country: "FR" },
    ]);
  });

  it("reads the server's schema when the source names none, and quotes every identifier", async () => {
    await client.query(`CREATE TABLE public."we""ird" ("a b" int)`);
    const select = await maskedSelect(
      client,
      { name: "w", source: { kind: "table", schema: undefined, table: 'we"ird' }, masked: [], rowFilters: [] },
      "public",
    );
    expect(select.sql).toBe(`SELECT "a b" FROM "public"."we""ird"`);
  });

  it("names a missing table, refuses unknown masks and row filters that are not one expression", async () => {
    const missing = maskedSelect(client, { ...people, source: { kind: "table", schema: "crm", table: "nope" } }, "x");
    await expect(missing).rejects.toBeInstanceOf(EngineError);
    await expect(missing).rejects.toThrow('table crm.nope of dataset "people" does not exist');
    await expect(maskedSelect(client, { ...people, masked: ["phone"] }, "x")).rejects.toThrow(
      /masks "phone", which crm\.People does not have/,
    );
    for (const filter of ["true) OR (true", "(SELECT true)", "x = 1; DROP TABLE t", "crm.f(id)"]) {
      const e = await maskedSelect(client, { ...people, rowFilters: [filter] }, "x").catch((x: unknown) => x);
      expect(e, filter).toBeInstanceOf(UnprocessableError);
      expect((e as UnprocessableError).code).toBe("row-filter-invalid");
    }
  });
});
