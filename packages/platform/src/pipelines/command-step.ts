import { randomBytes } from "node:crypto";
import { copyFile, mkdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { CommandStep } from "@quanta/core";
import { type BuiltStep, exportInputs, type SandboxDataset } from "@quanta/engine-duckdb";
import type { DataLocator } from "../harness/data-locator.js";
import { runCommand } from "./run-command.js";

/** At most this many of a command's lines go to the run's log. */
const maxCommandLines = 1000;

/**
 * A command step: the inputs as the agreement lets the team read them (masked, filtered) are
 * written as Parquet to `inputs/<port>/<dataset>.parquet` of a fresh working directory, the
 * program runs there (no shell, its own environment: `QUANTA_INPUTS`, `QUANTA_INPUT_<PORT>`,
 * `QUANTA_OUTPUT`, `PATH`) within its time limit, and `output/<dataset>.parquet` becomes the
 * staged version's file. The working directory is removed afterwards.
 */
export async function runCommandStep(
  locator: DataLocator,
  runId: number,
  step: CommandStep,
  inputs: readonly SandboxDataset[],
  file: string,
  dataset: string,
  limits: { buildTimeoutMs: number; signal: AbortSignal; remainingMs: () => number },
  onLine: (line: string) => void,
): Promise<{ step: BuiltStep; rowsIn: Record<string, number> }> {
  const work = join(locator.tempDir(), `pipeline-${runId}-${randomBytes(4).toString("hex")}`);
  const startedAt = new Date().toISOString();
  const failed = (error: string, ms = 0): BuiltStep => ({
    name: step.name,
    sql: JSON.stringify(step.command),
    startedAt,
    ms,
    rows: 0,
    status: "failed",
    error,
  });
  try {
    await mkdir(join(work, "output"), { recursive: true });
    const exported = await exportInputs({
      inputs,
      dir: join(work, "inputs"),
      timeoutMs: Math.min(limits.buildTimeoutMs, limits.remainingMs()),
      signal: limits.signal,
    });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: work,
      LANG: "C.UTF-8",
      QUANTA_INPUTS: join(work, "inputs"),
      QUANTA_OUTPUT: join(work, "output"),
    };
    for (const d of inputs)
      if (d.schema)
        env[`QUANTA_INPUT_${d.schema.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = join(work, "inputs", d.schema);
    let lines = 0;
    const ran = await runCommand({
      argv: step.command,
      cwd: work,
      env,
      // The step's own limit, or what is left of the run's.
      timeoutMs: Math.min(step.timeoutSeconds * 1000, limits.remainingMs()),
      signal: limits.signal,
      onLine: (stream, line) => {
        if (++lines <= maxCommandLines) onLine(`${step.name} ${stream}: ${line.slice(0, 2000)}`);
        else if (lines === maxCommandLines + 1) onLine(`${step.name}: more lines than ${maxCommandLines}, not logged`);
      },
    });
    if (ran.error)
      return { step: failed(`step "${step.name}" did not start: ${ran.error}`, ran.ms), rowsIn: exported.rowsIn };
    if (ran.stopped)
      return {
        step: failed(
          `step "${step.name}" was stopped: ${(limits.signal.reason as Error)?.message ?? "aborted"}`,
          ran.ms,
        ),
        rowsIn: exported.rowsIn,
      };
    if (ran.timedOut)
      return {
        step: failed(`step "${step.name}" was ended at its time limit of ${step.timeoutSeconds} s`, ran.ms),
        rowsIn: exported.rowsIn,
      };
    if (ran.code !== 0)
      return {
        step: failed(
          `step "${step.name}" exited with ${ran.code === null ? `signal ${ran.signal}` : `code ${ran.code}`}`,
          ran.ms,
        ),
        rowsIn: exported.rowsIn,
      };
    const produced = join(work, "output", `${dataset}.parquet`);
    if (!(await stat(produced).catch(() => undefined))?.isFile())
      return {
        step: failed(`step "${step.name}" ended without writing $QUANTA_OUTPUT/${dataset}.parquet`, ran.ms),
        rowsIn: exported.rowsIn,
      };
    await copyFile(produced, file);
    return {
      step: {
        name: step.name,
        sql: JSON.stringify(step.command),
        startedAt,
        ms: ran.ms,
        rows: 0,
        status: "passed",
        error: null,
      },
      rowsIn: exported.rowsIn,
    };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}
