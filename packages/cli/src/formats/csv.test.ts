import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getFormat, importWithFormat } from "@quanta/core";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { dataImportEnvironment } from "@quanta/platform";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

const dir = tempDir("quanta-import-csv-");
const quanta = consoleIn(dir);

async function infer(location: string, options: Record<string, string> = {}) {
  const format = getFormat("csv");
  if (!format) throw new Error("no csv format");
  return importWithFormat(
    format,
    { file: location, bytes: new Uint8Array() },
    options,
    dataImportEnvironment({ baseDir: dir, env: {} }),
  );
}

const problems = async (location: string) =>
  (await infer(location)).issues.map((i) => `${i.file}: ${i.code}: ${i.message}`);

async function testResults(contract: string): Promise<{ code: number; results: Record<string, string> }> {
  const r = await quanta("test", contract, "--format", "json");
  const run = JSON.parse(r.out) as { checks: { key: string; result: string }[] };
  return { code: r.code, results: Object.fromEntries(run.checks.map((c) => [c.key, c.result])) };
}

type Property = {
  name: string;
  physicalName?: string;
  logicalType?: string;
  physicalType?: string;
  quality?: { name?: string }[];
};

beforeAll(async () => {
  mkdirSync(join(dir, "exports"));
  await writeData(
    join(dir, "customers.csv"),
    `SELECT i AS customer_id, 'Customer ' || i AS "full name", ['NL', 'BE', 'DE'][1 + i % 3] AS country,
            round(i * 2.25, 2) AS balance, DATE '2023-05-01' + CAST(i AS INTEGER) AS since,
            CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || i || '@example.com' END AS email
     FROM range(1, 61) t(i)`,
  );
  await writeData(join(dir, "exports", "day-1.csv"), "SELECT i AS n, 'a' AS tag FROM range(0, 10) t(i)");
  await writeData(join(dir, "exports", "day-2.csv"), "SELECT i AS n, 'b' AS tag FROM range(10, 25) t(i)");
  writeFileSync(join(dir, "semicolons.csv"), "id;name\n1;Anna\n2;Bert\n3;Anna\n");
  writeFileSync(join(dir, "prose.csv"), "Dear reader, this is a letter\nand not a table at all.\n");
  writeFileSync(join(dir, "ragged.csv"), "a,b\n1,2\n3,4,5,6\n");
  writeFileSync(join(dir, "open-quote.csv"), 'a,b\n1,"two\n');
  copyFileSync(process.execPath, join(dir, "binary.csv"));
});

describe("csv import (real DuckDB through the engine registry)", () => {
  it("infers a contract that lints clean and that quanta test passes on the same file", async () => {
    const outcome = await infer("customers.csv");
    expect(outcome.issues.filter((i) => i.severity !== "info").map((i) => i.message)).toEqual([]);
    const contract = parse(outcome.text ?? "") as {
      servers: unknown[];
      schema: { name: string; properties: Property[] }[];
    };
    expect(contract.servers).toEqual([{ server: "local", type: "local", path: "customers.csv", format: "csv" }]);
    const props = contract.schema[0]?.properties ?? [];
    expect(
      props.map((p) => `${p.name}${p.physicalName ? ` (${p.physicalName})` : ""}: ${p.logicalType} ${p.physicalType}`),
    ).toEqual([
      "customer_id: integer BIGINT",
      "full_name (full name): string VARCHAR",
      "country: string VARCHAR",
      "balance: number DOUBLE",
      "since: date DATE",
      "email: string VARCHAR",
    ]);
    expect(props.map((p) => `${p.name}: ${(p.quality ?? []).map((q) => q.name).join(" ")}`)).toEqual([
      "customer_id: observedNoNulls observedKey observedRange",
      "full_name: observedNoNulls observedLength",
      "country: observedNoNulls observedLength observedValues",
      "balance: observedNoNulls observedRange",
      "since: observedNoNulls observedRange",
      "email: observedLength",
    ]);
    writeFileSync(join(dir, "customers.odcs.yaml"), outcome.text ?? "");
    expect((await quanta("lint", "customers.odcs.yaml")).code).toBe(0);
    const { code, results } = await testResults("customers.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(results["customers.country.quality.2.invalidValues"]).toBe("passed");
    expect(results["customers.full name.quality.1.sql"]).toBe("passed");
    expect(code).toBe(0);
  });

  it("reads a glob of CSV files as one dataset, and another delimiter", async () => {
    const glob = await infer("exports/day-*.csv");
    expect(glob.issues.map((i) => i.message)).toEqual([]);
    const contract = parse(glob.text ?? "") as { schema: { name: string }[] };
    expect(contract.schema[0]?.name).toBe("day");
    expect(glob.text).toContain("observed in 25 rows");
    const semi = await infer("semicolons.csv");
    expect(semi.issues.map((i) => i.message)).toEqual([]);
    expect(semi.text).toContain("- Anna\n");
    writeFileSync(join(dir, "semicolons.odcs.yaml"), semi.text ?? "");
    const { code, results } = await testResults("semicolons.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(code).toBe(0);
  });

  it("says precisely what is wrong with the input", async () => {
    expect(await problems("missing.csv")).toEqual(["missing.csv: data-not-found: no file missing.csv"]);
    expect(await problems("exports/none-*.csv")).toEqual([
      "exports/none-*.csv: data-not-found: no file matches exports/none-*.csv",
    ]);
    expect(await problems("prose.csv")).toEqual([
      'prose.csv: data-not-csv: prose.csv is not CSV: line 2 has 1 field where the header (line 1) has 2, separated by ","',
    ]);
    expect(await problems("ragged.csv")).toEqual([
      'ragged.csv: data-not-csv: ragged.csv is not CSV: line 3 has 4 fields where the header (line 1) has 2, separated by ","',
    ]);
    expect(await problems("open-quote.csv")).toEqual([
      "open-quote.csv: data-not-csv: open-quote.csv is not CSV: the quote opened on line 2 is never closed",
    ]);
    expect((await problems("binary.csv"))[0]).toMatch(
      /^binary\.csv: data-binary-file: binary\.csv is a binary file, not CSV text \(a NUL byte at offset \d+\)$/,
    );
  });
});
