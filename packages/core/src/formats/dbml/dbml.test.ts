import { fileURLToPath } from "node:url";
import { Parser } from "@dbml/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatIssue } from "../../issues.js";
import {
  expectCleanImport,
  expectGolden,
  exportFile,
  exportText,
  fixtures,
  importText,
  issuesWith,
  onlyText,
} from "../format-test-kit.test-helpers.js";

const golden = (name: string) => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests walk converted documents freely
type Obj = Record<string, any>;

/** What a round trip through DBML keeps: objects, columns, logical types, required, keys, value sets. */
function shape(yaml: string): Obj[] {
  const contract = parse(yaml) as Obj;
  return (contract.schema as Obj[]).map((o) => ({
    name: o.name,
    description: o.description,
    properties: (o.properties as Obj[]).map((p) => ({
      name: p.name,
      logicalType: p.logicalType,
      required: p.required ?? false,
      primaryKey: p.primaryKey ?? false,
      primaryKeyPosition: p.primaryKeyPosition,
      relationships: p.relationships?.map((r: Obj) => r.to),
      validValues: p.quality?.find((q: Obj) => q.metric === "invalidValues")?.arguments.validValues,
      description: p.description,
    })),
    relationships: o.relationships?.map((r: Obj) => [r.from, r.to]),
  }));
}

function reparse(text: string): ReturnType<Parser["parse"]> {
  return new Parser().parse(text, "dbmlv2");
}

describe("dbml export", () => {
  it("writes the rich contract as DBML that @dbml/core reads back", async () => {
    const result = await exportFile("dbml", fixtures.rich);
    const text = onlyText(result);
    expectGolden(text, golden("rich.dbml"));
    const db = reparse(text);
    const tables = db.schemas[0]?.tables ?? [];
    expect(tables.map((t) => t.name)).toEqual(["customers", "orders"]);
    const orders = tables[1];
    expect(orders?.fields.find((f) => f.name === "order_id")?.pk).toBe(true);
    expect(db.schemas[0]?.refs).toHaveLength(1);
    expect(db.schemas[0]?.enums.map((e) => e.values.map((v) => v.name))).toEqual([
      ["retail", "business", "vip"],
      ["placed", "shipped", "delivered", "returned"],
    ]);
    // What DBML cannot carry is reported at the contract's line.
    expect(result.issues.map((i) => `${i.line}:${i.column} ${i.code} ${i.message}`)).toEqual([
      "44:9 dbml-unmapped format not written: DBML columns have no such constraints",
      "79:9 dbml-unmapped pattern, minLength, maxLength not written: DBML columns have no such constraints",
      "101:9 dbml-unmapped minimum, maximum not written: DBML columns have no such constraints",
      "107:9 dbml-unmapped minimum not written: DBML columns have no such constraints",
      "122:9 dbml-nested DBML has no nested columns: shipping_address is written as json without its properties",
      "140:11 dbml-nested DBML has no nested columns: the items of lines are written as json without their properties",
      "64:5 dbml-unmapped quality rules are not written: DBML has no checks",
    ]);
  });

  it("quotes and escapes hostile names and notes so @dbml/core reads them back unchanged", async () => {
    const text = onlyText(await exportFile("dbml", fixtures.hostile));
    expectGolden(text, golden("hostile.dbml"));
    const db = reparse(text);
    const [select, items] = db.schemas[0]?.tables ?? [];
    expect(select?.name).toBe("select");
    expect(items?.name).toBe("order items");
    expect(select?.fields.map((f) => f.name)).toEqual([
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
      "Order Date",
    ]);
    expect(select?.fields[2]?.note).toBe("Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --");
    expect(select?.note).toBe("A table named like a keyword; */ -- closes no comment");
    expect(db.schemas[0]?.enums[0]?.values.map((v) => v.name)).toEqual(["it's", 'say "hi"', "a\\b"]);
    expect(db.schemas[0]?.refs[0]?.endpoints.map((e) => [e.tableName, e.fieldNames])).toEqual([
      ["order items", ["def"]],
      ["select", ["from"]],
    ]);
  });

  it("writes a composite primary key as a pk index and a composite foreign key as one Ref", async () => {
    const yaml = `apiVersion: v3.1.0
kind: DataContract
id: keys
version: 1.0.0
status: draft
schema:
  - name: a
    properties:
      - { name: x, logicalType: integer, primaryKey: true, primaryKeyPosition: 2, required: true }
      - { name: y, logicalType: integer, primaryKey: true, primaryKeyPosition: 1, required: true }
  - name: b
    relationships:
      - { type: foreignKey, from: [b.p, b.q], to: [a.y, a.x] }
    properties:
      - { name: p, logicalType: integer }
      - { name: q, logicalType: integer }
`;
    const text = onlyText(await exportText("dbml", yaml));
    expect(text).toContain("(y, x) [pk]");
    expect(text).toContain("Ref: b.(p, q) > a.(y, x)");
    const db = reparse(text);
    expect(db.schemas[0]?.tables[0]?.indexes[0]?.pk).toBe(true);
  });

  it("exports one object with the schema option and says when it is unknown", async () => {
    const text = onlyText(await exportFile("dbml", fixtures.rich, { schema: "customers" }));
    expect(text).toContain("Table customers");
    expect(text).not.toContain("Table orders");
    const missing = await exportFile("dbml", fixtures.rich, { schema: "nope" });
    expect(missing.issues.map((i) => i.message)).toEqual(["no schema object named nope"]);
  });
});

