import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

/**
 * DCS contracts whose quality is SodaCL (the 0.9 top-level `quality: type: SodaCL` as text) or
 * Great Expectations (a 1.x `custom` rule), imported with `quanta import --format dcs` and RUN by
 * `quanta test`: the checks once skipped as custom rules now pass and fail on real data.
 */
const dir = tempDir("quanta-dcs-sodacl-");
const quanta = consoleIn(dir);

const dcs09 = `dataContractSpecification: 0.9.3
id: orders-latest
info:
  title: Orders Latest
  version: 1.0.0
models:
  orders:
    type: table
    fields:
      order_id:
        type: varchar
      customer_id:
        type: integer
      status:
        type: varchar
      total:
        type: decimal
  customers:
    type: table
    fields:
      id:
        type: integer
quality:
  type: SodaCL
  specification: |
    checks for orders:
      - row_count > 2
      - missing_count(order_id) = 0
      - duplicate_count(order_id) = 0
      - invalid_count(status) = 0:
          valid values: [placed, shipped]
      - invalid_percent(total) < 10%:
          valid min: 0
      - min(total) >= 0
      - values in (customer_id) must exist in customers (id)
      - failed rows:
          fail condition: total > 10000
    checks for customers:
      - missing_count(id) = 0
      - row_count ~ 3
`;

const dcs12 = `dataContractSpecification: 1.2.1
id: orders-gx
info:
  title: Orders GX
  version: 1.0.0
models:
  orders:
    fields:
      order_id:
        type: string
        quality:
          - type: custom
            engine: great-expectations
            implementation:
              expectation_type: expect_column_values_to_match_regex
              kwargs: { column: order_id, regex: "^ORD-[0-9]+$" }
      status:
        type: string
    quality:
      - type: custom
        engine: great-expectations
        implementation:
          - expectation_type: expect_column_values_to_be_unique
            kwargs: { column: order_id }
          - expectation_type: expect_column_values_to_be_in_set
            kwargs: { column: status, value_set: [placed, shipped] }
          - expectation_type: expect_table_row_count_to_be_between
            kwargs: { min_value: 3 }
`;

interface Result {
  name: string;
  type: string;
  result: string;
}

/** Imports the DCS file `source` to `out` and points the contract at the data; returns stderr. */
async function importWithServers(source: string, out: string, files: Record<string, string>) {
  const imported = await quanta("import", source, "--format", "dcs", "-o", out);
  expect(imported.code).toBe(0);
  const contract = parse(readFileSync(join(dir, out), "utf8"));
  contract.servers = Object.entries(files).map(([server, path]) => ({
    server,
    type: "local",
    path,
    format: "parquet",
  }));
  writeFileSync(join(dir, out), stringify(contract));
  return imported.err;
}

async function run(contract: string, server: string): Promise<Result[]> {
  const r = await quanta("test", contract, "--server", server, "--format", "json");
  expect(r.err).toBe("");
  return (JSON.parse(r.out) as { checks: Result[] }).checks;
}

let warnings09 = "";

beforeAll(async () => {
  for (const kind of ["good", "bad"]) mkdirSync(join(dir, kind));
  await writeData(
    join(dir, "good", "orders.parquet"),
    `SELECT 'ORD-' || i AS order_id, CAST(1 + i % 3 AS INTEGER) AS customer_id, ['placed', 'shipped'][1 + i % 2] AS status,
            CAST(10.5 * i AS DECIMAL(12, 2)) AS total FROM range(1, 11) t(i)`,
  );
  await writeData(join(dir, "good", "customers.parquet"), "SELECT CAST(i AS INTEGER) AS id FROM range(1, 4) t(i)");
  await writeData(
    join(dir, "bad", "orders.parquet"),
    `SELECT * FROM (VALUES ('ORD-1', 1, 'placed', CAST(-5 AS DECIMAL(12, 2))), ('ORD-1', 7, 'lost', 20000), ('X', 2, 'shipped', 3))
       t(order_id, customer_id, status, total)`,
  );
  await writeData(join(dir, "bad", "customers.parquet"), "SELECT * FROM (VALUES (1), (2), (NULL)) t(id)");
  writeFileSync(join(dir, "0.9"), dcs09);
  writeFileSync(join(dir, "1.2"), dcs12);
  warnings09 = await importWithServers("0.9", "orders.odcs.yaml", {
    good: "good/{model}.parquet",
    bad: "bad/{model}.parquet",
  });
  await importWithServers("1.2", "gx.odcs.yaml", { good: "good/orders.parquet", bad: "bad/orders.parquet" });
});

describe("DCS SodaCL and Great Expectations quality, imported and run", () => {
  it("warns only about the check it cannot run, at its line in the DCS text block", () => {
    expect(warnings09).toBe(
      '0.9:40:9 warning sodacl-check-invalid cannot read the threshold "~ 3" (use = != < <= > >= or between … and …); kept as a soda rule Quanta does not run\nwrote orders.odcs.yaml (ODCS)\n',
    );
  });

  it("DCS 0.9 top-level SodaCL: every check passes on good data, none skipped but the one it warned of", async () => {
    const results = await run("orders.odcs.yaml", "good");
    expect(results.filter((c) => c.result !== "passed").map((c) => `${c.result} ${c.name}`)).toEqual([
      "skipped customers (soda rule)",
    ]);
    expect(
      results.filter((c) => c.type === "sql" || c.type === "rowCount" || c.type === "duplicateValues").length,
    ).toBe(9);
  });

  it("DCS 0.9 top-level SodaCL: the broken checks fail on bad data", async () => {
    const results = await run("orders.odcs.yaml", "bad");
    expect(results.filter((c) => c.result === "error")).toEqual([]);
    expect(results.filter((c) => c.result === "failed").map((c) => c.name)).toEqual([
      "orders duplicateValues",
      "invalid_count(status) = 0",
      "invalid_percent(total) < 10%",
      "min(total) >= 0",
      "values in customer_id must exist in customers.id",
      "failed rows: total > 10000",
      "missing_count(id) = 0",
    ]);
  });

  it("DCS 1.2 Great Expectations rules run on the object and the field", async () => {
    expect((await run("gx.odcs.yaml", "good")).filter((c) => c.result !== "passed")).toEqual([]);
    const bad = await run("gx.odcs.yaml", "bad");
    expect(bad.filter((c) => c.result === "failed").map((c) => c.name)).toEqual([
      "orders.order_id invalidValues",
      "orders duplicateValues",
      "expect_column_values_to_be_in_set",
    ]);
  });
});
