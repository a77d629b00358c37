/** The console's contract with scripts and CI pipelines. */
export const ExitCode = {
  ok: 0,
  /** The input is invalid, checks failed, or a breaking change was found. */
  failed: 1,
  /** The command could not run: usage, missing file, unreadable input, unreachable server. */
  cannotRun: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by commands to stop with a message and an exit code (no stack trace for users). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.cannotRun,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/**
 * One place maps failures to exit codes and messages. Async because `@quanta/core` is imported
 * only here, on the failure path: the console must not pay for it at start (docs/adr/0015-startup.md).
 */
export async function exitCodeFor(error: unknown): Promise<{ code: ExitCode; message: string }> {
  if (error instanceof CommandError) return { code: error.exitCode, message: error.message };
  const { isQuantaError } = await import("@quanta/core");
  if (isQuantaError(error)) return { code: ExitCode.cannotRun, message: error.message };
  const err = error as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return { code: ExitCode.cannotRun, message: `no such file or directory: ${err.path}` };
  if (err?.code === "EACCES") return { code: ExitCode.cannotRun, message: `permission denied: ${err.path}` };
  if (err?.code === "EISDIR")
    return { code: ExitCode.cannotRun, message: `a folder where a file is needed${err.path ? `: ${err.path}` : ""}` };
  return { code: ExitCode.cannotRun, message: `internal error: ${err?.stack ?? String(error)}` };
}
