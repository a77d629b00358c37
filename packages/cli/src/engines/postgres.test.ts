import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const dir = mkdtempSync(join(tmpdir(), "quanta-cli-pg-"));

/** Runs the built console as a real process; resolves with its exit code and output. */
function quanta(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: dir }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const contract = (server: string, extraQuality = "") => `apiVersion: v3.1.0
kind: DataContract
id: shop-orders
version: 1.0.0
status: active
servers:
${server}
schema:
  - name: orders
    physicalName: order facts
    properties:
      - name: order_id
        logicalType: integer
        physicalType: bigint
        required: true
        unique: true
      - name: email
        logicalType: string
        logicalTypeOptions:
          format: email
      - name: status
        logicalType: string
        quality:
          - metric: invalidValues
            arguments:
              validValues: [new, paid, "it's shipped"]
            mustBe: 0
      - name: amount
        logicalType: number
        logicalTypeOptions:
          minimum: 0
    quality:
      - metric: rowCount
        mustBe: 3
${extraQuality}`;

describe.skipIf(postgresSkipReason())("quanta test on PostgreSQL (built binary)", () => {
  let db: { url: string; drop(): Promise<void> };
  let server: string;
  let env: Record<string, string>;
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase("cli_pg");
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`
      CREATE SCHEMA shop;
      CREATE TABLE shop."order facts" (order_id bigint, email text, status text, amount numeric(10,2));
      INSERT INTO shop."order facts" VALUES
        (1, 'a@example.com', 'new', 10), (2, 'b@example.com', 'it''s shipped', 20.5), (3, NULL, 'paid', 0);`);
    const u = new URL(db.url);
    server = `  - server: shop-db
    type: postgres
    host: ${u.hostname}
    port: ${u.port}
    database: ${u.pathname.slice(1)}
    schema: shop`;
    env = { QUANTA_POSTGRES_USER: decodeURIComponent(u.username) };
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it("passes a contract the data keeps, with JSON results", async () => {
    writeFileSync(join(dir, "ok.yaml"), contract(server));
    const r = await quanta(["test", "ok.yaml", "--format", "json"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout) as { result: string; checks: { key: string; result: string; value?: unknown }[] };
    expect(run.result).toBe("passed");
    expect(run.checks.map((c) => `${c.key} ${c.result} ${c.value ?? ""}`.trim())).toMatchInlineSnapshot(`
      [
        "order facts.objectExists passed",
        "order facts.order_id.propertyExists passed",
        "order facts.order_id.propertyType passed bigint",
        "order facts.order_id.required passed 0",
        "order facts.order_id.unique passed 0",
        "order facts.email.propertyExists passed",
        "order facts.email.propertyType passed text",
        "order facts.email.format passed 0",
        "order facts.status.propertyExists passed",
        "order facts.status.propertyType passed text",
        "order facts.status.quality.0.invalidValues passed 0",
        "order facts.amount.propertyExists passed",
        "order facts.amount.propertyType passed numeric(10,2)",
        "order facts.amount.minimum passed 0",
        "order facts.quality.0.rowCount passed 3",
      ]
    `);
  });

  it("fails on broken promises and refuses contract SQL that writes (exit 1), leaving the table intact", async () => {
    const extra = `      - type: sql
        query: "DELETE FROM {object} RETURNING 1"
        mustBe: 0
      - type: sql
        query: "SELECT count(*) FROM {object} WHERE amount > 15"
        mustBe: 0
`;
    writeFileSync(join(dir, "bad.yaml"), contract(server.replace("type: postgres", "type: postgresql"), extra));
    const r = await quanta(["test", "bad.yaml", "--format", "json"], env);
    expect(r.code).toBe(1);
    const run = JSON.parse(r.stdout) as { result: string; checks: { key: string; result: string; reason?: string }[] };
    expect(run.result).toBe("failed");
    const notPassed = run.checks.filter((c) => c.result !== "passed").map((c) => `${c.key} ${c.result}: ${c.reason}`);
    expect(notPassed).toMatchInlineSnapshot(`
      [
        "order facts.quality.1.sql error: refused: only a SELECT is allowed, found DELETE",
        "order facts.quality.2.sql failed: 1 is not = 0",
      ]
    `);
    expect((await admin.query('SELECT count(*)::int AS n FROM shop."order facts"')).rows[0].n).toBe(3);
  });

  it("exits 2 with the reason, fast, when the server is unreachable", async () => {
    writeFileSync(
      join(dir, "down.yaml"),
      contract(server.replace(/port: \d+/, "port: 1").replace(/host: .*/, "host: 127.0.0.1")),
    );
    const started = Date.now();
    const r = await quanta(["test", "down.yaml"], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(
      /^quanta: server shop-db: cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/cli_pg_[0-9a-f]+: connection refused \(is the server running and reachable\?\)$/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("exits 2 when the database does not exist or credentials are refused", async () => {
    writeFileSync(join(dir, "nodb.yaml"), contract(server.replace(/database: .*/, "database: no_such_db")));
    const missing = await quanta(["test", "nodb.yaml"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/database "no_such_db" does not exist/);
    const wrongUser = await quanta(["test", "ok.yaml"], { QUANTA_POSTGRES_USER: "intruder" });
    expect(wrongUser.code).toBe(2);
    expect(wrongUser.stderr).toMatch(/role "intruder" does not exist/);
  });

  it("takes a password only from the environment, never from the contract", async () => {
    writeFileSync(join(dir, "secret.yaml"), contract(`${server}\n    password: hunter2`));
    const r = await quanta(["test", "secret.yaml"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/hunter2/);
    // The contract's own schema check stops it first (the engine refuses such fields too).
    expect(r.stderr).toMatch(/secret\.yaml:13:5 error schema-additional-property 'password'/);
  });
});

describe("the postgres engine is loaded lazily", () => {
  const loadsPg = async (file: string) => {
    const r = await quanta(["test", file], { NODE_DEBUG: "module" });
    return { code: r.code, pg: /node_modules\/pg\//.test(r.stderr) };
  };

  it("a DuckDB-only run never loads the PostgreSQL driver; a postgres server does", async () => {
    writeFileSync(join(dir, "rows.csv"), "id\n1\n2\n");
    const local = (type: string) => `apiVersion: v3.1.0
kind: DataContract
id: lazy
version: 1.0.0
status: active
servers:
${type}
schema:
  - name: rows
    properties:
      - name: id
        logicalType: integer
`;
    writeFileSync(
      join(dir, "local.yaml"),
      local("  - server: files\n    type: local\n    path: rows.csv\n    format: csv"),
    );
    writeFileSync(
      join(dir, "pg-down.yaml"),
      local(
        "  - server: db\n    type: postgres\n    host: 127.0.0.1\n    port: 1\n    database: x\n    schema: public",
      ),
    );
    expect(await loadsPg("local.yaml")).toEqual({ code: 0, pg: false });
    expect(await loadsPg("pg-down.yaml")).toEqual({ code: 2, pg: true });
  });
});
