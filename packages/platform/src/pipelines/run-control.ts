import {
  EngineError,
  type PipelineLimits,
  type PipelineRetries,
  parseDuration,
  parseMemorySize,
  QuantaError,
} from "@quanta/core";
import type { PipelineRunStore } from "./pipeline-run-store.js";

export interface PipelineRunLimits {
  /** Where OpenLineage events are sent (`QUANTA_OPENLINEAGE_URL`); undefined: only stored. */
  lineageUrl?: string | undefined;
  /** The programs command steps may run (`QUANTA_PIPELINE_COMMANDS`); none by default. */
  commands: readonly string[];
  /** The whole build of one output (every step), in DuckDB. */
  buildTimeoutMs: number;
  checkTimeoutMs: number;
  /** The most a whole run may take (`QUANTA_PIPELINE_TIMEOUT`); a pipeline's `limits.timeout` may ask for less. */
  runTimeoutMs: number;
  /** DuckDB threads per run at most (`QUANTA_PIPELINE_THREADS`). */
  threads: number;
  /** DuckDB memory per run at most (`QUANTA_PIPELINE_MEMORY`, like `2GB`). */
  memoryLimit: string;
  /** How often a running run looks for a cancel request (default 500 ms). */
  cancelPollMs?: number;
}

export const defaultPipelineRunLimits: PipelineRunLimits = {
  commands: [],
  buildTimeoutMs: 1_800_000,
  checkTimeoutMs: 300_000,
  runTimeoutMs: 1_800_000,
  threads: 2,
  memoryLimit: "2GB",
};

/**
 * The server's caps from its environment: `QUANTA_PIPELINE_MEMORY` (`2GB`), `QUANTA_PIPELINE_THREADS`
 * (`2`), `QUANTA_PIPELINE_TIMEOUT` (`30m`), and the programs and lineage endpoint. A value that does
 * not read is an error: a typo must not lift a cap silently.
 */
export function pipelineRunLimitsFromEnv(env: Record<string, string | undefined>): PipelineRunLimits {
  const limits: PipelineRunLimits = {
    ...defaultPipelineRunLimits,
    commands: (env.QUANTA_PIPELINE_COMMANDS ?? "")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean),
    lineageUrl: env.QUANTA_OPENLINEAGE_URL || undefined,
  };
  if (env.QUANTA_PIPELINE_MEMORY) {
    if (parseMemorySize(env.QUANTA_PIPELINE_MEMORY) === undefined)
      throw new Error(`QUANTA_PIPELINE_MEMORY="${env.QUANTA_PIPELINE_MEMORY}" is not a size like 512MB or 4GB`);
    limits.memoryLimit = env.QUANTA_PIPELINE_MEMORY.trim();
  }
  if (env.QUANTA_PIPELINE_THREADS) {
    const n = Number(env.QUANTA_PIPELINE_THREADS);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`QUANTA_PIPELINE_THREADS="${env.QUANTA_PIPELINE_THREADS}" is not a whole number of at least 1`);
    limits.threads = n;
  }
  if (env.QUANTA_PIPELINE_TIMEOUT) {
    const s = parseDuration(env.QUANTA_PIPELINE_TIMEOUT);
    if (s === undefined || s < 1)
      throw new Error(`QUANTA_PIPELINE_TIMEOUT="${env.QUANTA_PIPELINE_TIMEOUT}" is not a duration like 90s, 30m or 2h`);
    limits.runTimeoutMs = s * 1000;
    limits.buildTimeoutMs = Math.max(limits.buildTimeoutMs, limits.runTimeoutMs);
  }
  return limits;
}

/** `1GB`, `512MB`, `2500KB`: the largest unit that divides the size, in DuckDB's spelling. */
export function memoryText(bytes: number): string {
  for (const [unit, size] of [
    ["GB", 1e9],
    ["MB", 1e6],
  ] as const)
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  return `${Math.max(1, Math.floor(bytes / 1000))}KB`;
}

/** What one run may use: the pipeline's `limits`, each capped by the server's. */
export interface RunLimits {
  memoryLimit: string;
  threads: number;
  timeoutMs: number;
  /** The limits the server lowered, in words (for the run's log). */
  capped: string[];
}

