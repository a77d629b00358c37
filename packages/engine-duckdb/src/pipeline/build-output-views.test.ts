import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { SandboxDataset } from "../consume/sandbox-dataset.js";
import { openDuckDb } from "../duckdb-connection.js";
import { tempDir, writeData } from "../test-data.js";
import { BuildFailed, buildOutput } from "./build-output.js";

let dir: string;
let inputs: SandboxDataset[];
let n = 0;

beforeAll(async () => {
  dir = tempDir("quanta-build-views-");
  const file = await writeData(
    join(dir, "people.parquet"),
    "SELECT i AS id, 'p' || i || '@example.com' AS email, i % 2 = 0 AS consent, i * 1.5 AS spent FROM range(10) t(i)",
  );
  const view = { files: [file], format: "parquet", masked: ["email"], rowFilters: ["consent"] };
  inputs = [
    { name: "people", schema: "people", ...view },
    { name: "people", ...view },
  ];
});

const build = async (steps: { name: string; sql: string }[]) => {
  const out = join(dir, `out-${++n}`);
  await mkdir(out, { recursive: true });
  const outputFile = join(out, "result.parquet");
  return { result: await buildOutput({ inputs, steps, outputFile, outputDir: out, timeoutMs: 30_000 }), outputFile };
};
const kinds = async (steps: { name: string; sql: string }[]) =>
  (await build(steps)).result.steps.map((s) => /^(CREATE TEMP \w+|COPY)/.exec(s.sql)?.[0]);

describe("buildOutput: which steps stay views", () => {
  it("keeps a step that projects and filters one table, read once, a view; counts its rows; writes the last by COPY", async () => {
    const { result, outputFile } = await build([
      {
        name: "kept",
        sql: "SELECT id, upper(email) AS email, spent + 1 AS spent FROM people WHERE id > 2 AND spent IS NOT NULL",
      },
      { name: "total", sql: "SELECT count(*) AS n, sum(spent) AS spent, min(email) AS email FROM kept" },
    ]);
    expect(result.rowsIn).toEqual({ "people.people": 5, people: 5 });
    expect(result.steps.map((s) => [s.name, s.status, s.rows])).toEqual([
      ["kept", "passed", 3],
      ["total", "passed", 1],
    ]);
    expect(result.steps[0]?.sql).toMatch(/^CREATE TEMP VIEW "kept" AS SELECT \* FROM \(\nSELECT id/);
    expect(result.steps[1]?.sql).toBe(
      `COPY (SELECT * FROM (\nSELECT count(*) AS n, sum(spent) AS spent, min(email) AS email FROM kept\n)) TO 'result.parquet' (FORMAT parquet)`,
    );
    const conn = await openDuckDb({
      server: { type: "local", path: outputFile, format: "parquet" },
      objects: [{ name: "r" }],
      baseDir: dir,
    });
    // Ids 4, 6, 8 (consented, above 2): spent 6, 9, 12, each plus one.
    expect(await conn.run(`SELECT n::INT AS n, spent::DOUBLE AS spent, email FROM ${conn.relation("r")}`)).toEqual([
      { n: 3, spent: 30, email: "***" },
    ]);
    await conn.close();
  });

  it("holds a step as a table when it is read twice, joins, aggregates, orders, or is not consistent", async () => {
    const last = { name: "out", sql: "SELECT count(*) AS n FROM s" };
    expect(
      await kinds([
        { name: "s", sql: "SELECT id FROM people" },
        { name: "out", sql: "SELECT count(*) AS n FROM s a JOIN s b USING (id)" },
      ]),
    ).toEqual(["CREATE TEMP TABLE", "COPY"]);
    for (const sql of [
      "SELECT a.id FROM people a JOIN people b USING (id)",
      "SELECT id, count(*) AS c FROM people GROUP BY id",
      "SELECT DISTINCT id FROM people",
      "SELECT id FROM people ORDER BY id LIMIT 2",
      "SELECT id, row_number() OVER () AS r FROM people",
      "SELECT id FROM people WHERE id IN (SELECT id FROM people WHERE id > 1)",
      "SELECT id FROM people WHERE random() < 0.5",
      "SELECT id, now() AS at FROM people",
      "SELECT id, current_date AS day FROM people",
      "SELECT id FROM people USING SAMPLE 50%",
      "WITH p AS (SELECT id FROM people) SELECT id FROM p",
    ])
      expect([sql, await kinds([{ name: "s", sql }, last])]).toEqual([sql, ["CREATE TEMP TABLE", "COPY"]]);
    expect(
      await kinds([
        { name: "s", sql: "SELECT id, id || '-' || lower(email) AS k FROM people.people WHERE id % 2 = 0" },
        last,
      ]),
    ).toEqual(["CREATE TEMP VIEW", "COPY"]);
  });

  it("fails a view's step when counting its rows fails, before any later step runs", async () => {
    const failed = await build([
      { name: "cast", sql: "SELECT CAST(email AS INTEGER) AS n FROM people" },
      { name: "out", sql: "SELECT sum(n) AS n FROM cast" },
    ]).catch((e: unknown) => e as BuildFailed);
    expect(failed).toBeInstanceOf(BuildFailed);
    expect((failed as BuildFailed).code).toBe("step-failed");
    expect((failed as BuildFailed).message).toMatch(/^step "cast" failed: Conversion Error/);
    expect((failed as BuildFailed).steps.map((s) => [s.name, s.status])).toEqual([["cast", "failed"]]);
  });
});
