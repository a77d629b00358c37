import { existsSync } from "node:fs";
import { buildChecks, PostgresDialect, runChecks } from "@quanta/core";
import {
  breakingProfile,
  type CheckScenario,
  changedChecks,
  checkScenarios,
  countingStatements,
  guardCopyTarget,
  guardScenarios,
  profileScenarios,
  runProfileScenario,
  runScenario,
  type ScenarioColumnType,
  type ScenarioData,
} from "@quanta/core/conformance";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresConnection } from "./postgres-connection.js";

const d = new PostgresDialect();
const types: Record<ScenarioColumnType, string> = {
  integer: "integer",
  bigint: "bigint",
  double: "double precision",
  decimal: "numeric(12,2)",
  text: "text",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  "text[]": "text[]",
};

/** Engine-specific gaps, by scenario name, with the reason. PostgreSQL runs every scenario. */
const skips: Record<string, string> = {};

describe.skipIf(postgresSkipReason())("check conformance on PostgreSQL", () => {
  let db: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  let schemas = 0;

  beforeAll(async () => {
    db = await createTestDatabase("conformance");
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  /** Each scenario's tables in a fresh schema (rows bound as parameters), and a connection to it. */
  async function load(data: ScenarioData): Promise<{ schema: string; conn: PostgresConnection }> {
    // A hostile schema name too: quotes, a semicolon, a newline, unicode.
    const schema = `s"${++schemas}; DROP SCHEMA public;\nå`;
    await admin.query(`CREATE SCHEMA ${d.quoteIdentifier(schema)}`);
    for (const [name, t] of Object.entries(data)) {
      const table = `${d.quoteIdentifier(schema)}.${d.quoteIdentifier(name)}`;
      const columns = t.columns.map((c) => `${d.quoteIdentifier(c.name)} ${types[c.type]}`);
      await admin.query(`CREATE TABLE ${table} (${columns.join(", ")})`);
      for (const row of t.rows) {
        const values = row.map((v, i) =>
          t.columns[i]?.type === "text[]" && typeof v === "string" ? (JSON.parse(v) as string[]) : v,
        );
        const params = values.map((_, i) => `$${i + 1}`).join(", ");
        await admin.query(`INSERT INTO ${table} VALUES (${params})`, values);
      }
    }
    const u = new URL(db.url);
    const conn = await PostgresConnection.open(
      {
        server: { type: "postgres", host: u.hostname, port: Number(u.port), database: u.pathname.slice(1), schema },
        objects: Object.keys(data).map((name) => ({ name })),
        baseDir: ".",
      },
      { QUANTA_POSTGRES_USER: decodeURIComponent(u.username) },
    );
    return { schema, conn };
  }

  async function run(scenario: CheckScenario) {
    const { schema, conn } = await load(scenario.data);
    try {
      return { schema, outcome: await runScenario(scenario, conn) };
    } finally {
      await conn.close();
    }
  }

  for (const scenario of checkScenarios) {
    it.skipIf(skips[scenario.name] !== undefined)(scenario.name, async () => {
      expect((await run(scenario)).outcome.mismatches).toEqual([]);
    });
  }

  for (const scenario of guardScenarios) {
    it(scenario.name, async () => {
      const control = await admin.query("SELECT length(pg_read_file('PG_VERSION')) AS n");
      // The threat is real: the test role can read server files, so only the guard stops it.
      expect(Number(control.rows[0].n)).toBeGreaterThan(0);

      const { schema, outcome } = await run(scenario);
      expect(outcome.mismatches).toEqual([]);
      for (const [key, want] of Object.entries(scenario.expect)) {
        if (want !== "error") continue;
        const result = outcome.results.find((r) => r.key === key);
        expect({ key, refused: result?.reason?.startsWith("refused: "), value: result?.value }).toEqual({
          key,
          refused: true,
          value: undefined,
        });
      }
      // From outside the guard: every row is still there, nothing was created, no file written.
      const rows = await admin.query(`SELECT count(*)::int AS n FROM ${d.quoteIdentifier(schema)}."ledger"`);
      expect(rows.rows[0].n).toBe(3);
      const stolen = await admin.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'stolen'");
      expect(stolen.rows[0].n).toBe(0);
      expect(existsSync(guardCopyTarget)).toBe(false);
    });
  }

  it("explains each refusal", async () => {
    const results = await Promise.all(guardScenarios.map(async (s) => (await run(s)).outcome.results));
    const outcome = { results: results.flat() };
    const reasons = Object.fromEntries(
      outcome.results.filter((r) => r.result === "error").map((r) => [r.id, r.reason]),
    );
    expect(reasons).toMatchInlineSnapshot(`
      {
        "copyOut": "refused: only a SELECT is allowed, found COPY",
        "copySelect": "refused: only a SELECT is allowed, found COPY",
        "create": "refused: only a SELECT is allowed, found CREATE",
        "dblink": "refused: function dblink is not allowed in a contract rule",
        "delete": "refused: only a SELECT is allowed, found DELETE",
        "drop": "refused: only a SELECT is allowed, found DROP",
        "hiddenSecond": "refused: exactly one statement is allowed, found 2",
        "insert": "refused: only a SELECT is allowed, found INSERT",
        "lockRows": "refused: row locks (FOR UPDATE/SHARE) are not allowed in a contract rule",
        "lsDir": "refused: function pg_ls_dir is not allowed in a contract rule",
        "passwords": "refused: reading the system catalog pg_catalog.pg_authid is not allowed",
        "queryToXml": "refused: function query_to_xml is not allowed in a contract rule",
        "readFile": "refused: function pg_read_file is not allowed in a contract rule",
        "readFileObfuscated": "refused: function pg_read_file is not allowed in a contract rule",
        "readFileQualified": "refused: function pg_read_file is not allowed in a contract rule",
        "readFileQuoted": "refused: function pg_read_file is not allowed in a contract rule",
        "selectInto": "refused: INTO is not allowed in a contract rule",
        "set": "refused: only a SELECT is allowed, found SET",
        "setConfig": "refused: function set_config is not allowed in a contract rule",
        "sleep": "refused: function pg_sleep is not allowed in a contract rule",
        "sleepMs": "refused: the SQL does not compile: function sleep_ms(integer) does not exist (hint: No function matches the given name and argument types. You might need to add explicit type casts.)",
        "truncate": "refused: only a SELECT is allowed, found TRUNCATE",
        "twoStatements": "refused: exactly one statement is allowed, found 2",
        "update": "refused: only a SELECT is allowed, found UPDATE",
        "writingCte": "refused: DELETE is not allowed in a contract rule",
      }
    `);
  });

  it("fails a schema check, not the run, when a column's type differs from the contract", async () => {
    const scenario: CheckScenario = {
      name: "type drift",
      data: {
        drift: {
          columns: [
            { name: "id", type: "text" },
            { name: "amount", type: "text" },
          ],
          rows: [
            ["1", "10.5"],
            ["x", "abc"],
          ],
        },
      },
      contract: {
        apiVersion: "v3.1.0",
        kind: "DataContract",
        schema: [
          {
            name: "drift",
            properties: [
              { name: "id", logicalType: "integer", physicalType: "bigint", unique: true },
              { name: "amount", logicalType: "number", logicalTypeOptions: { minimum: 0, multipleOf: 0.5 } },
            ],
            quality: [{ metric: "rowCount", mustBe: 2 }],
          },
        ],
      },
      expect: {
        "drift.id.propertyType": "failed",
        "drift.id.unique": { result: "passed", value: 0 },
        "drift.amount.propertyType": "failed",
        "drift.quality.0.rowCount": { result: "passed", value: 2 },
      },
    };
    const { outcome } = await run(scenario);
    expect(outcome.mismatches).toEqual([]);
    const byKey = Object.fromEntries(outcome.results.map((r) => [r.key, `${r.result}: ${r.reason ?? ""}`]));
    expect(byKey["drift.id.propertyType"]).toMatch(/^failed: .*text.*integer/);
    // Comparing text with a number is an error of that one check, named with PostgreSQL's reason.
    expect(byKey["drift.amount.minimum"]).toMatch(/^error: operator does not exist: text < integer/);
  });

  for (const scenario of profileScenarios) {
    it(scenario.name, async () => {
      const { conn } = await load(scenario.data);
      try {
        expect((await runProfileScenario(scenario, conn)).mismatches).toEqual([]);
      } finally {
        await conn.close();
      }
    });
  }

  it("runs the checks without the profile when a profile aggregate fails, and says why", async () => {
    const [scenario] = profileScenarios;
    if (scenario === undefined) throw new Error("no scenarios");
    const { conn } = await load(scenario.data);
    try {
      const checks = buildChecks(scenario.contract);
      const plain = await runChecks(checks, conn);
      const broken = countingStatements(conn, breakingProfile(conn.dialect, "min(1 / 0)"));
      const run = await runChecks(checks, broken.connection, { profile: true });
      expect(changedChecks(plain.checks, run.checks)).toEqual([]);
      expect(broken.statements).toHaveLength(2);
      const [profile] = run.profiles ?? [];
      expect(profile?.rows).toBe(4);
      expect(profile?.columns.every((c) => c.nulls === null)).toBe(true);
      expect(profile?.reason).toBe("the scan with the profile failed, the checks ran without it: division by zero");
    } finally {
      await conn.close();
    }
  });

  it("takes approximate distinct counts and top values from the planner's statistics", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i, i % 3 === 0 ? "red" : i % 3 === 1 ? "blue" : null, i % 7]);
    const data: ScenarioData = {
      stats: {
        columns: [
          { name: "id", type: "integer" },
          { name: "colour", type: "text" },
          { name: "bucket", type: "integer" },
        ],
        rows,
      },
    };
    const { schema, conn } = await load(data);
    try {
      const checks = buildChecks({
        apiVersion: "v3.1.0",
        kind: "DataContract",
        schema: [{ name: "stats", properties: [{ name: "id", logicalType: "integer", unique: true }] }],
      });
      // Before ANALYZE the engine keeps nothing: those figures stay unknown, never invented.
      const before = (await runChecks(checks, conn, { profile: true })).profiles?.[0];
      expect(before?.columns.find((c) => c.name === "colour")?.distinct ?? null).toBeNull();
      await admin.query(`ANALYZE ${d.quoteIdentifier(schema)}."stats"`);
      const counted = countingStatements(conn);
      const after = (await runChecks(checks, counted.connection, { profile: true })).profiles?.[0];
      expect(counted.statements).toHaveLength(1);
      const byName = Object.fromEntries((after?.columns ?? []).map((c) => [c.name, c]));
      // Exact from the uniqueness check; approximate (a sample of the table) from the statistics.
      expect(byName.id).toMatchObject({ distinct: 300, distinctApproximate: false });
      expect(byName.colour).toMatchObject({ distinct: 2, distinctApproximate: true, nulls: 100 });
      expect([...(byName.colour?.top ?? [])].sort((a, b) => (a.value < b.value ? -1 : 1))).toEqual([
        { value: "blue", count: 100 },
        { value: "red", count: 100 },
      ]);
      expect(byName.bucket).toMatchObject({ distinct: 7, distinctApproximate: true, min: 0, max: 6, mean: 897 / 300 });
    } finally {
      await conn.close();
    }
  });

  it("rejects an impossible calendar day that a date regex alone would accept", async () => {
    const scenario: CheckScenario = {
      name: "calendar",
      data: {
        days: {
          columns: [{ name: "day", type: "text" }],
          rows: [["2024-02-29"], ["2023-02-29"], ["2024-04-31"], ["0000-01-01"], ["2024-13-01"], ["1900-02-29"]],
        },
      },
      contract: {
        apiVersion: "v3.1.0",
        kind: "DataContract",
        schema: [
          {
            name: "days",
            properties: [{ name: "day", logicalType: "string", logicalTypeOptions: { format: "date" } }],
          },
        ],
      },
      expect: { "days.day.format": { result: "failed", value: 4 } },
    };
    expect((await run(scenario)).outcome.mismatches).toEqual([]);
  });
});
