import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { QuantaError } from "@quanta/core";
import {
  type EngineManifest,
  type PipelineBuilder,
  PipelineBuildFailed,
  type PipelineInput,
} from "@quanta/core/engines";
import {
  BuildFailed,
  type BuildResult,
  type BuildStep,
  buildOutput,
  type SandboxDataset,
  writeParquetFromNdjson,
} from "@quanta/engine-duckdb";
import type { ReadPlan } from "../access/read-access.js";

/** One input port of the output, as `planRead` planned it for the run. */
export interface PlannedInput {
  /** The input port's name: what the steps read it by. */
  port: string;
  plan: Pick<ReadPlan, "datasets" | "source">;
}

export interface OutputBuildRequest {
  inputs: readonly PlannedInput[];
  steps: readonly BuildStep[];
  /** The staged version's Parquet file; its folder is the only one the build writes. */
  outputFile: string;
  /** A folder for the build's intermediate files (results and inputs read from a database), removed after. */
  tempDir: string;
  timeoutMs: number;
  threads: number;
  memoryLimit: string;
  /**
   * The engine the steps run in, and so their SQL dialect (`duckdb`, `postgres`); undefined: where
   * the inputs live (ADR 0030).
   */
  engine?: string | undefined;
  /** Stops the build (a cancelled run, another replica's stop). */
  signal?: AbortSignal | undefined;
}

/** A build's outcome, as `buildOutput`'s, and the engine its steps ran in. */
export interface OutputBuilt extends BuildResult {
  engine: string;
}

const duckdb = "duckdb";
const servedByDuckDb = (input: PlannedInput) => input.plan.source.engine.name === duckdb;
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

/** A failure of anything but a step, as run-pipeline records build failures. */
const failed = (e: unknown, code = "build-failed"): BuildFailed => {
  if (e instanceof BuildFailed) return e;
  if (e instanceof PipelineBuildFailed) return new BuildFailed(e.message, e.steps, e.rowsIn, e.code ?? code);
  return new BuildFailed(firstLine(e), [], {}, e instanceof QuantaError ? (e.code ?? code) : code);
};

async function builderOf(engine: EngineManifest): Promise<PipelineBuilder | undefined> {
  return engine.loadPipelineBuilder ? engine.loadPipelineBuilder() : undefined;
}

/** The inputs as one engine's build reads them: each port by its name (ports of one dataset only). */
function engineInputs(inputs: readonly PlannedInput[]): PipelineInput[] {
  return inputs.map(({ port, plan }) => {
    const d = plan.datasets[0] as ReadPlan["datasets"][number];
    return { key: `${port}.${d.name}`, name: port, source: d.source, masked: d.masked, rowFilters: d.rowFilters };
  });
}

/**
 * Why the steps cannot run in `engine` (a database engine with a pipeline builder): an input
 * elsewhere, on another server, a port of several datasets (a step reads an input by its port's
 * name there), or undefined when they can.
 */
function apartFrom(
  engine: EngineManifest,
  builder: PipelineBuilder,
  inputs: readonly PlannedInput[],
): string | undefined {
  let target: string | undefined;
  for (const { port, plan } of inputs) {
    if (plan.source.engine.name !== engine.name) return `input port ${port} is served by ${plan.source.engine.name}`;
    if (plan.datasets.length !== 1)
      return `input port ${port} has ${plan.datasets.length} datasets, and a step in ${engine.name} reads an input by its port's name`;
    let here: string;
    try {
      here = builder.target(plan.source.server, plan.source.env);
    } catch (e) {
      return `input port ${port}: ${plan.source.redact(firstLine(e))}`;
    }
    if (target !== undefined && here !== target) return `input port ${port} is on another ${engine.name} server`;
    target = here;
  }
  return inputs.length === 0 ? "the output reads no input port" : undefined;
}

/**
 * Builds one pipeline output from its planned inputs (their masks and row filters applied) into
 * `outputFile` as Parquet, in the engine where the inputs live (ADR 0030):
 * - every input on one server of a database engine with a pipeline builder (PostgreSQL): the steps
 *   run there, and the last step's rows are written to Parquet by DuckDB;
 * - otherwise in DuckDB (`buildOutput`), inputs of a database engine first read into Parquet files
 *   of the build's own, masked and filtered there, so a run never fails only because of where its
 *   inputs are.
 * `engine` pins the engine (and the steps' dialect); inputs it cannot reach are then a failure
 * naming why. Every failure is a `BuildFailed` with the steps run so far.
 */
