import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
// Test data written by DuckDB itself (a test helper of the engine package).
import { tempDir, writeData } from "../../../engine-duckdb/src/test-data.js";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const dir = tempDir("quanta-cli-test-");

const contract = (
  quality: string,
  server = "    type: local\n    path: data/orders.parquet\n    format: parquet",
) => `apiVersion: v3.1.0
kind: DataContract
id: orders
version: 1.0.0
status: active
servers:
  - server: files
${server}
schema:
  - name: orders
    properties:
      - name: id
        logicalType: integer
        required: true
        unique: true
      - name: status
        logicalType: string
        quality:
          - metric: invalidValues
            arguments:
              validValues: [new, paid]
            mustBe: 0
${quality}`;

beforeAll(async () => {
  mkdirSync(join(dir, "data"), { recursive: true });
  await writeData(
    join(dir, "data", "orders.parquet"),
    "SELECT range AS id, ['new','paid'][1 + range % 2] AS status FROM range(10)",
  );
  writeFileSync(join(dir, "ok.yaml"), contract(""));
  writeFileSync(
    join(dir, "failing.yaml"),
    contract(`    quality:
      - metric: rowCount
        mustBeGreaterThan: 100
        id: enough-rows
      - metric: rowCount
        mustBeGreaterThan: 50
        severity: warning
      - type: sql
        query: COPY orders TO 'stolen.csv'
        mustBe: 0
`),
  );
  writeFileSync(
    join(dir, "no-server.yaml"),
    contract("", "    type: snowflake\n    account: x\n    database: d\n    schema: s"),
  );
  writeFileSync(join(dir, "broken.yaml"), "apiVersion: v3.1.0\nkind: DataContract\nid: [\n");
});

const run = async (...args: string[]) => {
  const io = bufferIo(dir);
  const code = await main(["test", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe("quanta test", () => {
  it("passes a contract the data keeps (exit 0), as a readable table", async () => {
    const r = await run("ok.yaml");
    expect(r.code).toBe(0);
    expect(r.out.replace(/in \d+ ms/, "in N ms")).toMatchInlineSnapshot(`
      "RESULT  CHECK                             VALUE                    REASON
      passed  orders exists
      passed  orders.id exists
      passed  orders.id has type integer        "BIGINT" (want integer)
      passed  orders.id is required (no nulls)  0 (want = 0)
      passed  orders.id is unique               0 (want = 0)
      passed  orders.status exists
      passed  orders.status has type string     "VARCHAR" (want string)
      passed  orders.status invalidValues       0 (want = 0)

      passed: 8 passed, 0 warning, 0 failed, 0 error, 0 skipped in N ms
      "
    `);
  });

  it("reports failures, warnings and refused SQL as JSON (exit 1)", async () => {
    const r = await run("failing.yaml", "--format", "json");
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.result).toBe("failed");
    expect(typeof json.durationMs).toBe("number");
    const pick = (key: string) => json.checks.find((c: { key: string }) => c.key === key);
    expect(pick("orders.quality.enough-rows.rowCount")).toMatchObject({
      id: "enough-rows",
      result: "failed",
      value: 10,
      threshold: "> 100",
      type: "rowCount",
      dimension: "completeness",
      schema: "orders",
    });
    expect(pick("orders.quality.1.rowCount")).toMatchObject({ result: "warning" });
    expect(pick("orders.quality.2.sql")).toMatchObject({
      result: "error",
      reason: "refused: only a single SELECT statement is allowed",
    });
    expect(pick("orders.id.unique").sql).toContain("count(DISTINCT");
  });

  it("writes well-formed JUnit XML to a file", async () => {
    const r = await run("failing.yaml", "--format", "junit", "--output", "report.xml");
    expect(r.code).toBe(1);
    const xml = readFileSync(join(dir, "report.xml"), "utf8");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(xml).toContain('<testsuite name="orders" tests="11" failures="1" errors="1" skipped="0">');
    expect(xml).toContain('<failure message="10 is not &gt; 100">');
    // Well-formed: every opened element closes, no raw '<' or '&' inside attribute values.
    const opened = [...xml.matchAll(/<(testsuites|testsuite|testcase)[\s>]/g)].length;
    const closed = [...xml.matchAll(/<\/(testsuites|testsuite|testcase)>|<testcase [^>]*\/>/g)].length;
    expect(opened).toBe(closed);
    expect(xml).not.toMatch(/="[^"]*[<&](?!amp;|lt;|gt;|quot;)[^"]*"/);
  });

  it("runs one schema object with --schema and refuses unknown ones (exit 2)", async () => {
    expect((await run("ok.yaml", "--schema", "orders")).code).toBe(0);
    const r = await run("ok.yaml", "--schema", "nope");
    expect(r.code).toBe(2);
    expect(r.err).toMatchInlineSnapshot(`
      "quanta: no schema object "nope" in the contract (objects: orders)
      "
    `);
  });

  it("cannot run without a usable server, a readable contract or a named server (exit 2)", async () => {
    const noServer = await run("no-server.yaml");
    expect([noServer.code, noServer.err]).toMatchInlineSnapshot(`
      [
        2,
        "quanta: no server of a type an installed engine serves (local, duckdb, postgres, postgresql); servers: files (snowflake)
      ",
      ]
    `);
    const wrongName = await run("ok.yaml", "--server", "prod");
    expect([wrongName.code, wrongName.err]).toMatchInlineSnapshot(`
      [
        2,
        "quanta: no server named "prod" in the contract (servers: files (local))
      ",
      ]
    `);
    const broken = await run("broken.yaml");
    expect(broken.code).toBe(2);
    expect(broken.err).toContain("broken.yaml:4:1 error");
    const missing = await run("missing.yaml");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no such file or directory");
  });

  it("runs as a real process (the built binary)", async () => {
    const r = await promisify(execFile)(process.execPath, [
      bin,
      "test",
      join(dir, "ok.yaml"),
      "--format",
      "json",
    ]).catch((e) => e);
    expect(JSON.parse(r.stdout).result).toBe("passed");
    const failing = await promisify(execFile)(process.execPath, [bin, "test", join(dir, "failing.yaml")]).catch(
      (e) => e,
    );
    expect(failing.code).toBe(1);
  });
});
