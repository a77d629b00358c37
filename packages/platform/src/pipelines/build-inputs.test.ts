import { mkdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type EngineManifest,
  type PipelineBuilder,
  PipelineBuildFailed,
  type PipelineBuildRequest,
  type PipelineExportRequest,
} from "@quanta/core/engines";
import { duckdbEngine, readTabularFile } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPipelineOutput, type OutputBuildRequest, type PlannedInput } from "./build-inputs.js";

/** A database engine of the tests: its builder records what it is asked and answers with fixed rows. */
function warehouse(options: { builder?: boolean; fail?: PipelineBuildFailed } = {}) {
  const built: PipelineBuildRequest[] = [];
  const exported: PipelineExportRequest[] = [];
  const columns = [
    { name: "id", type: "integer", sqlType: "INTEGER" },
    { name: "email", type: "text", sqlType: "VARCHAR" },
  ];
  const lines = '{"id":1,"email":"***"}\n{"id":2,"email":"***"}\n';
  const builder: PipelineBuilder = {
    target: (server) => String(server.host),
    async build(request) {
      built.push(request);
      if (options.fail) throw options.fail;
      await writeFile(request.resultFile, lines);
      return {
        rowsIn: Object.fromEntries(request.inputs.map((i) => [i.key, 2])),
        rowsOut: 2,
        steps: request.steps.map((s) => ({
          name: s.name,
          sql: s.sql,
          startedAt: "2026-01-01T00:00:00.000Z",
          ms: 1,
          rows: 2,
          status: "passed" as const,
          error: null,
        })),
        columns,
      };
    },
    async exportInputs(request) {
      exported.push(request);
      for (const i of request.inputs) await writeFile(i.file, lines);
      return request.inputs.map((i) => ({ key: i.key, file: i.file, rows: 2, columns }));
    },
  };
  const engine: EngineManifest = {
    name: "warehouse",
    serverTypes: ["warehouse"],
    dialect: "postgres",
    capabilities: { files: false, database: true, cancel: true },
    load: () => Promise.reject(new Error("not in these tests")),
    ...(options.builder === false ? {} : { loadPipelineBuilder: async () => builder }),
  };
  return { engine, built, exported };
}

const onServer = (engine: EngineManifest, port: string, host: string, datasets = [port]): PlannedInput => ({
  port,
  plan: {
    datasets: datasets.map((name) => ({
      name,
      source: { kind: "table", schema: "sales", table: name },
      masked: ["email"],
      rowFilters: ["consent"],
    })),
    source: {
      engine,
      server: { type: "warehouse", host, password: "s3cret" },
      env: {},
      redact: (t: string) => t.replaceAll("s3cret", "***"),
    } as unknown as PlannedInput["plan"]["source"],
  },
});

