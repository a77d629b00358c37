import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import type { ExportResult } from "../format.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importText,
  issuesWith,
} from "../format-test-kit.test-helpers.js";

const golden = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

function prop(p: Obj): Obj {
  return {
    name: p.name,
    logicalType: p.logicalType,
    required: p.required ?? false,
    description: p.description,
    properties: p.properties?.map(prop),
    items: p.items ? { logicalType: p.items.logicalType, properties: p.items.properties?.map(prop) } : undefined,
  };
}

/** What a round trip through Spark keeps: objects, fields, nesting, logical types, required, comments. */
function shape(yaml: string): Obj[] {
  return ((parse(yaml) as Obj).schema as Obj[]).map((o) => ({
    name: o.name,
    properties: (o.properties as Obj[]).map(prop),
  }));
}

/** The rich contract as Spark can hold it: TIME has no Spark type and comes back as a string. */
function sparkShape(yaml: string): Obj[] {
  return shape(yaml).map((o) => ({
    ...o,
    properties: o.properties.map((p: Obj) => (p.logicalType === "time" ? { ...p, logicalType: "string" } : p)),
  }));
}

function files(result: ExportResult): Record<string, string> {
  expect(result.issues.filter((i) => i.severity === "error").map(formatIssue)).toEqual([]);
  return Object.fromEntries(result.files.map((f) => [f.path, String(f.content)]));
}

describe("spark export", () => {
  it("writes the rich contract as StructType JSON", async () => {
    const result = await exportFile("spark", fixtures.rich);
    const out = files(result);
    expect(Object.keys(out)).toEqual(["customers.json", "orders.json"]);
    expectGolden(out["orders.json"] ?? "", golden("rich.orders.json"));
    const orders = JSON.parse(out["orders.json"] ?? "") as Obj;
    const by = Object.fromEntries(orders.fields.map((f: Obj) => [f.name, f]));
    expect(by.order_id).toEqual({ name: "order_id", type: "varchar(20)", nullable: false, metadata: {} });
    expect(by.customer_id.type).toBe("long");
    expect(by.total.type).toBe("decimal(12,2)");
    expect(by.quantity.type).toBe("integer");
    expect(by.lines.type).toEqual({
      type: "array",
      elementType: {
        type: "struct",
        fields: [
          { name: "sku", type: "string", nullable: false, metadata: {} },
          { name: "price", type: "double", nullable: true, metadata: {} },
        ],
      },
      containsNull: true,
    });
    expect(issuesWith(result.issues, "spark-time").map((i) => `${i.line}:${i.column}`)).toEqual(["94:9"]);
    expect(issuesWith(result.issues, "spark-keys").map((i) => i.line)).toEqual([26, 60]);
  });

  it("writes the rich contract as a DDL column list with syntax=ddl", async () => {
    const out = files(await exportFile("spark", fixtures.rich, { syntax: "ddl" }));
    expect(Object.keys(out)).toEqual(["customers.ddl", "orders.ddl"]);
    expectGolden(out["orders.ddl"] ?? "", golden("rich.orders.ddl"));
    expect(out["customers.ddl"]).toContain("`customer_id` BIGINT NOT NULL COMMENT 'Customer number.'");
  });

  it("backquotes hostile names and escapes comments in DDL; JSON keeps them as they are", async () => {
    const ddl = files(await exportFile("spark", fixtures.hostile, { syntax: "ddl" }));
    expectGolden(ddl["select.ddl"] ?? "", golden("hostile.select.ddl"));
    expect(ddl["select.ddl"]).toContain(
      "`class` STRING COMMENT 'Text with \"quotes\", \\'apostrophes\\', `backticks`, \\\\ backslashes and */ --'",
    );
    expect(ddl["order items.ddl"]).toContain("`interface` STRUCT<`func`: STRING>");
    const json = files(await exportFile("spark", fixtures.hostile));
    expectGolden(json["select.json"] ?? "", golden("hostile.select.json"));
    expect((JSON.parse(json["select.json"] ?? "") as Obj).fields.map((f: Obj) => f.name)).toContain('a"b');
  });
});

const ddl = `id BIGINT NOT NULL COMMENT 'Order id',
\`order date\` DATE,
amount DECIMAL(10, 2),
code CHAR(3),
name VARCHAR(40) COMMENT 'It\\'s a name',
flags ARRAY<BOOLEAN>,
attrs MAP<STRING, INT>,
\`ship\` STRUCT<city: STRING NOT NULL, \`zip\`: INT COMMENT 'post code'>,
spent INTERVAL DAY TO SECOND,
at TIMESTAMP_NTZ`;

