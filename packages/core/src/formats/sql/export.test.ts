import { fileURLToPath } from "node:url";
import mysqlParser from "node-sql-parser/build/mysql.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import type { DataContract, SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, objectsOf, primaryKeyOf, propertiesOf } from "../contract-view.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importText,
  onlyText,
} from "../format-test-kit.test-helpers.js";
import { sqlDialects } from "./dialects.js";

const golden = (name: string) => fileURLToPath(new URL(`testdata/${name}`, import.meta.url));
const lines = (issues: readonly { code: string }[]) => issues.map((i) => formatIssue(i as never));

describe("sql export golden files", () => {
  for (const dialect of sqlDialects) {
    for (const fixture of ["rich", "hostile"] as const) {
      it(`writes ${fixture} as ${dialect} DDL`, async () => {
        const result = await exportFile("sql", fixtures[fixture], { dialect });
        expectGolden(onlyText(result), golden(`${fixture}.${dialect}.sql`));
        expect(result.files[0]).toMatchObject({
          path: `${fixture === "rich" ? "shop.orders" : "hostile.names"}.${dialect}.sql`,
          mediaType: "application/sql",
        });
      });
    }
  }
});

describe("sql export for MySQL", () => {
  it("parses with node-sql-parser's MySQL grammar, hostile names intact", async () => {
    const parser = new mysqlParser.Parser();
    for (const fixture of ["rich", "hostile", "orders"] as const) {
      const ddl = onlyText(await exportFile("sql", fixtures[fixture], { dialect: "mysql" }));
      expect(() => parser.astify(ddl, { database: "mysql" })).not.toThrow();
    }
    const ddl = onlyText(await exportFile("sql", fixtures.hostile, { dialect: "mysql" }));
    const [select] = parser.astify(ddl, { database: "mysql" }) as unknown as {
      create_definitions: { column?: { column: string } }[];
    }[];
    const names = select?.create_definitions.flatMap((d) => (d.column ? [d.column.column] : []));
    expect(names).toEqual([
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
      "Order Date_2",
    ]);
  });
});

