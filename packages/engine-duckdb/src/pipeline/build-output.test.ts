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
  dir = tempDir("quanta-build-");
  const file = await writeData(
    join(dir, "people.parquet"),
    "SELECT i AS id, 'p' || i || '@example.com' AS email, i % 2 = 0 AS consent FROM range(10) t(i)",
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
const refusal = (sql: string) =>
  build([{ name: "s", sql }]).then(
    () => "ran",
    (e: unknown) => (e instanceof BuildFailed ? `${e.code}: ${e.message}` : String(e)),
  );

describe("buildOutput", () => {
  it("runs steps over masked, filtered inputs and earlier steps, writing Parquet", async () => {
    const { result, outputFile } = await build([
      { name: "kept", sql: "SELECT id, email FROM people.people" },
      { name: "final", sql: "SELECT count(*) AS n, min(email) AS email FROM kept" },
    ]);
    expect(result.rowsIn).toEqual({ "people.people": 5, people: 5 });
    expect(result.steps.map((s) => [s.name, s.status, s.rows])).toEqual([
      ["kept", "passed", 5],
      ["final", "passed", 1],
    ]);
    expect(result.rowsOut).toBe(1);
    const conn = await openDuckDb({
      server: { type: "local", path: outputFile, format: "parquet" },
      objects: [{ name: "r" }],
      baseDir: dir,
    });
    expect(await conn.run(`SELECT n::INT AS n, email FROM ${conn.relation("r")}`)).toEqual([{ n: 5, email: "***" }]);
    await conn.close();
  });

  it("refuses SQL that reads files, attaches, copies or changes settings, with the guard's reason", async () => {
    expect(await refusal("SELECT * FROM read_csv('/etc/passwd')")).toContain(
      'sql-refused: step "s" is refused: table function read_csv is not allowed',
    );
    expect(await refusal("SELECT * FROM '/etc/passwd.csv'")).toContain("reading the file");
    expect(await refusal("ATTACH '/tmp/x.db' AS x")).toContain("sql-refused");
    expect(await refusal("COPY people TO '/tmp/leak.csv'")).toContain("sql-refused");
    expect(await refusal("SET enable_external_access = true")).toContain("sql-refused");
    expect(await refusal("SELECT current_setting('threads')")).toContain("function current_setting is not allowed");
    expect(await refusal("SELECT 1; SELECT 2")).toContain("sql-refused");
    expect(await refusal("SELECT * FROM secret_table")).toContain('table "secret_table" is not one of');
  });

  it("names a later step as unknown (steps read only earlier ones) and reports a failing step", async () => {
    const later = await build([
      { name: "a", sql: "SELECT * FROM b" },
      { name: "b", sql: "SELECT 1 AS x" },
    ]).catch((e: BuildFailed) => e);
    expect((later as BuildFailed).steps.map((s) => s.status)).toEqual(["failed"]);
    expect(await refusal("SELECT 1 / 'x'")).toContain('step-failed: step "s" failed');
  });
});

describe("buildOutput's signal", () => {
  const letters = "abcdefghijkl".split("");
  it("interrupts the running step when aborted, naming why", async () => {
    const out = join(dir, `out-${++n}`);
    await mkdir(out, { recursive: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("cancelled by rita")), 200);
    const started = Date.now();
    const stopped = await buildOutput({
      inputs,
      // Five rows joined with themselves twelve times (244 million rows): far longer than the abort.
      steps: [
        {
          name: "slow",
          sql: `SELECT sum(${letters.map((l) => `${l}.id`).join(" + ")}) AS s FROM ${letters.map((l) => `people ${l}`).join(", ")}`,
        },
      ],
      outputFile: join(out, "result.parquet"),
      outputDir: out,
      timeoutMs: 60_000,
      signal: controller.signal,
    }).catch((e: unknown) => e as BuildFailed);
    expect(stopped).toBeInstanceOf(BuildFailed);
    expect((stopped as BuildFailed).code).toBe("stopped");
    expect((stopped as BuildFailed).message).toBe('step "slow" was stopped: cancelled by rita');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
