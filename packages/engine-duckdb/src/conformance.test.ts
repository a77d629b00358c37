import { join } from "node:path";
import { DuckDbDialect, type SqlValue } from "@quanta/core";
import { checkScenarios, runScenario, type ScenarioColumnType, type ScenarioData } from "@quanta/core/conformance";
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
    const rows = t.rows.map(
      (r) =>
        `SELECT ${r.map((v, i) => `${value(v, t.columns[i]?.type ?? "text")} AS ${d.quoteIdentifier(t.columns[i]?.name ?? "")}`).join(", ")}`,
    );
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
