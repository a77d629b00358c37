import { join } from "node:path";
import { buildChecks, DuckDbDialect, runChecks, type SqlValue } from "@quanta/core";
import {
  breakingProfile,
  changedChecks,
  checkScenarios,
  countingStatements,
  profileScenarios,
  runProfileScenario,
  runScenario,
  type ScenarioColumnType,
  type ScenarioData,
} from "@quanta/core/conformance";
import { describe, expect, it } from "vitest";
import { DuckDbConnection } from "./duckdb-connection.js";
import { tempDir, writeData } from "./test-data.js";

const d = new DuckDbDialect();
const types: Record<ScenarioColumnType, string> = {
  integer: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE",
  decimal: "DECIMAL(12,2)",
  text: "VARCHAR",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  "text[]": "VARCHAR[]",
};
const value = (v: SqlValue, type: ScenarioColumnType) =>
  v === null
    ? `CAST(NULL AS ${types[type]})`
    : type === "text[]"
      ? `[${(JSON.parse(String(v)) as string[]).map((s) => d.literal(s)).join(", ")}]`
      : `CAST(${d.literal(v)} AS ${types[type]})`;

/** Each scenario table as a Parquet file `<name>.parquet`, read through a `{model}` path. */
async function connect(data: ScenarioData): Promise<DuckDbConnection> {
  const dir = tempDir("quanta-conformance-");
  for (const [name, t] of Object.entries(data)) {
    const select = (r: readonly SqlValue[]) =>
      `SELECT ${r.map((v, i) => `${value(v, t.columns[i]?.type ?? "text")} AS ${d.quoteIdentifier(t.columns[i]?.name ?? "")}`).join(", ")}`;
    // An empty table: one typed row of nulls, filtered out.
    const rows = t.rows.length > 0 ? t.rows.map(select) : [`${select(t.columns.map(() => null))} WHERE FALSE`];
    await writeData(join(dir, `${name}.parquet`), rows.join(" UNION ALL "));
  }
  return DuckDbConnection.open({
    server: { type: "local", path: "{model}.parquet", format: "parquet" },
    objects: Object.keys(data).map((name) => ({ name })),
    baseDir: dir,
  });
}

/** Engine-specific gaps, by scenario name, with the reason (none for DuckDB). */
const skips: Record<string, string> = {};

describe("check conformance on DuckDB (Parquet files)", () => {
  for (const scenario of checkScenarios) {
    it.skipIf(skips[scenario.name] !== undefined)(scenario.name, async () => {
      const conn = await connect(scenario.data);
      try {
        expect((await runScenario(scenario, conn)).mismatches).toEqual([]);
      } finally {
        await conn.close();
      }
    });
  }
});

describe("profile conformance on DuckDB (Parquet files)", () => {
  for (const scenario of profileScenarios) {
    it(scenario.name, async () => {
      const conn = await connect(scenario.data);
      try {
        expect((await runProfileScenario(scenario, conn)).mismatches).toEqual([]);
      } finally {
        await conn.close();
      }
    });
  }

  it("takes null counts, min and max from the Parquet footers instead of computing them in the scan", async () => {
    const [scenario] = profileScenarios;
    if (scenario === undefined) throw new Error("no scenarios");
    const conn = await connect(scenario.data);
    try {
      const { statements, mismatches } = await runProfileScenario(scenario, conn);
      expect(mismatches).toEqual([]);
      const [sql] = statements;
      // Left to the footers: nulls of the columns no check counts, every min and max.
      expect(sql).not.toMatch(/min\(|max\(|"ratio" IS NULL|"at" IS NULL/);
      // Computed in the scan: what footers do not keep (means, true counts), what a check counts anyway.
      expect(sql).toContain('CAST(avg("ratio") AS DOUBLE PRECISION)');
      expect(sql).toContain('count(*) FILTER (WHERE "flag")');
      expect(sql).toContain('count(*) FILTER (WHERE "id" IS NULL)');
    } finally {
      await conn.close();
    }
  });

  it("computes them in the scan for CSV files, which keep no statistics", async () => {
    const dir = tempDir("quanta-profile-csv-");
    await writeData(join(dir, "t.csv"), "SELECT * FROM (VALUES (1, 'x'), (NULL, 'y'), (3, NULL)) v(n, s)");
    const conn = await DuckDbConnection.open({
      server: { type: "local", path: "{model}.csv", format: "csv" },
      objects: [{ name: "t" }],
      baseDir: dir,
    });
    try {
      const checks = buildChecks({ apiVersion: "v3.1.0", kind: "DataContract", schema: [{ name: "t" }] });
      const counted = countingStatements(conn);
      const run = await runChecks(checks, counted.connection, { profile: true });
      expect(counted.statements).toHaveLength(1);
      expect(counted.statements[0]).toContain('min("n")');
      expect(run.profiles?.[0]?.columns).toMatchObject([
        { name: "n", nulls: 1, min: 1, max: 3, mean: 2 },
        { name: "s", nulls: 1, min: "x", max: "y" },
      ]);
    } finally {
      await conn.close();
    }
  });

  it("runs the checks without the profile when a profile aggregate fails, and says why", async () => {
    const [scenario] = profileScenarios;
    if (scenario === undefined) throw new Error("no scenarios");
    const conn = await connect(scenario.data);
    try {
      const checks = buildChecks(scenario.contract);
      const plain = await runChecks(checks, conn);
      const broken = countingStatements(conn, breakingProfile(conn.dialect, "min(error('the profile broke'))"));
      const run = await runChecks(checks, broken.connection, { profile: true });
      expect(changedChecks(plain.checks, run.checks)).toEqual([]);
      expect(run.result).toBe(plain.result);
      expect(broken.statements).toHaveLength(2);
      const [profile] = run.profiles ?? [];
      expect(profile?.rows).toBe(4);
      expect(profile?.columns.map((c) => [c.name, c.nulls])).toEqual(
        scenario.data.items?.columns.map((c) => [c.name, null]),
      );
      expect(profile?.reason).toMatch(
        /^the scan with the profile failed, the checks ran without it: .*the profile broke/,
      );
    } finally {
      await conn.close();
    }
  });
});

describe("the conformance runner", () => {
  it("reports an expectation the engine does not meet", async () => {
    const [first] = checkScenarios;
    if (first === undefined) throw new Error("no scenarios");
    const conn = await connect(first.data);
    try {
      const wrong = {
        ...first,
        expect: { "people.email.unique": { result: "passed" as const, value: 7 }, "no.such.key": "passed" as const },
      };
      expect((await runScenario(wrong, conn)).mismatches).toMatchInlineSnapshot(`
        [
          "people.email.unique: expected passed, got failed (1 is not = 0)",
          "people.email.unique: expected value 7, got 1",
          "no.such.key: no such check (have: people.objectExists, people.id.propertyExists, people.id.propertyType, people.id.required, people.id.unique, people.email.propertyExists, people.email.propertyType, people.email.required, people.email.unique, people.team.propertyExists, people.team.propertyType, people.seat.propertyExists, people.seat.propertyType, people.primaryKey, people.team.primaryKey.notNull, people.seat.primaryKey.notNull)",
        ]
      `);
    } finally {
      await conn.close();
    }
  });
});
