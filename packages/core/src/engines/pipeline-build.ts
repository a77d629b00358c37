import { UnprocessableError } from "../errors.js";
import type { ReadDataset } from "./read.js";

/**
 * What an engine needs to build a pipeline output where its inputs lie (ADR 0030), and what it
 * answers: the seam between the platform's run (which plans every input through the mesh, ADR
 * 0029) and the engine holding the inputs (which runs the steps there, masks and row filters
 * compiled into the inputs). The engine writes the last step's rows as NDJSON with a standard SQL
 * type per column; the platform turns that into the staged version's Parquet file.
 */

/** One input as a step reads it: a dataset of an input port, masked and filtered for the run. */
export interface PipelineInput extends ReadDataset {
  /** How the run counts its rows: `port.dataset`. */
  key: string;
}

export interface PipelineBuildStep {
  /** An SQL identifier: later steps read the step by it. */
  name: string;
  /** One SELECT over the inputs and the earlier steps, in the engine's own dialect. */
  sql: string;
}

/** A column of a result file: its engine's type and the standard SQL type a writer casts it to. */
export interface PipelineColumn {
  name: string;
  /** As the engine prints it (`numeric(10,2)`, `timestamp with time zone`). */
  type: string;
  /** `BIGINT`, `DOUBLE`, `DECIMAL(10,2)`, `TIMESTAMPTZ`, `VARCHAR` …: what DuckDB and others read. */
  sqlType: string;
}

/** Every step of one output, all inputs on one server of the engine. */
export interface PipelineBuildRequest {
  /** The ODCS server entry, `${VAR}` references already resolved. */
  server: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  inputs: readonly PipelineInput[];
  steps: readonly PipelineBuildStep[];
  /** Where the last step's rows go, one JSON object per line. */
  resultFile: string;
  /** The whole build, from the first statement to the last row. */
  timeoutMs: number;
  /** Stops the build (a cancelled run): the running statement is cancelled, the failure says why. */
  signal?: AbortSignal | undefined;
}

/** One step as it ran: the statement, when, how long, how many rows. */
export interface PipelineBuiltStep {
  name: string;
  sql: string;
  startedAt: string;
  ms: number;
  rows: number;
  status: "passed" | "failed";
  error: string | null;
}

export interface PipelineBuildResult {
  /** Rows of each input as the run reads it, by `key`. */
  rowsIn: Record<string, number>;
  rowsOut: number;
  steps: PipelineBuiltStep[];
  columns: PipelineColumn[];
}

/** Inputs read (masked, filtered) into files, for a build in another engine. */
export interface PipelineExportRequest {
  server: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  /** Each input with the NDJSON file its rows go to. */
  inputs: readonly (PipelineInput & { file: string })[];
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface PipelineExported {
  key: string;
  file: string;
  rows: number;
  columns: PipelineColumn[];
}

/**
 * A build that failed: the steps so far (the failed one last) and the inputs' rows travel with it.
 * `code`: `sql-refused`, `step-failed`, `timeout`, `stopped`, `engine-unreachable` …
 */
export class PipelineBuildFailed extends UnprocessableError {
  constructor(
    message: string,
    readonly steps: PipelineBuiltStep[],
    readonly rowsIn: Record<string, number>,
    code: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? { code } : { code, cause });
  }
}

/** An engine's pipeline builder. Every failure rejects with a `PipelineBuildFailed`. */
export interface PipelineBuilder {
  /**
   * Which connection a server entry reaches (opaque, never the URL: it holds the password). Inputs
   * with the same target can be built together in one `build`.
   */
  target(server: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): string;
  build(request: PipelineBuildRequest): Promise<PipelineBuildResult>;
  /** Each input's rows as the run may read them, to files (a build elsewhere reads those). */
  exportInputs(request: PipelineExportRequest): Promise<PipelineExported[]>;
}