describe("sql export warnings", () => {
  it("says at the contract's line what each dialect cannot declare", async () => {
    const warned = async (dialect: string) =>
      lines((await exportFile("sql", fixtures.rich, { dialect })).issues.filter((i) => i.severity === "warning"));
    expect(await warned("postgres")).toEqual([
      "packages/core/src/formats/testdata/rich.odcs.yaml:127:13 warning sql-not-expressible PostgreSQL stores shipping_address as JSONB, which cannot make city NOT NULL",
      "packages/core/src/formats/testdata/rich.odcs.yaml:143:15 warning sql-not-expressible PostgreSQL stores the array items as JSONB, which cannot make sku NOT NULL",
    ]);
    expect(await warned("duckdb")).toEqual([
      "packages/core/src/formats/testdata/rich.odcs.yaml:127:13 warning sql-not-expressible DuckDB STRUCT fields cannot be NOT NULL; city is left nullable",
      "packages/core/src/formats/testdata/rich.odcs.yaml:143:15 warning sql-not-expressible DuckDB STRUCT fields cannot be NOT NULL; sku is left nullable",
    ]);
    expect(await warned("bigquery")).toEqual([
      "packages/core/src/formats/testdata/rich.odcs.yaml:26:5 warning sql-not-expressible BigQuery has no CHECK constraints; the value sets and ranges of segment are left to quanta test",
      "packages/core/src/formats/testdata/rich.odcs.yaml:60:5 warning sql-not-expressible BigQuery has no CHECK constraints; the value sets and ranges of order_id, total, quantity, status are left to quanta test",
    ]);
    const hostile = (await exportFile("sql", fixtures.hostile, { dialect: "duckdb" })).issues;
    expect(lines(hostile)).toEqual([
      "packages/core/src/formats/testdata/hostile.odcs.yaml:43:9 warning sql-name-renamed DuckDB names ignore case, so column Order Date of select is written as Order Date_2",
    ]);
  });

  it("never passes a physicalType through that is not a plain type of the dialect", async () => {
    const contract = `apiVersion: v3.1.0
kind: DataContract
id: t
version: 1.0.0
status: draft
schema:
  - name: t
    properties:
      - name: a
        logicalType: integer
        physicalType: "INT); DROP TABLE t; --"
      - name: b
        logicalType: string
        physicalType: VARCHAR(10)
      - name: c
        logicalType: string
        physicalType: INT64
`;
    const pg = await exportText("sql", contract);
    expect(onlyText(pg)).toContain(`"a" BIGINT,\n  "b" VARCHAR(10),\n  "c" TEXT\n`);
    expect(lines(pg.issues)).toEqual([
      'contract.odcs.yaml:11:9 info sql-physical-type-replaced physicalType "INT); DROP TABLE t; --" is not a plain type name; written as the integer type of PostgreSQL',
      'contract.odcs.yaml:17:9 info sql-physical-type-replaced physicalType "INT64" is not a PostgreSQL type for a string; written as the string type of PostgreSQL',
    ]);
    expect(onlyText(await exportText("sql", contract, { dialect: "bigquery" }))).toContain("`b` STRING");
  });

  it("orders tables so references come first, and leaves out a foreign key that closes a cycle", async () => {
    const contract = `apiVersion: v3.1.0
kind: DataContract
id: t
version: 1.0.0
status: draft
schema:
  - name: c
    properties:
      - name: id
        logicalType: integer
        primaryKey: true
      - name: b_id
        logicalType: integer
        relationships: [{ type: foreignKey, to: b.id }]
  - name: b
    properties:
      - name: id
        logicalType: integer
        primaryKey: true
      - name: a_id
        logicalType: integer
        relationships: [{ type: foreignKey, to: a.id }]
  - name: a
    properties:
      - name: id
        logicalType: integer
        primaryKey: true
      - name: c_id
        logicalType: integer
        relationships: [{ type: foreignKey, to: c.id }]
      - name: x_id
        logicalType: integer
        relationships: [{ type: foreignKey, to: a.c_id }]
`;
    const result = await exportText("sql", contract);
    const text = onlyText(result);
    const order = [...text.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(text).not.toContain(`REFERENCES "c"`);
    expect(lines(result.issues)).toEqual([
      "contract.odcs.yaml:23:5 warning sql-foreign-key-cycle the foreign key of a to c closes a cycle of references; it is left out so the tables can be created",
      "contract.odcs.yaml:23:5 warning sql-foreign-key-not-key the foreign key to a.c_id does not reference its primary key or a unique column, which SQL requires; not declared",
    ]);
  });
});

/** What a round trip must keep: objects, columns, logical types, required, keys, relationships. */
function shape(contract: DataContract) {
  return objectsOf(contract).map((o) => ({
    name: o.name,
    properties: propertiesOf(o).map((p) => ({
      name: p.name,
      logicalType: p.logicalType,
      required: p.required === true,
      // A one-column primary key is unique whether the contract says so or not.
      unique: p.unique === true || (p.primaryKey === true && primaryKeyOf(o).length === 1),
      primaryKey: p.primaryKey === true,
      primaryKeyPosition: p.primaryKeyPosition,
      items: p.items?.logicalType,
    })),
    foreignKeys: foreignKeysOf(o),
  }));
}

describe("sql round trip", () => {
  for (const dialect of ["postgres", "duckdb"] as const) {
    it(`exports rich as ${dialect} and imports the same objects, columns, types, required and keys`, async () => {
      const ddl = onlyText(await exportFile("sql", fixtures.rich, { dialect }));
      const imported = await importText("sql", ddl, { dialect, id: "shop.orders" }, "rich.sql");
      const back = parse(expectCleanImport(imported)) as DataContract;
      const rich = parse(await import("node:fs").then((fs) => fs.readFileSync(fixtures.rich, "utf8"))) as DataContract;
      expect(shape(back)).toEqual(shape(rich));
      // The CHECKs come back as the value sets and ranges they were written from.
      const orders = objectsOf(back)[1];
      const status = propertiesOf(orders).find((p) => p.name === "status");
      expect(status?.quality).toEqual([
        {
          metric: "invalidValues",
          arguments: { validValues: ["placed", "shipped", "delivered", "returned"] },
          mustBe: 0,
        },
      ]);
      const total = propertiesOf(orders).find((p) => p.name === "total");
      expect(total?.logicalTypeOptions).toEqual({ minimum: 0, maximum: 100000 });
      const orderId = propertiesOf(orders).find((p) => p.name === "order_id");
      expect(orderId?.logicalTypeOptions).toMatchObject({ pattern: "^ORD-[0-9]{8}$", minLength: 12 });
      expect(objectsOf(back)[0]?.description).toBe("One row per customer account.");
      if (dialect === "duckdb") {
        const address = propertiesOf(orders).find((p) => p.name === "shipping_address");
        expect(propertiesOf(address).map((p) => `${p.name}:${p.logicalType}`)).toEqual([
          "street:string",
          "city:string",
          "country:string",
        ]);
        const lines = propertiesOf(orders).find((p) => p.name === "lines");
        expect(propertiesOf(lines?.items as never).map((p) => `${p.name}:${p.logicalType}`)).toEqual([
          "sku:string",
          "price:number",
        ]);
      }
    });
  }

  it("keeps every hostile name, value and key through postgres DDL and back", async () => {
    const ddl = onlyText(await exportFile("sql", fixtures.hostile));
    const back = parse(expectCleanImport(await importText("sql", ddl, { id: "hostile.names" }))) as DataContract;
    const hostile = parse(
      await import("node:fs").then((fs) => fs.readFileSync(fixtures.hostile, "utf8")),
    ) as DataContract;
    expect(shape(back)).toEqual(shape(hostile));
    const type = propertiesOf(objectsOf(back)[0]).find((p) => p.name === "type");
    expect(type?.quality?.[0]?.arguments).toEqual({ validValues: ["it's", 'say "hi"', "a\\b"] });
    expect(propertiesOf(objectsOf(back)[0]).find((p) => p.name === "class")?.description).toBe(
      "Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --",
    );
  });

  it("keeps DuckDB's nested types through import, export and import", async () => {
    const ddl = await import("node:fs").then((fs) => fs.readFileSync(golden("shop.duckdb.sql")));
    const yaml = expectCleanImport(await importText("sql", ddl, { dialect: "duckdb" }, "shop.sql"), [
      "sql-statement-skipped",
    ]);
    const again = onlyText(await exportText("sql", yaml, { dialect: "duckdb" }));
    const second = parse(
      expectCleanImport(await importText("sql", again, { dialect: "duckdb" }, "shop.sql")),
    ) as DataContract;
    const first = parse(yaml) as DataContract;
    expect(shape(second)).toEqual(shape(first));
    const fields = (p: { properties?: SchemaProperty[]; items?: { properties?: SchemaProperty[] } }): unknown =>
      propertiesOf(p.items ?? p).map((f) => [f.name, f.logicalType, fields(f)]);
    const nested = (c: DataContract) =>
      propertiesOf(objectsOf(c)[0]).map((p) => [p.name, fields(p), p.logicalTypeOptions, p.quality]);
    expect(nested(second)).toEqual(nested(first));
    expect(propertiesOf(objectsOf(second)[0]).find((p) => p.name === "props")?.physicalType).toBe(
      "MAP(VARCHAR, VARCHAR)",
    );
  });

  it("imports, exports and imports again to the same contract", async () => {
    const first = await importText(
      "sql",
      await import("node:fs").then((fs) => fs.readFileSync(golden("shop.postgres.sql"))),
      {},
      "shop.sql",
    );
    const yaml = expectCleanImport(first, ["sql-statement-skipped"]);
    const again = await importText("sql", onlyText(await exportText("sql", yaml)), {}, "shop.sql");
    const second = parse(expectCleanImport(again)) as DataContract;
    expect(shape(second)).toEqual(shape(parse(yaml) as DataContract));
    expect(second.schema?.[1]?.quality).toEqual((parse(yaml) as DataContract).schema?.[1]?.quality);
  });
});
