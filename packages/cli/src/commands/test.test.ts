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
  writeFileSync(
    join(dir, "s3.yaml"),
    contract("", "    type: s3\n    location: s3://bucket/orders/*.parquet\n    format: parquet"),
  );
  writeFileSync(
    join(dir, "variables.yaml"),
    contract("", "    type: local\n    path: ${ORDERS_DIR:-data}/orders.parquet\n    format: parquet"),
  );
  writeFileSync(
    join(dir, "unset.yaml"),
    contract(
      "",
      "    type: postgres\n    host: ${QUANTA_TEST_NO_SUCH_HOST}\n    port: 5432\n    database: d\n    schema: s",
    ),
  );
  writeFileSync(
    join(dir, "no-data.yaml"),
    contract("", "    type: local\n    path: data/missing.parquet\n    format: parquet"),
  );
  // An hour and 38 minutes old; kept for 3 days and 4 hours, though the contract says a day.
  await writeData(
    join(dir, "data", "events.parquet"),
    "SELECT now() - INTERVAL 5889 SECOND AS ts UNION ALL SELECT now() - INTERVAL 76 HOUR",
  );
  writeFileSync(
    join(dir, "ages.yaml"),
    `apiVersion: v3.1.0
kind: DataContract
id: events
version: 1.0.0
status: active
servers:
  - server: files
    type: local
    path: data/events.parquet
    format: parquet
schema:
  - name: events
    properties:
      - name: ts
        logicalType: timestamp
slaProperties:
  - property: freshness
    value: 1
    unit: d
    element: events.ts
  - property: retention
    value: 1
    unit: d
    element: events.ts
`,
  );
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
    expect(r.out.replace(/in [\d.]+ m?s$/m, "in N ms")).toMatchInlineSnapshot(`
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

  it("profiles each dataset in the checks' scan with --profile (JSON report)", async () => {
    const plain = JSON.parse((await run("ok.yaml", "--format", "json")).out);
    expect(plain.profiles).toBeUndefined();
    const r = await run("ok.yaml", "--format", "json", "--profile");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.checks.map((c: { result: string }) => c.result)).toEqual(
      plain.checks.map((c: { result: string }) => c.result),
    );
    expect(json.profiles).toMatchObject([
      {
        dataset: "orders",
        rows: 10,
        columns: [
          { name: "id", type: "BIGINT", nulls: 0, distinct: 10, min: 0, max: 9, mean: null },
          { name: "status", type: "VARCHAR", nulls: 0, min: "new", max: "paid" },
        ],
      },
    ]);
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
        "quanta: no server of a type an installed engine serves (local, duckdb, s3, gcs, azure, postgres, postgresql); servers: files (snowflake)
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

  it("resolves ${VAR} references, and names what it cannot reach (exit 2)", async () => {
    expect((await run("variables.yaml")).code).toBe(0);
    const unset = await run("unset.yaml");
    expect([unset.code, unset.err]).toEqual([
      2,
      "quanta: server files references a variable with no value: QUANTA_TEST_NO_SUCH_HOST (set it in the environment)\n",
    ]);
    const s3 = await run("s3.yaml");
    expect(s3.code).toBe(2);
    expect(s3.err).toMatch(
      /^quanta: server files: reading s3:\/\/ data needs DuckDB's httpfs extension, which is not installed/,
    );
    expect(s3.err).toContain("QUANTA_DUCKDB_EXTENSION_DIR");
  });

  it("names a missing data file once and exits 2, without running the checks", async () => {
    const r = await run("no-data.yaml");
    expect([r.code, r.out, r.err]).toEqual([
      2,
      "",
      'quanta: server files: data file data/missing.parquet does not exist (the contract\'s path "data/missing.parquet")\n',
    ]);
    const folder = await run(".");
    expect([folder.code, folder.err]).toEqual([
      2,
      "quanta: . is a folder; quanta test takes one contract file (*.odcs.yaml)\n",
    ]);
  });

  it("shows SLA ages and the run's time as durations, and keeps seconds in JSON", async () => {
    const r = await run("ages.yaml");
    expect(r.code).toBe(1);
    const lines = r.out.split("\n");
    expect(lines.find((l) => l.includes("freshness"))).toMatch(
      /^passed\s+freshness of events.ts within 1 d\s+1 h 38 min \(want <= 1 d\)$/,
    );
    expect(lines.find((l) => l.includes("retention"))).toMatch(
      /^failed\s+retention of events.ts within 1 d\s+3 d 4 h \(want <= 1 d\)\s+3 d 4 h is not <= 1 d$/,
    );
    expect(lines.at(-2)).toMatch(/ skipped in (\d+ ms|\d+(\.\d)? s)$/);
    const json = JSON.parse((await run("ages.yaml", "--format", "json")).out);
    const freshness = json.checks.find((c: { type: string }) => c.type === "freshness");
    expect(freshness).toMatchObject({ threshold: "<= 86400" });
    expect(freshness.value).toBeGreaterThan(5889);
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
