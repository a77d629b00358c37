import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getFormat, importWithFormat } from "@quanta/core";
import { tempDir, writeData } from "@quanta/engine-duckdb/test-data";
import { dataImportEnvironment } from "@quanta/platform";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { consoleIn } from "../run-console.test-helpers.js";

const dir = tempDir("quanta-import-json-");
const quanta = consoleIn(dir);

async function infer(location: string, options: Record<string, string> = {}) {
  const format = getFormat("json");
  if (!format) throw new Error("no json format");
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
  logicalType?: string;
  physicalType?: string;
  items?: { logicalType?: string; physicalType?: string };
  quality?: { name?: string }[];
};

beforeAll(async () => {
  // DuckDB writes newline-delimited JSON: one object per line.
  await writeData(
    join(dir, "events.json"),
    `SELECT i AS event_id, ['click', 'view'][1 + i % 2] AS kind, TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i) MINUTE AS at,
            {'page': '/p' || (i % 4), 'ms': i * 10} AS context, [i, i + 1] AS tags
     FROM range(1, 41) t(i)`,
  );
  writeFileSync(
    join(dir, "array.json"),
    JSON.stringify([
      { sku: "A-1", qty: 2, price: 9.5 },
      { sku: "B-2", qty: 1, price: 20 },
      { sku: "A-1", qty: 5, price: null },
    ]),
  );
  writeFileSync(join(dir, "prose.json"), "hello, this is not JSON\n");
  writeFileSync(join(dir, "truncated.json"), '{"sku": "A-1", "qty": 2}\n{"sku": "B-2", "qty"');
  copyFileSync(process.execPath, join(dir, "binary.json"));
});

describe("json import (real DuckDB through the engine registry)", () => {
  it("infers newline-delimited JSON with nested values; quanta test passes on the same file", async () => {
    const outcome = await infer("events.json");
    expect(outcome.issues.filter((i) => i.severity !== "info").map((i) => i.message)).toEqual([]);
    const contract = parse(outcome.text ?? "") as { servers: unknown[]; schema: { properties: Property[] }[] };
    expect(contract.servers).toEqual([{ server: "local", type: "local", path: "events.json", format: "json" }]);
    const props = contract.schema[0]?.properties ?? [];
    expect(props.map((p) => `${p.name}: ${p.logicalType} ${p.physicalType}`)).toEqual([
      "event_id: integer BIGINT",
      "kind: string VARCHAR",
      "at: timestamp TIMESTAMP",
      "context: object STRUCT(page VARCHAR, ms BIGINT)",
      "tags: array BIGINT[]",
    ]);
    expect(props[4]?.items).toEqual({ logicalType: "integer", physicalType: "BIGINT" });
    expect(props.map((p) => `${p.name}: ${(p.quality ?? []).map((q) => q.name).join(" ")}`)).toEqual([
      "event_id: observedNoNulls observedKey observedRange",
      "kind: observedNoNulls observedLength observedValues",
      "at: observedNoNulls observedRange",
      "context: observedNoNulls",
      "tags: observedNoNulls",
    ]);
    writeFileSync(join(dir, "events.odcs.yaml"), outcome.text ?? "");
    expect((await quanta("lint", "events.odcs.yaml")).code).toBe(0);
    const { code, results } = await testResults("events.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(results["events.at.quality.1.sql"]).toBe("passed");
    expect(code).toBe(0);
  });

  it("infers a JSON array of objects", async () => {
    const outcome = await infer("array.json", { name: "order_lines" });
    expect(outcome.issues.map((i) => i.message)).toEqual([]);
    const contract = parse(outcome.text ?? "") as { schema: { name: string; properties: Property[] }[] };
    expect(contract.schema[0]?.name).toBe("order_lines");
    expect(contract.schema[0]?.properties.map((p) => `${p.name}: ${p.logicalType}`)).toEqual([
      "sku: string",
      "qty: integer",
      "price: number",
    ]);
    writeFileSync(join(dir, "array.odcs.yaml"), outcome.text ?? "");
    const { code, results } = await testResults("array.odcs.yaml");
    expect(Object.entries(results).filter(([, r]) => r !== "passed")).toEqual([]);
    expect(code).toBe(0);
  });

  it("says precisely what is wrong with the input", async () => {
    expect(await problems("missing.json")).toEqual(["missing.json: data-not-found: no file missing.json"]);
    expect(await problems("logs/*.json")).toEqual([
      "logs/*.json: data-not-found: no file matches logs/*.json (there is no folder logs)",
    ]);
    expect(await problems("none-*.json")).toEqual(["none-*.json: data-not-found: no file matches none-*.json"]);
    expect(await problems("prose.json")).toEqual([
      'prose.json: data-not-json: prose.json is not JSON data: it starts with "h", not an object or an array of objects',
    ]);
    // DuckDB's own words, with the path as the user gave it.
    expect((await problems("truncated.json"))[0]).toMatch(
      /^truncated\.json: data-unreadable: cannot read truncated\.json as JSON: Malformed JSON in file "truncated\.json", at byte \d+ .*unexpected end of data\.$/,
    );
    expect((await problems("binary.json"))[0]).toMatch(
      /^binary\.json: data-binary-file: binary\.json is a binary file/,
    );
  });
});