export function runLimits(server: PipelineRunLimits, declared: PipelineLimits): RunLimits {
  const capped: string[] = [];
  const capBytes = parseMemorySize(server.memoryLimit) ?? 2e9;
  let memoryLimit = server.memoryLimit;
  if (declared.memoryBytes !== undefined) {
    if (declared.memoryBytes <= capBytes) memoryLimit = memoryText(declared.memoryBytes);
    else capped.push(`memory ${memoryText(declared.memoryBytes)} → ${server.memoryLimit}`);
  }
  let threads = server.threads;
  if (declared.threads !== undefined) {
    if (declared.threads <= server.threads) threads = declared.threads;
    else capped.push(`threads ${declared.threads} → ${server.threads}`);
  }
  let timeoutMs = server.runTimeoutMs;
  if (declared.timeoutSeconds !== undefined) {
    if (declared.timeoutSeconds * 1000 <= server.runTimeoutMs) timeoutMs = declared.timeoutSeconds * 1000;
    else capped.push(`timeout ${declared.timeoutSeconds} s → ${server.runTimeoutMs / 1000} s`);
  }
  return { memoryLimit, threads, timeoutMs, capped };
}

/**
 * A run that ended without a new current version for some output: why, in one line. `transient`:
 * the same run may well succeed later (an input it could not read, a store that did not answer),
 * so it is tried again when the pipeline's `retries` allow; a contract, SQL or rights problem is not.
 */
export class RunFailed extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
  }
}

/**
 * Whether an error met while reading an input is worth another attempt: the platform's own
 * refusals (no agreement, no such port, bad request) are not; a store or server that failed to
 * answer (EngineError, a network error) is.
 */
export function isTransient(e: unknown): boolean {
  return !(e instanceof QuantaError) || e instanceof EngineError;
}

/** The wait before attempt `attempt + 1`: the pipeline's backoff, doubled for each retry after the first, at most an hour. */
export function retryDelayMs(retries: PipelineRetries, attempt: number): number {
  return Math.min(retries.backoffSeconds * 1000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/**
 * What stops a running run early: a cancel request (polled from the run's record, so the canceller
 * may be any replica) or the run's time limit. Its `signal` interrupts DuckDB and kills a command's
 * process group; `check` throws between steps once it fired.
 */
export class RunControl {
  private readonly controller = new AbortController();
  private poll: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private endsAt = Number.POSITIVE_INFINITY;
  cancelledBy: string | undefined;
  timedOut = false;
  /** The worker was told to stop (its server stopping, its lease lost): the run is another worker's now. */
  released = false;

  constructor(
    private readonly runs: PipelineRunStore,
    private readonly runId: number,
    private readonly pollMs = 500,
    worker?: AbortSignal,
  ) {
    const release = () => {
      if (this.signal.aborted) return;
      this.released = true;
      const why = worker?.reason instanceof Error ? worker.reason.message : "the worker stopped";
      this.controller.abort(new Error(`${why}; another worker takes the run`));
    };
    if (worker?.aborted) release();
    else worker?.addEventListener("abort", release, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(timeoutMs: number): void {
    this.endsAt = Date.now() + timeoutMs;
    this.deadline = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(
        new Error(`the run's time limit of ${Math.round(timeoutMs / 1000)} s was reached (limits.timeout)`),
      );
    }, timeoutMs);
    let polling = false;
    this.poll = setInterval(() => {
      if (polling || this.signal.aborted) return;
      polling = true;
      void this.runs
        .cancelRequest(this.runId)
        .then(
          (by) => {
            if (by) this.cancel(by);
          },
          () => {},
        )
        .finally(() => {
          polling = false;
        });
    }, this.pollMs);
  }

  /** The run was asked to stop by `by` (seen in its record). */
  cancel(by: string): void {
    if (this.signal.aborted) return;
    this.cancelledBy = by;
    this.controller.abort(new Error(`cancelled by ${by}`));
  }

  /** Time left before the run's limit. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /** Throws the reason once the run was told to stop. */
  check(): void {
    if (this.signal.aborted) throw new RunFailed((this.signal.reason as Error).message);
  }

  close(): void {
    clearTimeout(this.deadline);
    clearInterval(this.poll);
  }
}
