import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const repo = resolve(import.meta.dirname, "../../../..");
const orders = join(repo, "examples/webshop/orders/contracts/orders.odcs.yaml");
const product = join(repo, "examples/webshop/orders/orders.odps.yaml");

let dir: string;
async function run(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["export", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-export-"));
  writeFileSync(
    join(dir, "old.dcs.yaml"),
    "dataContractSpecification: 1.2.1\nid: x\ninfo:\n  title: X\n  version: 1.0.0\nmodels:\n  m:\n    fields:\n      a:\n        type: string\n",
  );
  writeFileSync(join(dir, "broken.yaml"), "apiVersion: v3.1.0\nkind: DataContract\nid: [unclosed\n");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("quanta export", () => {
  it("writes one file to stdout", async () => {
    const r = await run("--format", "jsonschema", orders);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/ error /);
    const schema = JSON.parse(r.out);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(JSON.stringify(schema)).toContain("order_id");
  });

  it("takes --dialect and --schema as the format's options", async () => {
    const r = await run("--format", "sql", "--dialect", "duckdb", orders);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/CREATE TABLE/i);
    const one = await run("--format", "jsonschema", "--schema", "orders", orders);
    expect(one.code).toBe(0);
    const wrong = await run("--format", "sql", "--dialect", "oracle", orders);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/sql option dialect must be one of .*; got "oracle"/);
    const unknown = await run("--format", "jsonschema", "--option", "flavour=x", orders);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/jsonschema has no option "flavour"/);
    const malformed = await run("--format", "jsonschema", "--option", "novalue", orders);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain("--option takes key=value");
  });

  it("writes --output, refusing to overwrite without --force", async () => {
    expect((await run("--format", "avro", orders, "-o", "out/orders.avsc")).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "out/orders.avsc"), "utf8"))).toBeTruthy();
    const again = await run("--format", "avro", orders, "-o", "out/orders.avsc");
    expect(again.code).toBe(2);
    expect(again.err).toContain("quanta: out/orders.avsc already exists; pass --force to overwrite it");
    expect((await run("--format", "avro", orders, "-o", "out/orders.avsc", "--force")).code).toBe(0);
  });

  it("needs --output DIR for a format that writes several files, and writes them all there", async () => {
    const r = await run("--format", "dbt", orders);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/quanta: dbt writes \d+ files \(models\/.*\); pass --output DIR\n$/);
    const w = await run("--format", "dbt", orders, "-o", "dbt-project");
    expect(w.code).toBe(0);
    expect(w.err).toMatch(/wrote \d+ files under dbt-project: /);
    expect(existsSync(join(dir, "dbt-project/models/schema.yml"))).toBe(true);
    expect((await run("--format", "dbt", orders, "-o", "dbt-project")).err).toMatch(/already exists; pass --force/);
  });

  it("passes the product to formats that use it", async () => {
    const r = await run("--format", "jsonschema", orders, "--product", product);
    expect(r.code).toBe(0);
    const notProduct = await run("--format", "jsonschema", orders, "--product", orders);
    expect(notProduct.code).toBe(1);
    expect(notProduct.err).toContain("--product must be an ODPS data product");
  });

  it("reads the product's pipeline.yaml beside it, for the formats that drive the product", async () => {
    const temperature = join(repo, "examples/climate/temperature");
    const r = await run(
      "--format",
      "airflow",
      join(temperature, "contracts/daily-temperature.odcs.yaml"),
      "--product",
      join(temperature, "temperature.odps.yaml"),
    );
    expect(r.err).not.toContain("airflow-no-pipeline");
    expect(r.code).toBe(0);
    expect(r.out).toContain("run_pipeline");
    expect(r.out).toContain("climate.temperature");
  });

  it("refuses what is not an ODCS contract, saying what to do", async () => {
    const dcs = await run("--format", "jsonschema", "old.dcs.yaml");
    expect(dcs.code).toBe(1);
    expect(dcs.err).toContain("this is a DCS document (convert it first: quanta import --format dcs)");
    const broken = await run("--format", "jsonschema", "broken.yaml");
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^broken\.yaml:\d+:\d+ error yaml-/);
    const missing = await run("--format", "jsonschema", "nope.yaml");
    expect(missing).toMatchObject({ code: 2, err: "quanta: no such file or directory: nope.yaml\n" });
    const unknown = await run("--format", "cobol", orders);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("argument 'cobol' is invalid");
  });

  it("lists its formats in --help", async () => {
    const r = await run("--help");
    expect(r.out).toContain("Formats:");
    for (const name of ["sql", "jsonschema", "avro", "dbt", "typescript"])
      expect(r.out).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });
});