describe("spark import", () => {
  it("reads a DDL column list with nesting, decimals, char/varchar and comments", async () => {
    const outcome = await importText("spark", ddl, {}, "orders.ddl");
    expectCleanImport(outcome);
    const [object] = (outcome.value as Obj).schema as [Obj];
    expect(object.name).toBe("orders");
    const by = Object.fromEntries((object.properties as Obj[]).map((p) => [p.name, p]));
    expect(by.id).toEqual({
      name: "id",
      logicalType: "integer",
      physicalType: "BIGINT",
      description: "Order id",
      required: true,
    });
    expect(by["order date"]).toMatchObject({ logicalType: "date" });
    expect(by.amount).toMatchObject({ logicalType: "number", physicalType: "DECIMAL(10,2)" });
    expect(by.code).toMatchObject({ physicalType: "CHAR(3)", logicalTypeOptions: { maxLength: 3 } });
    expect(by.name.description).toBe("It's a name");
    expect(by.flags).toMatchObject({ logicalType: "array", items: { logicalType: "boolean" } });
    expect(by.attrs).toMatchObject({ logicalType: "object", physicalType: "MAP<STRING, INT>" });
    expect(by.ship.properties).toEqual([
      { name: "city", logicalType: "string", physicalType: "STRING", required: true },
      { name: "zip", logicalType: "integer", physicalType: "INT", description: "post code" },
    ]);
    expect(by.spent).toMatchObject({ logicalType: "string", physicalType: "INTERVAL DAY TO SECOND" });
    expect(by.at).toMatchObject({ logicalType: "timestamp", physicalType: "TIMESTAMP_NTZ" });
  });

  it("reads df.schema.json() with metadata comments and char/varchar metadata", async () => {
    const json = JSON.stringify({
      type: "struct",
      fields: [
        { name: "id", type: "long", nullable: false, metadata: { comment: "key" } },
        { name: "code", type: "string", nullable: true, metadata: { __CHAR_VARCHAR_TYPE_STRING: "varchar(5)" } },
        {
          name: "m",
          type: {
            type: "map",
            keyType: "string",
            valueType: { type: "array", elementType: "double", containsNull: false },
            valueContainsNull: true,
          },
          nullable: true,
          metadata: {},
        },
        { name: "x", type: "integer", nullable: true, metadata: { "delta.generationExpression": "1" } },
      ],
    });
    const outcome = await importText("spark", json, { name: "t" }, "schema.json");
    expectCleanImport(outcome, ["spark-unmapped"]);
    const props = (outcome.value as Obj).schema[0].properties as Obj[];
    expect(props[0]).toMatchObject({ name: "id", physicalType: "BIGINT", required: true, description: "key" });
    expect(props[1]).toMatchObject({ physicalType: "VARCHAR(5)", logicalTypeOptions: { maxLength: 5 } });
    expect(props[2]).toMatchObject({ logicalType: "object", physicalType: "MAP<STRING, ARRAY<DOUBLE>>" });
    expect(issuesWith(outcome.issues, "spark-unmapped").map((i) => i.message)).toEqual([
      "metadata delta.generationExpression is not kept",
    ]);
  });

  it("reads and writes a backquote inside a name by doubling it", async () => {
    const contract = expectCleanImport(await importText("spark", "`a``b` INT, `x y` STRING", {}, "q.ddl"));
    expect((parse(contract) as Obj).schema[0].properties.map((p: Obj) => p.name)).toEqual(["a`b", "x y"]);
    const again = files(await exportText("spark", contract, { syntax: "ddl" }));
    expect(again["q.ddl"]).toBe("`a``b` INT,\n`x y` STRING\n");
  });

  it("gives precise errors for DDL syntax, unknown types, duplicates and deep nesting", async () => {
    const bad = await importText("spark", "id BIGINT,\nname STRNG", {}, "t.ddl");
    expect(bad.issues.map(formatIssue)[0]).toMatch(/^t\.ddl:2:6 error spark-ddl-syntax STRNG is not a Spark type/);
    const unclosed = await importText("spark", "a STRUCT<b: INT", {}, "u.ddl");
    expect(unclosed.issues.map(formatIssue)).toEqual(["u.ddl:1:16 error spark-ddl-syntax expected >, found the end"]);
    const comment = await importText("spark", "a INT COMMENT 'open", {}, "c.ddl");
    expect(comment.issues.map(formatIssue)).toEqual(["c.ddl:1:15 error spark-ddl-syntax unterminated string"]);
    const create = await importText("spark", "-- orders\nCREATE TABLE t (a INT)", {}, "s.ddl");
    expect(create.issues.map(formatIssue)).toEqual([
      "s.ddl:2:1 error spark-ddl-statement a CREATE statement is not supported: give the column list (what df.schema.toDDL prints)",
    ]);
    const twice = await importText("spark", "a INT,\n  a STRING", {}, "d.ddl");
    expect(twice.issues.map(formatIssue)).toEqual(["d.ddl:2:3 error spark-duplicate column a is defined twice"]);
    const deep = await importText("spark", `a ${"ARRAY<".repeat(40)}INT${">".repeat(40)}`, {}, "deep.ddl");
    expect(issuesWith(deep.issues, "spark-ddl-syntax").map((i) => i.message)).toEqual([
      "types nest more than 32 levels deep",
    ]);
    let nested: unknown = "int";
    for (let i = 0; i < 40; i++) nested = { type: "array", elementType: nested, containsNull: true };
    const deepJson = await importText(
      "spark",
      JSON.stringify({ type: "struct", fields: [{ name: "a", type: nested, nullable: true, metadata: {} }] }),
      {},
      "deep.json",
    );
    expect(issuesWith(deepJson.issues, "spark-too-deep")).toHaveLength(1);
    const unknownJson = await importText(
      "spark",
      '{"type": "struct", "fields": [\n  {"name": "a", "type": "text", "nullable": true}]}',
      {},
      "u.json",
    );
    expect(unknownJson.issues.map((i) => `${i.line}:${i.column} ${i.code}`)).toEqual(["2:17 spark-unknown-type"]);
    const malformed = await importText(
      "spark",
      '{"type": "struct", "fields": [\n  {"name": "a" "type": "int"}]}',
      {},
      "m.json",
    );
    expect(malformed.issues.filter((i) => i.severity === "error").map((i) => i.line)[0]).toBe(2);
    const binary = await importText("spark", new Uint8Array([0, 1, 2]), {}, "x.json");
    expect(binary.issues.map((i) => i.code)).toEqual(["file-not-text"]);
  });
});

