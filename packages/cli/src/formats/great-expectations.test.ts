import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

/**
 * A Great Expectations suite imported with `quanta import --format great-expectations` and RUN by
 * `quanta test` on real CSV files; and a contract exported to GX and imported back runs the same.
 */
const dir = tempDir("quanta-gx-");
const quanta = consoleIn(dir);

const suite = {
  expectation_suite_name: "orders.critical",
  expectations: [
    { expectation_type: "expect_table_row_count_to_be_between", kwargs: { min_value: 3, max_value: 100 } },
    { expectation_type: "expect_column_to_exist", kwargs: { column: "order_id" } },
    { expectation_type: "expect_column_values_to_not_be_null", kwargs: { column: "order_id" } },
    { expectation_type: "expect_column_values_to_be_unique", kwargs: { column: "order_id" } },
    {
      expectation_type: "expect_column_values_to_be_in_set",
      kwargs: { column: "status", value_set: ["placed", "shipped"] },
    },
    { expectation_type: "expect_column_values_to_not_be_null", kwargs: { column: "email", mostly: 0.75 } },
    { expectation_type: "expect_column_values_to_match_regex", kwargs: { column: "order_id", regex: "^ORD-[0-9]+$" } },
    {
      expectation_type: "expect_column_values_to_be_between",
      kwargs: { column: "total", min_value: 0, max_value: 1000 },
    },
    {
      expectation_type: "expect_column_value_lengths_to_be_between",
      kwargs: { column: "country", min_value: 2, max_value: 2 },
    },
    { expectation_type: "expect_compound_columns_to_be_unique", kwargs: { column_list: ["order_id", "status"] } },
    { expectation_type: "expect_column_mean_to_be_between", kwargs: { column: "total", min_value: 1, max_value: 500 } },
    { expectation_type: "expect_column_max_to_be_between", kwargs: { column: "total", max_value: 1000 } },
    { expectation_type: "expect_column_min_to_be_between", kwargs: { column: "total", min_value: 0 } },
  ],
};

interface Result {
  name: string;
  type: string;
  result: string;
}

async function run(contract: string, server: string): Promise<Result[]> {
  const r = await quanta("test", contract, "--server", server, "--format", "json");
  expect(r.err).toBe("");
  return (JSON.parse(r.out) as { checks: Result[] }).checks;
}

function withServers(file: string): void {
  const contract = parse(readFileSync(join(dir, file), "utf8"));
  contract.servers = ["good", "bad"].map((kind) => ({
    server: kind,
    type: "local",
    path: `${kind}/orders.csv`,
    format: "csv",
  }));
  writeFileSync(join(dir, file), stringify(contract));
}

beforeAll(async () => {
  for (const kind of ["good", "bad"]) mkdirSync(join(dir, kind));
  await writeData(
    join(dir, "good", "orders.csv"),
    `SELECT 'ORD-' || i AS order_id, ['placed', 'shipped'][1 + i % 2] AS status, 10.5 * i AS total, 'NL' AS country,
            CASE WHEN i = 1 THEN NULL ELSE 'c' || i || '@example.com' END AS email
     FROM range(1, 11) t(i)`,
  );
  await writeData(
    join(dir, "bad", "orders.csv"),
    `SELECT * FROM (VALUES
       ('ORD-1', 'placed', 5000.0, 'NL', NULL),
       ('ORD-1', 'placed', -1.0, 'NLD', NULL),
       ('X-3', 'lost', 20.0, 'BE', 'a@example.com')
     ) t(order_id, status, total, country, email)`,
  );
  writeFileSync(join(dir, "suite.json"), JSON.stringify(suite, null, 2));
  const imported = await quanta("import", "suite.json", "--format", "great-expectations", "-o", "orders.odcs.yaml");
  expect([imported.code, imported.err]).toEqual([0, "wrote orders.odcs.yaml (ODCS)\n"]);
  withServers("orders.odcs.yaml");
});

describe("Great Expectations suite imported and run by quanta test", () => {
  it("names the schema object after the suite's data asset and lints clean", async () => {
    const contract = parse(readFileSync(join(dir, "orders.odcs.yaml"), "utf8"));
    expect(contract.schema.map((o: { name: string }) => o.name)).toEqual(["orders"]);
    const lint = await quanta("lint", "orders.odcs.yaml", "--format", "json");
    expect(JSON.parse(lint.out).issues.filter((i: { severity: string }) => i.severity !== "info")).toEqual([]);
  });

  it("passes every expectation on good data, none skipped", async () => {
    const results = await run("orders.odcs.yaml", "good");
    expect(results.filter((c) => c.result !== "passed")).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(13);
  });

  it("fails exactly the expectations the bad data breaks", async () => {
    const results = await run("orders.odcs.yaml", "bad");
    expect(results.filter((c) => c.result === "skipped" || c.result === "error")).toEqual([]);
    expect(results.filter((c) => c.result === "failed").map((c) => c.name)).toEqual([
      "orders.order_id is unique",
      "orders.order_id invalidValues",
      "orders.status invalidValues",
      "orders.email nullValues",
      "expect_column_values_to_be_between",
      "expect_column_mean_to_be_between",
      "expect_column_max_to_be_between",
      "expect_column_min_to_be_between",
      "expect_column_value_lengths_to_be_between",
      "orders duplicateValues",
    ]);
  });

  it("runs the same after a round trip through quanta export --format great-expectations", async () => {
    const exported = await quanta(
      "export",
      "orders.odcs.yaml",
      "--format",
      "great-expectations",
      "-o",
      "exported.json",
    );
    // One schema object: -o names the suite file itself.
    expect([exported.code, exported.err]).toEqual([0, "wrote exported.json\n"]);
    const again = await quanta("import", "exported.json", "--format", "great-expectations", "-o", "again.odcs.yaml");
    expect(again.code).toBe(0);
    withServers("again.odcs.yaml");
    expect((await run("again.odcs.yaml", "good")).filter((c) => c.result !== "passed")).toEqual([]);
    const failed = async (file: string) =>
      (await run(file, "bad"))
        .filter((c) => c.result === "failed")
        .map((c) => c.name)
        .sort();
    expect(await failed("again.odcs.yaml")).toEqual(await failed("orders.odcs.yaml"));
  });

  it("refuses a file that is not a suite with a precise message", async () => {
    writeFileSync(join(dir, "not-a-suite.json"), '{\n  "checks": []\n}\n');
    const r = await quanta("import", "not-a-suite.json", "--format", "great-expectations");
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(
      "not-a-suite.json:1:1 error gx-not-suite not a Great Expectations suite: it needs `expectation_suite_name` (GX 0.x) or `name` (GX 1.x)",
    );
  });
});
