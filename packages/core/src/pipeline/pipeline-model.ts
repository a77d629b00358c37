/** `pipeline.yaml` (ADR 0029): how each output port of a product is computed from its input ports. */
export const pipelineApiVersion = "quanta/v1";
export const pipelineKind = "Pipeline";

/** One SELECT over the product's input ports (by name) and the earlier steps of its output. */
export interface SqlStep {
  kind: "sql";
  name: string;
  sql: string;
  /** Where the step is written, for issues found later (a run's guard, a cycle). */
  line: number;
}

/** An executable given its inputs' locations and an output folder to fill (parsed; not run yet). */
export interface CommandStep {
  kind: "command";
  name: string;
  /** The program and its arguments, never a shell line. */
  command: string[];
  timeoutSeconds: number;
  line: number;
}

export type PipelineStep = SqlStep | CommandStep;

export interface PipelineOutput {
  port: string;
  /** The contract's dataset the output fills; undefined = the contract's only one. */
  dataset: string | undefined;
  steps: PipelineStep[];
  /** The input ports its SQL steps read (found in the SQL's FROM and JOIN clauses). */
  reads: string[];
  /**
   * The date column a backfill replaces a range of (`partition: { column }`): a backfill's new
   * version is the previous one's rows outside the range plus the run's rows inside it.
   */
  partition?: { column: string } | undefined;
  /**
   * An append-only output (`incremental: { watermark }`): a run reads only input rows newer than the
   * highest `watermark` of the current version (`WHERE … > {{watermark}}`) and appends them.
   */
  incremental?: { watermark: string } | undefined;
  /**
   * Where the steps run, and so their SQL dialect (ADR 0030): undefined, where the inputs are
   * (PostgreSQL when every input is a table on one PostgreSQL server, else DuckDB).
   */
  engine?: "duckdb" | "postgres" | undefined;
}

/** What SQL steps may write for a run's range (`BETWEEN {{from}} AND {{to}}`); a full run reads -infinity and infinity. */
export const pipelinePlaceholders = ["{{from}}", "{{to}}", "{{watermark}}"] as const;

/** When the pipeline runs by itself: a 5-field cron read in a time zone (IANA, default UTC). */
export interface PipelineSchedule {
  cron: string;
  timezone: string;
}

/**
 * How a run that failed for a transient reason (an input it could not read, a worker that died)
 * is tried again: at most `attempts` tries in all, the first included, waiting `backoffSeconds`
 * before the second and twice as long before each one after.
 */
export interface PipelineRetries {
  attempts: number;
  backoffSeconds: number;
}

/** What one run may use, each capped by the server's settings; undefined = the server's. */
export interface PipelineLimits {
  /** DuckDB's memory limit, in bytes. */
  memoryBytes: number | undefined;
  threads: number | undefined;
  /** The whole run, every output and step. */
  timeoutSeconds: number | undefined;
}

export interface Pipeline {
  file: string;
  outputs: PipelineOutput[];
  schedule: PipelineSchedule | undefined;
  retries: PipelineRetries;
  limits: PipelineLimits;
}