describe("spark round trips", () => {
  for (const syntax of ["json", "ddl"] as const) {
    for (const [fixture, file] of [
      ["rich", fixtures.rich],
      ["hostile", fixtures.hostile],
    ] as const) {
      it(`keeps the ${fixture} contract from contract to Spark ${syntax} and back`, async () => {
        const out = files(await exportFile("spark", file, { syntax }));
        const original = sparkShape(readFileSync(file, "utf8"));
        const back = await Promise.all(
          Object.entries(out).map(async ([path, text], i) => {
            const outcome = await importText("spark", text, { name: original[i]?.name }, path);
            return shape(expectCleanImport(outcome))[0];
          }),
        );
        expect(back).toEqual(original);
      });
    }
  }

  it("keeps a DDL schema from Spark to contract to Spark", async () => {
    const contract = expectCleanImport(await importText("spark", ddl, {}, "orders.ddl"));
    const again = files(await exportText("spark", contract, { syntax: "ddl" }));
    expect(again["orders.ddl"]).toBe(
      `${[
        "`id` BIGINT NOT NULL COMMENT 'Order id'",
        "`order date` DATE",
        "`amount` DECIMAL(10,2)",
        "`code` CHAR(3)",
        "`name` VARCHAR(40) COMMENT 'It\\'s a name'",
        "`flags` ARRAY<BOOLEAN>",
        "`attrs` MAP<STRING, INT>",
        "`ship` STRUCT<`city`: STRING NOT NULL, `zip`: INT COMMENT 'post code'>",
        "`spent` INTERVAL DAY TO SECOND",
        "`at` TIMESTAMP_NTZ",
      ].join(",\n")}\n`,
    );
    // And the JSON of the same schema reads back to the same contract.
    const json = files(await exportText("spark", contract, { syntax: "json" }));
    const fromJson = expectCleanImport(await importText("spark", json["orders.json"] ?? "", {}, "orders.json"));
    expect(shape(fromJson)).toEqual(shape(contract));
  });
});
