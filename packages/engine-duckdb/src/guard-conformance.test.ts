import { existsSync } from "node:fs";
import { join } from "node:path";
import { guardCopyTarget, guardScenarios, runScenario } from "@quanta/core/conformance";
import { describe, expect, it } from "vitest";
import { DuckDbConnection } from "./duckdb-connection.js";
import { tempDir, writeData } from "./test-data.js";

/** Engine gaps, by scenario name, with the reason. */
const skips: Record<string, string> = {};

/** The shared read-only guard scenarios (also run on PostgreSQL), on a Parquet file. */
describe("read-only guard conformance on DuckDB", () => {
  for (const scenario of guardScenarios) {
    it.skipIf(skips[scenario.name] !== undefined)(scenario.name, async () => {
      const dir = tempDir("quanta-guard-");
      const file = join(dir, "ledger.parquet");
      await writeData(
        file,
        `SELECT * FROM (VALUES (1, 10.0, 'a'), (2, 20.0, 'b; DROP TABLE ledger; --'), (3, 30.0, NULL)) AS t(id, amount, note)`,
      );
      const conn = await DuckDbConnection.open({
        server: { type: "local", path: "ledger.parquet", format: "parquet" },
        objects: [{ name: "ledger" }],
        baseDir: dir,
      });
      try {
        const outcome = await runScenario(scenario, conn);
        expect(outcome.mismatches).toEqual([]);
        for (const [key, want] of Object.entries(scenario.expect)) {
          if (want !== "error") continue;
          expect({ key, value: outcome.results.find((r) => r.key === key)?.value }).toEqual({ key, value: undefined });
        }
      } finally {
        await conn.close();
      }
      // From outside: the file still has its rows, and the COPY target was never written.
      const check = await DuckDbConnection.open({
        server: { type: "local", path: "ledger.parquet", format: "parquet" },
        objects: [{ name: "ledger" }],
        baseDir: dir,
      });
      expect(await check.run('SELECT count(*) AS n FROM "ledger"')).toEqual([{ n: 3 }]);
      await check.close();
      expect(existsSync(guardCopyTarget)).toBe(false);
    });
  }
});
