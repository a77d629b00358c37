import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

/**
 * Files of the common formats as teams have them (a pg_dump, an .avsc, a dbt schema.yml, a SodaCL
 * checks file, the talk's DCS 0.9 contract …), all describing the demo's orders. Each must import
 * into a contract that lints clean and whose checks pass on the real orders: the schema and the
 * rules the file states, run where the data lives.
 */
const fixtures = resolve(import.meta.dirname, "fixtures");
const ordersData = resolve(import.meta.dirname, "../../../../examples/webshop/orders/data/orders.parquet");

let dir: string;
async function quanta(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-fixtures-"));
});

interface Check {
  name: string;
  type: string;
  result: string;
  reason?: string;
}

/** Imports a fixture, points the contract at the real orders, and runs its checks. */
async function importAndTest(file: string, format: string | undefined, ...more: string[]) {
  const out = `${file}.odcs.yaml`;
  const args = ["import", join(fixtures, file), "-o", out, ...(format ? ["--format", format] : []), ...more];
  const imported = await quanta(...args);
  expect(imported.err).not.toMatch(/ error /);
  expect(imported.code).toBe(0);
  const lint = await quanta("lint", out, "--format", "json");
  const issues = JSON.parse(lint.out).issues.filter((i: { severity: string }) => i.severity !== "info");
  expect(issues).toEqual([]);
  const contract = parse(readFileSync(join(dir, out), "utf8"));
  expect(contract.schema.map((o: { name: string }) => o.name)).toEqual(["orders"]);
  contract.servers = [{ server: "local", type: "local", path: ordersData, format: "parquet" }];
  writeFileSync(join(dir, out), stringify(contract));
  const tested = await quanta("test", out, "--format", "json");
  const report = JSON.parse(tested.out) as { result: string; checks: Check[] };
  const wrong = report.checks.filter((c) => c.result !== "passed" && c.result !== "skipped");
  expect(wrong).toEqual([]);
  expect(tested.code).toBe(0);
  return { contract, checks: report.checks };
}

/** Checks that judge the data itself (not only that a column exists with its type). */
const onData = (checks: readonly Check[]) =>
  checks.filter((c) => c.result === "passed" && !["propertyExists", "propertyType"].includes(c.type));

describe("common files import into contracts that pass on matching data", () => {
  it("a pg_dump of the orders table", async () => {
    const { contract, checks } = await importAndTest("orders.sql", undefined);
    expect(contract.schema[0].properties.find((p: { name: string }) => p.name === "order_id")).toMatchObject({
      primaryKey: true,
      required: true,
    });
    expect(onData(checks).length).toBeGreaterThanOrEqual(10);
  });

  it("an Avro schema", async () => {
    const { checks } = await importAndTest("orders.avsc", undefined);
    expect(checks.some((c) => c.result === "passed" && c.name.includes("status"))).toBe(true);
  });

  it("a JSON Schema", async () => {
    const { checks } = await importAndTest("orders.schema.json", "jsonschema");
    expect(onData(checks).length).toBeGreaterThanOrEqual(8);
  });

  it("a dbt schema.yml with data tests", async () => {
    const { checks } = await importAndTest("schema.yml", undefined);
    expect(onData(checks).length).toBeGreaterThanOrEqual(6);
  });

  it("the talk's DCS 0.9 contract: a dbt schema with SodaCL checks", async () => {
    const { checks } = await importAndTest("datacontract-0.9.yaml", undefined);
    expect(checks.filter((c) => c.result === "skipped")).toEqual([]);
    expect(onData(checks).length).toBeGreaterThanOrEqual(4);
  });

  it("a SodaCL checks file", async () => {
    const { checks } = await importAndTest("checks.yml", "sodacl");
    expect(checks.filter((c) => c.result === "skipped")).toEqual([]);
    expect(onData(checks).length).toBeGreaterThanOrEqual(8);
  });

  it("a Great Expectations suite", async () => {
    const { checks } = await importAndTest("expectations.json", "great-expectations");
    expect(onData(checks).length).toBeGreaterThanOrEqual(6);
  });

  it("a DBML file", async () => {
    await importAndTest("orders.dbml", undefined);
  });

  it("a BigQuery table schema", async () => {
    await importAndTest("orders.bigquery.json", "bigquery", "--option", "name=orders");
  });

  it("a Protobuf message", async () => {
    await importAndTest("orders.proto", undefined);
  });
});
