import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildChecks, runChecks } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDbConnection } from "./duckdb-connection.js";
import { tempDir, writeData } from "./test-data.js";

const dir = tempDir();
const secret = join(dir, "secret.csv");
let conn: DuckDbConnection;

beforeAll(async () => {
  await writeData(join(dir, "t.parquet"), "SELECT range AS id FROM range(3)");
  writeFileSync(secret, "password\nhunter2\n");
  conn = await DuckDbConnection.open({
    server: { type: "local", path: "t.parquet", format: "parquet" },
    objects: [{ name: "t" }],
    baseDir: dir,
  });
});
afterAll(() => conn.close());

const hostile: Record<string, string> = {
  "read another file": `SELECT count(*) FROM read_csv('${secret}')`,
  "read a file as a table": `SELECT count(*) FROM '${secret}'`,
  "glob the disk": "SELECT count(*) FROM glob('/etc/*')",
  "read text": "SELECT count(*) FROM read_text('/etc/passwd')",
  attach: `ATTACH '${join(dir, "x.duckdb")}' AS x`,
  copy: `COPY t TO '${join(dir, "out.csv")}'`,
  "copy in a select chain": `SELECT 1; COPY t TO '${join(dir, "out2.csv")}'`,
  install: "INSTALL httpfs",
  set: "SET enable_external_access = true",
  "create table": "CREATE TABLE y AS SELECT * FROM t",
  delete: "DELETE FROM t",
  "two selects": "SELECT 1; SELECT 2",
  "query function": "SELECT * FROM query('SELECT 1')",
  getenv: "SELECT count(*) FROM t WHERE getenv('HOME') IS NOT NULL",
  "other table": "SELECT count(*) FROM duckdb_settings()",
  pragma: "PRAGMA version",
};

describe("contract SQL cannot escape the contract's data", () => {
  it("refuses every hostile rule before running it", async () => {
    const contract = {
      schema: [
        {
          name: "t",
          quality: Object.entries(hostile).map(([id, query]) => ({
            id: id.replaceAll(" ", "-"),
            type: "sql",
            query,
            mustBe: 0,
          })),
        },
      ],
    };
    const { checks } = await runChecks(buildChecks(contract), conn);
    const sqlChecks = checks.filter((c) => c.type === "sql");
    expect(
      Object.fromEntries(sqlChecks.map((c) => [c.id, `${c.result}: ${c.reason}`.replaceAll(dir, "<dir>")])),
    ).toMatchInlineSnapshot(`
      {
        "attach": "error: refused: only a single SELECT statement is allowed",
        "copy": "error: refused: only a single SELECT statement is allowed",
        "copy-in-a-select-chain": "error: refused: only a single SELECT statement is allowed",
        "create-table": "error: refused: only a single SELECT statement is allowed",
        "delete": "error: refused: only a single SELECT statement is allowed",
        "getenv": "error: refused: function getenv is not allowed in a contract rule",
        "glob-the-disk": "error: refused: table function glob is not allowed in a contract rule",
        "install": "error: refused: only a single SELECT statement is allowed",
        "other-table": "error: refused: table function duckdb_settings is not allowed in a contract rule",
        "pragma": "error: refused: only a single SELECT statement is allowed",
        "query-function": "error: refused: table function query is not allowed in a contract rule",
        "read-a-file-as-a-table": "error: refused: reading the file "<dir>/secret.csv" is not allowed in a contract rule",
        "read-another-file": "error: refused: table function read_csv is not allowed in a contract rule",
        "read-text": "error: refused: table function read_text is not allowed in a contract rule",
        "set": "error: refused: only a single SELECT statement is allowed",
        "two-selects": "error: refused: exactly one SELECT statement is allowed, found 2",
      }
    `);
    expect(existsSync(join(dir, "out.csv"))).toBe(false);
    expect(existsSync(join(dir, "out2.csv"))).toBe(false);
    expect(existsSync(join(dir, "x.duckdb"))).toBe(false);
    expect(readFileSync(secret, "utf8")).toContain("hunter2");
  });

  it("the engine itself refuses file access, ATTACH, COPY, INSTALL and SET even past the guard", async () => {
    const attempts = [
      `SELECT * FROM read_csv('${secret}')`,
      `ATTACH '${join(dir, "y.duckdb")}' AS y`,
      `COPY (SELECT 1) TO '${join(dir, "z.csv")}'`,
      "INSTALL httpfs",
      "SET enable_external_access = true",
      "SET allowed_directories = ['/']",
    ];
    const outcomes = await Promise.all(
      attempts.map((sql) =>
        conn.run(sql).then(
          () => "ran",
          (e: Error) =>
            `${e.name}: ${e.message.split("\n")[0]}`
              .replaceAll(dir, "<dir>")
              .replace(/"[^"]*\.duckdb\/extensions[^"]*"/, "<extensions>"),
        ),
      ),
    );
    expect(outcomes).toMatchInlineSnapshot(`
      [
        "EngineError: Permission Error: Cannot access file "<dir>/secret.csv" - file system operations are disabled by configuration",
        "EngineError: Permission Error: Cannot access file "<dir>/y.duckdb" - file system operations are disabled by configuration",
        "EngineError: Permission Error: Cannot access file "<dir>/z.csv" - file system operations are disabled by configuration",
        "EngineError: Permission Error: Cannot access directory <extensions> - file system operations are disabled by configuration",
        "EngineError: Invalid Input Error: Cannot change configuration option "enable_external_access" - the configuration has been locked",
        "EngineError: Invalid Input Error: Cannot change configuration option "allowed_directories" - the configuration has been locked",
      ]
    `);
    expect(existsSync(join(dir, "z.csv"))).toBe(false);
  });

  it("lets a plain SELECT with a CTE through", async () => {
    expect(await conn.guard("WITH x AS (SELECT * FROM t) SELECT count(*) FROM x")).toEqual({ ok: true });
    expect(await conn.run("SELECT count(*) AS n FROM t")).toEqual([{ n: 3 }]);
  });
});
