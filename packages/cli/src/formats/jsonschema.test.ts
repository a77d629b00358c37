import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { openDuckDb } from "@quanta/engine-duckdb";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const orders = join(repo, "examples/webshop/orders/contracts/orders.odcs.yaml");
const ordersData = join(repo, "examples/webshop/orders/data/orders.parquet");
const hostile = join(repo, "packages/core/src/formats/testdata/hostile.odcs.yaml");

async function exportSchema(path: string, options: Record<string, string> = {}) {
  const format = getFormat("jsonschema");
  if (!format) throw new Error("jsonschema is not registered");
  const result = await exportWithFormat(format, SourceDocument.parse(readFileSync(path, "utf8"), path), options);
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  return JSON.parse(String(result.files[0]?.content));
}

/** Strict ajv, told about the two annotation keywords the export writes. */
function compile(schema: object) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addKeyword("x-odcs");
  ajv.addKeyword("x-odcs-contract");
  return ajv.compile(schema);
}

/**
 * The rows as JSON the way a JSON writer gives them: decimals as numbers, dates as `YYYY-MM-DD`,
 * timestamps in RFC 3339 (the contract's timestamps are UTC).
 */
async function jsonRows(): Promise<Record<string, unknown>[]> {
  const conn = await openDuckDb({
    server: { type: "local", path: ordersData, format: "parquet" },
    objects: [{ name: "orders" }],
    baseDir: repo,
  });
  try {
    const columns = await conn.run(`DESCRIBE ${conn.relation("orders")}`);
    const select = columns.map((c) => {
      const name = `"${String(c.column_name)}"`;
      const type = String(c.column_type);
      if (type.startsWith("DECIMAL")) return `${name}::DOUBLE AS ${name}`;
      if (type === "DATE") return `strftime(${name}, '%Y-%m-%d') AS ${name}`;
      if (type.startsWith("TIMESTAMP")) return `strftime(${name}, '%Y-%m-%dT%H:%M:%SZ') AS ${name}`;
      return name;
    });
    return await conn.run(`SELECT ${select.join(", ")} FROM ${conn.relation("orders")}`);
  } finally {
    await conn.close();
  }
}

describe("jsonschema export checked by ajv", () => {
  it("validates every row of the orders data and rejects a broken one", async () => {
    const validate = compile(await exportSchema(orders));
    const rows = await jsonRows();
    expect(rows.length).toBeGreaterThan(1000);
    const failing = rows.filter((r) => !validate(r));
    expect(failing.length, JSON.stringify(validate.errors)).toBe(0);
    const row = rows[0] ?? {};
    for (const broken of [
      { ...row, status: "lost" },
      { ...row, order_ts: "yesterday" },
      { ...row, item_count: 1.5 },
      { ...row, total_amount: "78.47" },
      { ...row, order_id: "X-1" },
      { ...row, shipping_country: null },
    ]) {
      expect(validate(broken), JSON.stringify(broken)).toBe(false);
    }
    const { customer_email: _, ...missing } = row;
    expect(validate(missing)).toBe(false);
  });

  it("compiles the hostile export and accepts its rows whatever the names", async () => {
    const validate = compile(await exportSchema(hostile));
    const ok = {
      select: [
        {
          from: 1,
          "order date": "2024-02-29",
          größe: 1.5,
          'a"b': "q",
          ключ: null,
          "a;drop table x": "2024-01-01T00:00:00Z",
          type: "it's",
        },
      ],
      "order items": [{ def: 1, interface: { func: "f" }, package: [1, 2] }],
    };
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...ok, select: [{ ...ok.select[0], type: "other" }] })).toBe(false);
    expect(validate({ ...ok, "order items": [{ def: 1, package: ["x"] }] })).toBe(false);
  });
});
