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
 * Errors a Quanta server answers with when it understood a request and says no: not allowed (403),
 * conflict (409), refused (422). The command ran and the answer is a finding, so exit 1. Only for
 * errors of a server call: locally a ConflictError can mean the command could not run (a data
 * directory another server holds), which stays exit 2.
 */
const serverRefusals: ReadonlySet<string> = new Set([
  "NotAllowedError",
  "ConflictError",
  "UnprocessableError",
  "RefusedError",
]);

/** A server call's error as the console ends on it: a refusal becomes exit 1, anything else is left to `exitCodeFor`. */
export function fromServer(error: unknown): unknown {
  return error instanceof Error && serverRefusals.has(error.name)
    ? new CommandError(error.message, ExitCode.failed)
    : error;
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
