import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatIssue, getFormat, importWithFormat } from "@quanta/core";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { dataImportEnvironment } from "@quanta/platform";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

const dir = tempDir("quanta-import-parquet-");
const quanta = consoleIn(dir);
const demoData = resolve(import.meta.dirname, "../../../../examples/webshop/orders/data/orders.parquet");

/** Imports `location` the way `quanta import --format parquet` does, reading through the engine registry. */
async function infer(location: string, options: Record<string, string> = {}) {
  const format = getFormat("parquet");
  if (!format) throw new Error("no parquet format");
  return importWithFormat(
    format,
    { file: location, bytes: new Uint8Array() },
    options,
    dataImportEnvironment({ baseDir: dir, env: {} }),
  );
}

/** Every check of `quanta test --format json` on a contract: key → result. */
async function testResults(contract: string): Promise<{ code: number; results: Record<string, string> }> {
  const r = await quanta("test", contract, "--format", "json");
  const run = JSON.parse(r.out) as { checks: { key: string; result: string }[] };
  return { code: r.code, results: Object.fromEntries(run.checks.map((c) => [c.key, c.result])) };
}

type Rule = {
  name?: string;
  tags?: string[];
  severity?: string;
  query?: string;
  arguments?: { validValues?: unknown[] };
};
type Property = { name: string; logicalType?: string; physicalType?: string; required?: boolean; quality?: Rule[] };

beforeAll(async () => {
  mkdirSync(join(dir, "data"));
  await writeData(
    join(dir, "data", "orders.parquet"),
    `SELECT i AS order_id, 'C' || (i % 7) AS customer, ['new', 'paid', 'shipped'][1 + i % 3] AS status,
            CAST(i * 1.5 AS DECIMAL(10,2)) AS amount, DATE '2024-01-01' + CAST(i AS INTEGER) AS ordered_on,
            CASE WHEN i % 4 = 0 THEN NULL ELSE 'note ' || i END AS note
     FROM range(1, 101) t(i)`,
  );
  await writeData(join(dir, "data", "part-1.parquet"), "SELECT i AS id FROM range(0, 50) t(i)");
  await writeData(join(dir, "data", "part-2.parquet"), "SELECT i AS id FROM range(50, 80) t(i)");
  copyFileSync(demoData, join(dir, "demo-orders.parquet"));
  writeFileSync(join(dir, "not.parquet"), "order_id,amount\n1,2\n");
});