const shop = `// The shop's tables
Project shop {
  database_type: 'PostgreSQL'
  Note: 'Orders and customers'
}

Enum order_status {
  placed
  "shipped out" [note: 'on its way']
}

Table customers [note: 'One row per customer'] {
  id bigint [pk, increment]
  email varchar(254) [not null, unique, note: 'Login']
  country char(2) [default: 'CH']
}

Table sales.orders {
  id varchar(20)
  line int
  customer_id bigint [not null, ref: > customers.id]
  status order_status [not null]
  tags text[]
  placed_at timestamp
  Indexes {
    (id, line) [pk]
    placed_at [name: 'by_time']
    (customer_id, placed_at) [unique]
  }
}

Table shipments {
  order_id varchar(20)
  order_line int
}

Ref ship: shipments.(order_id, order_line) > sales.orders.(id, line) [delete: cascade]

TableGroup sales {
  customers
  sales.orders
}
`;

describe("dbml import", () => {
  it("reads tables, keys, enums and refs into a contract that lints clean", async () => {
    const outcome = await importText("dbml", shop, {}, "shop.dbml");
    expectCleanImport(outcome, ["dbml-unmapped"]);
    expect(issuesWith(outcome.issues, "dbml-unmapped").map(formatIssue)).toEqual([
      "shop.dbml:9:3 warning dbml-unmapped the note of enum value shipped out is not kept (a value set has no notes)",
      "shop.dbml:27:5 warning dbml-unmapped index (placed_at) by_time is not kept: ODCS has no plain indexes",
      "shop.dbml:39:1 warning dbml-unmapped TableGroup sales is not kept: ODCS has no table groups",
    ]);
    const contract = outcome.value as Obj;
    expect(contract.id).toBe("shop");
    expect(contract.description).toEqual({ purpose: "Orders and customers" });
    expect(contract.customProperties).toEqual([{ property: "databaseType", value: "PostgreSQL" }]);
    const [customers, orders, shipments] = contract.schema as [Obj, Obj, Obj];
    expect(customers.description).toBe("One row per customer");
    expect(customers.properties[0]).toMatchObject({
      name: "id",
      logicalType: "integer",
      physicalType: "bigint",
      required: true,
      primaryKey: true,
      primaryKeyPosition: 1,
      customProperties: [{ property: "autoIncrement", value: true }],
    });
    expect(customers.properties[1]).toMatchObject({
      logicalType: "string",
      required: true,
      unique: true,
      description: "Login",
      logicalTypeOptions: { maxLength: 254 },
    });
    expect(customers.properties[2].customProperties).toEqual([{ property: "default", value: "CH" }]);
    expect(orders.physicalName).toBe("sales.orders");
    expect(orders.properties.slice(0, 2).map((p: Obj) => [p.name, p.primaryKeyPosition, p.required])).toEqual([
      ["id", 1, true],
      ["line", 2, true],
    ]);
    expect(orders.properties[2].relationships).toEqual([{ type: "foreignKey", to: "customers.id" }]);
    expect(orders.properties[3].quality).toEqual([
      { metric: "invalidValues", arguments: { validValues: ["placed", "shipped out"] }, mustBe: 0 },
    ]);
    expect(orders.properties[4]).toMatchObject({
      logicalType: "array",
      items: { logicalType: "string", physicalType: "text" },
    });
    expect(orders.quality).toEqual([
      { metric: "duplicateValues", arguments: { properties: ["customer_id", "placed_at"] }, mustBe: 0 },
    ]);
    expect(shipments.relationships).toEqual([
      {
        type: "foreignKey",
        from: ["shipments.order_id", "shipments.order_line"],
        to: ["orders.id", "orders.line"],
        customProperties: [
          { property: "name", value: "ship" },
          { property: "onDelete", value: "cascade" },
        ],
      },
    ]);
  });

  it("reports DBML syntax errors at their line and column", async () => {
    const outcome = await importText("dbml", "Table x {\n  id int [pk\n}\n", {}, "bad.dbml");
    expect(outcome.text).toBeUndefined();
    expect(outcome.issues.map(formatIssue)[0]).toBe("bad.dbml:3:1 error dbml-syntax Expect an identifier");
  });

  it("refuses a binary file and many-to-many refs", async () => {
    const binary = await importText("dbml", new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), {}, "x.dbml");
    expect(binary.issues.map((i) => i.code)).toEqual(["file-not-text"]);
    const m2m = await importText(
      "dbml",
      "Table a {\n id int\n}\nTable b {\n id int\n}\nRef: a.id <> b.id\n",
      {},
      "m.dbml",
    );
    expect(issuesWith(m2m.issues, "dbml-many-to-many").map(formatIssue)).toEqual([
      "m.dbml:7:1 warning dbml-many-to-many a many-to-many Ref (<>) is not a foreign key; not kept",
    ]);
  });
});

describe("dbml round trips", () => {
  it("keeps objects, columns, types, required and keys from contract to DBML and back", async () => {
    const text = onlyText(await exportFile("dbml", fixtures.rich));
    const back = expectCleanImport(await importText("dbml", text, {}, "rich.dbml"));
    const original = shape((await import("node:fs")).readFileSync(fixtures.rich, "utf8"));
    expect(shape(back)).toEqual(original);
  });

  it("keeps hostile names from contract to DBML and back", async () => {
    const text = onlyText(await exportFile("dbml", fixtures.hostile));
    const back = expectCleanImport(await importText("dbml", text, {}, "hostile.dbml"));
    const original = shape((await import("node:fs")).readFileSync(fixtures.hostile, "utf8"));
    expect(shape(back)).toEqual(original);
  });

  it("keeps a DBML schema from DBML to contract to DBML", async () => {
    const first = expectCleanImport(await importText("dbml", shop, {}, "shop.dbml"), ["dbml-unmapped"]);
    const dbml = onlyText(await exportText("dbml", first));
    const second = expectCleanImport(await importText("dbml", dbml, {}, "again.dbml"));
    expect(shape(second)).toEqual(shape(first));
  });
});