export async function buildPipelineOutput(request: OutputBuildRequest): Promise<OutputBuilt> {
  const work = join(request.tempDir, `pipeline-build-${randomBytes(6).toString("hex")}`);
  try {
    const databases = request.inputs.filter((i) => !servedByDuckDb(i));
    const candidate = databases[0]?.plan.source.engine;
    if (request.engine !== duckdb && candidate) {
      const builder = await builderOf(candidate).catch((e: unknown) => {
        throw failed(e);
      });
      const apart = builder ? apartFrom(candidate, builder, request.inputs) : `${candidate.name} builds no pipelines`;
      if (builder && apart === undefined) {
        await mkdir(work, { recursive: true });
        return { ...(await inEngine(builder, request, work)), engine: candidate.name };
      }
      if (request.engine === candidate.name)
        throw new BuildFailed(
          `the output's steps are to run in ${candidate.name} (engine: ${candidate.name}), but ${apart}; leave engine out to build in DuckDB`,
          [],
          {},
          "engine-mismatch",
        );
    }
    if (request.engine !== undefined && request.engine !== duckdb && request.engine !== candidate?.name)
      throw new BuildFailed(
        `the output's steps are to run in ${request.engine} (engine: ${request.engine}), but ${request.inputs.length === 0 ? "the output reads no input port" : `its inputs are not all on one ${request.engine} server`}; leave engine out to build where the inputs live`,
        [],
        {},
        "engine-mismatch",
      );
    if (databases.length > 0) await mkdir(work, { recursive: true });
    const inputs = await sandboxInputs(request, work);
    return {
      ...(await buildOutput({
        inputs,
        steps: request.steps,
        outputFile: request.outputFile,
        outputDir: dirname(request.outputFile),
        timeoutMs: request.timeoutMs,
        threads: request.threads,
        memoryLimit: request.memoryLimit,
        ...(request.signal ? { signal: request.signal } : {}),
      })),
      engine: duckdb,
    };
  } catch (e) {
    throw failed(e);
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}

/** The steps run in the inputs' engine; its result file becomes the Parquet output. */
async function inEngine(builder: PipelineBuilder, request: OutputBuildRequest, work: string): Promise<BuildResult> {
  const source = (request.inputs[0] as PlannedInput).plan.source;
  const resultFile = join(work, "result.ndjson");
  const built = await builder
    .build({
      server: source.server,
      env: source.env,
      inputs: engineInputs(request.inputs),
      steps: request.steps,
      resultFile,
      timeoutMs: request.timeoutMs,
      signal: request.signal,
    })
    .catch((e: unknown) => {
      const f = failed(e);
      throw new BuildFailed(source.redact(f.message), f.steps, f.rowsIn, f.code ?? "build-failed");
    });
  await writeParquetFromNdjson(
    resultFile,
    built.columns.map((c) => ({ name: c.name, duckdbType: c.sqlType })),
    request.outputFile,
  ).catch((e: unknown) => {
    throw new BuildFailed(
      `the output could not be written: ${firstLine(e)}`,
      built.steps,
      built.rowsIn,
      "write-failed",
    );
  });
  return { rowsIn: built.rowsIn, rowsOut: built.rowsOut, steps: built.steps };
}

/**
 * The inputs as DuckDB views: files and DuckDB tables where they are, with their masks and row
 * filters; a database engine's datasets read by that engine (masked and filtered there) into
 * Parquet files under `work`. Named `port.dataset`, and `port` for a port of one dataset.
 */
async function sandboxInputs(request: OutputBuildRequest, work: string): Promise<SandboxDataset[]> {
  const views: SandboxDataset[] = [];
  for (const [i, { port, plan }] of request.inputs.entries()) {
    const add = (name: string, view: Omit<SandboxDataset, "name" | "schema">) => {
      views.push({ name, schema: port, ...view });
      // A port of one dataset reads by the port's name alone too.
      if (plan.datasets.length === 1) views.push({ name: port, ...view });
    };
    if (servedByDuckDb({ port, plan })) {
      for (const d of plan.datasets) {
        const protect = { masked: d.masked, rowFilters: d.rowFilters };
        if (d.source.kind === "files") add(d.name, { files: d.source.files, format: d.source.format, ...protect });
        else if (d.source.database !== undefined)
          add(d.name, {
            table: { database: d.source.database, schema: d.source.schema, table: d.source.table },
            ...protect,
          });
        else
          throw new BuildFailed(
            `input port ${port}: dataset ${d.name} is a table DuckDB cannot open`,
            [],
            {},
            "engine-mismatch",
          );
      }
      continue;
    }
    const engine = plan.source.engine;
    const builder = await builderOf(engine);
    if (!builder)
      throw new BuildFailed(
        `input port ${port} is served by ${engine.name}, which neither builds pipelines nor exports their inputs`,
        [],
        {},
        "engine-mismatch",
      );
    const dir = join(work, `input-${i}`);
    await mkdir(dir, { recursive: true });
    const exported = await builder
      .exportInputs({
        server: plan.source.server,
        env: plan.source.env,
        inputs: plan.datasets.map((d, k) => ({
          key: `${port}.${d.name}`,
          name: d.name,
          source: d.source,
          masked: d.masked,
          rowFilters: d.rowFilters,
          file: join(dir, `${k}.ndjson`),
        })),
        timeoutMs: request.timeoutMs,
        signal: request.signal,
      })
      .catch((e: unknown) => {
        const f = failed(e);
        throw new BuildFailed(
          `input port ${port}: ${plan.source.redact(f.message)}`,
          [],
          f.rowsIn,
          f.code ?? "inputs-failed",
        );
      });
    for (const [k, d] of plan.datasets.entries()) {
      const file = exported[k];
      if (!file) continue;
      const parquet = join(dir, `${k}.parquet`);
      await writeParquetFromNdjson(
        file.file,
        file.columns.map((c) => ({ name: c.name, duckdbType: c.sqlType })),
        parquet,
      );
      // Masked and filtered already, in the engine the data lives in.
      add(d.name, { files: [parquet], format: "parquet", masked: [], rowFilters: [] });
    }
  }
  return views;
}