describe("parquet import (real DuckDB through the engine registry)", () => {
  it("infers types, declared-vs-observed facts and suggestions that lint clean and pass quanta test", async () => {
    const outcome = await infer("data/orders.parquet");
    expect(outcome.issues.filter((i) => i.severity !== "info").map(formatIssue)).toEqual([]);
    const text = outcome.text ?? "";
    const contract = parse(text) as {
      id: string;
      servers: Record<string, unknown>[];
      schema: { name: string; properties: Property[] }[];
    };
    expect(contract.id).toBe("orders");
    expect(contract.servers).toEqual([
      { server: "local", type: "local", path: "data/orders.parquet", format: "parquet" },
    ]);
    const [orders] = contract.schema;
    expect(orders?.name).toBe("orders");
    const props = Object.fromEntries((orders?.properties ?? []).map((p) => [p.name, p]));
    expect(
      Object.values(props).map((p) => `${p.name} ${p.logicalType} ${p.physicalType} ${p.required === true}`),
    ).toEqual([
      "order_id integer BIGINT false",
      "customer string VARCHAR false",
      "status string VARCHAR false",
      "amount number DECIMAL(10,2) false",
      "ordered_on date DATE false",
      "note string VARCHAR false",
    ]);
    const rules = (p: string) => (props[p]?.quality ?? []).map((r) => r.name);
    // Observed, never asserted: every rule is a suggestion (tag, warning), the key only offered.
    expect(rules("order_id")).toEqual(["observedNoNulls", "observedKey", "observedRange"]);
    expect(rules("customer")).toEqual(["observedNoNulls", "observedLength", "observedValues"]);
    expect(rules("note")).toEqual(["observedLength"]);
    expect(props.status?.quality?.find((r) => r.name === "observedValues")?.arguments?.validValues).toEqual([
      "new",
      "paid",
      "shipped",
    ]);
    expect(props.ordered_on?.quality?.find((r) => r.name === "observedRange")?.query).toBe(
      "SELECT count(*) FROM {object} WHERE {property} < '2024-01-02' OR {property} > '2024-04-10'",
    );
    for (const p of Object.values(props))
      for (const r of p.quality ?? []) {
        expect(r.tags).toEqual(["suggested"]);
        expect(r.severity).toBe("warning");
      }
    expect(text).toContain("observed in 100 rows on ");

    writeFileSync(join(dir, "orders.odcs.yaml"), text);
    const lint = await quanta("lint", "orders.odcs.yaml");
    expect(lint.code).toBe(0);
    const { code, results } = await testResults("orders.odcs.yaml");
    expect(code).toBe(0);
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(results["orders.ordered_on.quality.0.sql"] ?? results["orders.ordered_on.quality.1.sql"]).toBe("passed");
    expect(Object.keys(results).filter((k) => k.includes(".quality.")).length).toBeGreaterThanOrEqual(14);
  });

  it("inspects directly: per column nulls, distinct values, range, lengths and small value sets", async () => {
    const data = await dataImportEnvironment({ baseDir: dir }).inspect?.({
      source: "parquet",
      location: "data/orders.parquet",
      options: { values: "3" },
    });
    expect(data?.server).toEqual({ server: "local", type: "local", path: "data/orders.parquet", format: "parquet" });
    const [orders] = data?.datasets ?? [];
    expect(orders?.rowCount).toBe(100);
    expect(orders?.primaryKey).toEqual(["order_id"]);
    expect(orders?.keysObserved).toBe(true);
    expect(orders?.columns).toEqual([
      { name: "order_id", type: "BIGINT", nullable: true, nulls: 0, distinct: 100, min: 1, max: 100 },
      { name: "customer", type: "VARCHAR", nullable: true, nulls: 0, distinct: 7, minLength: 2, maxLength: 2 },
      {
        name: "status",
        type: "VARCHAR",
        nullable: true,
        nulls: 0,
        distinct: 3,
        minLength: 3,
        maxLength: 7,
        values: ["new", "paid", "shipped"],
      },
      { name: "amount", type: "DECIMAL(10,2)", nullable: true, nulls: 0, distinct: 100, min: 1.5, max: 150 },
      {
        name: "ordered_on",
        type: "DATE",
        nullable: true,
        nulls: 0,
        distinct: 100,
        min: "2024-01-02",
        max: "2024-04-10",
      },
      { name: "note", type: "VARCHAR", nullable: true, nulls: 25, distinct: 75, minLength: 6, maxLength: 7 },
    ]);
  });

  it("runs the suggestions for real: data outside them warns, naming the rule", async () => {
    const outcome = await infer("data/orders.parquet");
    writeFileSync(
      join(dir, "later.odcs.yaml"),
      (outcome.text ?? "").replace("path: data/orders.parquet", "path: data/later.parquet"),
    );
    await writeData(
      join(dir, "data", "later.parquet"),
      `SELECT i AS order_id, 'C1' AS customer, 'lost' AS status, CAST(5 AS DECIMAL(10,2)) AS amount,
              DATE '2030-01-01' AS ordered_on, 'note' AS note FROM range(1, 3) t(i)`,
    );
    const { results } = await testResults("later.odcs.yaml");
    const notPassed = Object.entries(results)
      .filter(([, r]) => r !== "passed")
      .map(([k, r]) => `${k} ${r}`);
    expect(notPassed).toEqual([
      "orders.status.quality.2.invalidValues warning",
      "orders.ordered_on.quality.1.sql warning",
      "orders.note.quality.0.sql warning",
    ]);
  });

  it("reads a glob of files as one dataset named after what they share", async () => {
    const outcome = await infer("data/part-*.parquet", { name: "parts" });
    expect(outcome.issues.map(formatIssue)).toEqual([]);
    const contract = parse(outcome.text ?? "") as { schema: { name: string; properties: Property[] }[] };
    expect(contract.schema[0]?.name).toBe("parts");
    expect(outcome.text).toContain("observed in 80 rows");
    expect(contract.schema[0]?.properties[0]?.quality?.find((r) => r.name === "observedRange")?.query).toBe(
      "SELECT count(*) FROM {object} WHERE {property} < 0 OR {property} > 79",
    );
  });

  it("infers the demo's orders.parquet into a contract the same data passes", async () => {
    const outcome = await infer("demo-orders.parquet");
    expect(outcome.issues.filter((i) => i.severity !== "info").map(formatIssue)).toEqual([]);
    const contract = parse(outcome.text ?? "") as { schema: { name: string; properties: Property[] }[] };
    const names = contract.schema[0]?.properties.map((p) => p.name) ?? [];
    expect(names).toContain("order_id");
    expect(names).toContain("status");
    writeFileSync(join(dir, "demo.odcs.yaml"), outcome.text ?? "");
    expect((await quanta("lint", "demo.odcs.yaml")).code).toBe(0);
    const { code, results } = await testResults("demo.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(code).toBe(0);
  });

  it("works from the console: quanta import FILE.parquet", async () => {
    const r = await quanta("import", "data/orders.parquet");
    expect(r.code).toBe(0);
    expect(r.out).toContain("kind: DataContract");
    expect(r.out).toContain("- suggested");
  });

  it("works from the console with --format, a glob and --output, and quanta test passes what it wrote", async () => {
    const r = await quanta(
      "import",
      "--format",
      "parquet",
      "data/part-*.parquet",
      "--option",
      "name=parts",
      "-o",
      "parts.odcs.yaml",
    );
    expect(r.err).toBe("wrote parts.odcs.yaml (ODCS)\n");
    expect(r.code).toBe(0);
    const { code, results } = await testResults("parts.odcs.yaml");
    expect(Object.entries(results).filter(([, v]) => v !== "passed")).toEqual([]);
    expect(results["parts.id.quality.1.duplicateValues"]).toBe("passed");
    expect(code).toBe(0);
    const missing = await quanta("import", "--format", "parquet", "data/none-*.parquet");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no file matches data/none-*.parquet");
  });

  it("says precisely what is wrong with the input", async () => {
    const message = async (location: string) =>
      (await infer(location)).issues.map((i) => `${i.file}: ${i.code}: ${i.message}`);
    expect(await message("data/missing.parquet")).toEqual([
      "data/missing.parquet: data-not-found: no file data/missing.parquet",
    ]);
    expect(await message("data/none-*.parquet")).toEqual([
      "data/none-*.parquet: data-not-found: no file matches data/none-*.parquet",
    ]);
    expect(await message("nowhere/*.parquet")).toEqual([
      "nowhere/*.parquet: data-not-found: no file matches nowhere/*.parquet (there is no folder nowhere)",
    ]);
    expect(await message("not.parquet")).toEqual([
      "not.parquet: data-not-parquet: not.parquet is not a Parquet file (it does not start with PAR1)",
    ]);
    expect(await message("data")).toEqual([
      "data: data-not-a-file: data is a folder; give a file or a glob such as data/*.parquet",
    ]);
  });

  it("needs the console or the platform to read data", async () => {
    const format = getFormat("parquet");
    if (!format) throw new Error("no parquet format");
    const outcome = await importWithFormat(format, { file: "orders.parquet", bytes: new Uint8Array() }, {});
    expect(outcome.issues.map((i) => `${i.file}: ${i.code}: ${i.message}`)).toEqual([
      "orders.parquet: data-no-engine: reading data needs the console or the platform (quanta import --format parquet orders.parquet)",
    ]);
  });
});