describe("buildPipelineOutput", () => {
  let root: string;
  let csv: string;
  let n = 0;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "quanta-build-inputs-"));
    csv = join(root, "people.csv");
    await writeFile(csv, "id,email,consent\n1,a@x.example,true\n2,b@x.example,false\n3,c@x.example,true\n");
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const files: () => PlannedInput = () => ({
    port: "people",
    plan: {
      datasets: [
        {
          name: "people",
          source: { kind: "files", files: [csv], format: "csv" },
          masked: ["email"],
          rowFilters: ["consent"],
        },
      ],
      source: { engine: duckdbEngine, redact: (t: string) => t } as unknown as PlannedInput["plan"]["source"],
    },
  });
  const build = (inputs: PlannedInput[], sql: string, extra: Partial<OutputBuildRequest> = {}) => {
    mkdirSync(join(root, `out-${++n}`), { recursive: true });
    const outputFile = join(root, `out-${n}`, "out.parquet");
    const built = buildPipelineOutput({
      inputs,
      steps: [{ name: "result", sql }],
      outputFile,
      tempDir: join(root, "tmp"),
      timeoutMs: 10_000,
      threads: 1,
      memoryLimit: "200MB",
      ...extra,
    });
    return { outputFile, built };
  };
  const read = async (file: string) => (await readTabularFile(file, "parquet", 100)).records;
  const failure = async (p: Promise<unknown>) =>
    (await p.catch((e: unknown) => e)) as { name: string; code: string; message: string; steps: unknown[] };

  it("builds files in DuckDB, their masks and row filters applied", async () => {
    const { outputFile, built } = build([files()], "SELECT id, email FROM people ORDER BY id");
    const result = await built;
    expect(result.engine).toBe("duckdb");
    expect(result.rowsIn).toEqual({ "people.people": 2, people: 2 });
    // DuckDB reads the CSV's ids as BIGINT, which the reader prints as text.
    expect(await read(outputFile)).toEqual([
      { id: "1", email: "***" },
      { id: "3", email: "***" },
    ]);
  });

  it("runs the steps in the inputs' engine when all are on one of its servers, by port name", async () => {
    const w = warehouse();
    const { outputFile, built } = build(
      [onServer(w.engine, "orders", "db1"), onServer(w.engine, "stations", "db1")],
      "SELECT * FROM orders",
    );
    const result = await built;
    expect(result.engine).toBe("warehouse");
    expect(result.steps.map((s) => [s.name, s.status, s.rows])).toEqual([["result", "passed", 2]]);
    expect(w.built[0]?.inputs.map((i) => [i.key, i.name, i.masked, i.rowFilters])).toEqual([
      ["orders.orders", "orders", ["email"], ["consent"]],
      ["stations.stations", "stations", ["email"], ["consent"]],
    ]);
    expect(w.exported).toEqual([]);
    expect(await read(outputFile)).toEqual([
      { id: 1, email: "***" },
      { id: 2, email: "***" },
    ]);
  });

  it("builds in DuckDB when the inputs are mixed, reading the engine's inputs through it first", async () => {
    const w = warehouse();
    const { outputFile, built } = build(
      [onServer(w.engine, "orders", "db1"), files()],
      "SELECT o.id, p.email FROM orders o JOIN people.people p USING (id) ORDER BY 1",
    );
    const result = await built;
    expect(result.engine).toBe("duckdb");
    expect(w.built).toEqual([]);
    expect(w.exported[0]?.inputs.map((i) => [i.key, i.masked, i.rowFilters])).toEqual([
      ["orders.orders", ["email"], ["consent"]],
    ]);
    expect(result.rowsIn).toMatchObject({ "orders.orders": 2, orders: 2, "people.people": 2 });
    expect(await read(outputFile)).toEqual([{ id: 1, email: "***" }]);
  });

  it.each([
    ["two servers", () => [onServer(warehouse().engine, "a", "db1"), onServer(warehouse().engine, "b", "db2")]],
    ["a port of two datasets", () => [onServer(warehouse().engine, "a", "db1", ["x", "y"])]],
  ])("builds in DuckDB when the inputs are on %s", async (_, inputs) => {
    const { built } = build(inputs(), "SELECT 1 AS one");
    expect((await built).engine).toBe("duckdb");
  });

  it("refuses an engine the output pins when its inputs are elsewhere, saying why", async () => {
    const e = await failure(build([files()], "SELECT 1", { engine: "postgres" }).built);
    expect(e.name).toBe("BuildFailed");
    expect(e.code).toBe("engine-mismatch");
    expect(e.message).toContain(
      "to run in postgres (engine: postgres), but its inputs are not all on one postgres server",
    );
    const w = warehouse();
    const mixed = await failure(
      build([onServer(w.engine, "orders", "db1"), files()], "SELECT 1", { engine: "warehouse" }).built,
    );
    expect(mixed.message).toContain("but input port people is served by duckdb");
  });

  it("builds in DuckDB when the output pins it, though every input is in a database", async () => {
    const w = warehouse();
    const { built } = build([onServer(w.engine, "orders", "db1")], "SELECT count(*) AS n FROM orders", {
      engine: "duckdb",
    });
    expect((await built).engine).toBe("duckdb");
    expect(w.built).toEqual([]);
  });

  it("refuses an input of an engine that neither builds nor exports", async () => {
    const w = warehouse({ builder: false });
    const e = await failure(build([onServer(w.engine, "orders", "db1")], "SELECT 1").built);
    expect(e.code).toBe("engine-mismatch");
    expect(e.message).toBe(
      "input port orders is served by warehouse, which neither builds pipelines nor exports their inputs",
    );
  });

  it("passes the engine's failure on as BuildFailed, with its steps, code and secrets redacted", async () => {
    const step = {
      name: "result",
      sql: "SELECT 1",
      startedAt: "2026-01-01T00:00:00.000Z",
      ms: 0,
      rows: 0,
      status: "failed" as const,
      error: "refused",
    };
    const w = warehouse({
      fail: new PipelineBuildFailed("step refused (password s3cret)", [step], { "orders.orders": 3 }, "sql-refused"),
    });
    const e = (await failure(build([onServer(w.engine, "orders", "db1")], "SELECT 1").built)) as Awaited<
      ReturnType<typeof failure>
    > & { rowsIn: Record<string, number> };
    expect(e.name).toBe("BuildFailed");
    expect(e.code).toBe("sql-refused");
    expect(e.message).toBe("step refused (password ***)");
    expect(e.steps).toEqual([step]);
    expect(e.rowsIn).toEqual({ "orders.orders": 3 });
  });
});
