import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface CommandRequest {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Each line the command prints (stdout and stderr), as it prints it. */
  onLine: (stream: "stdout" | "stderr", line: string) => void;
  /** Ends the program and its group when aborted (a cancelled run). */
  signal?: AbortSignal;
}

export interface CommandResult {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Ended because `signal` was aborted. */
  stopped: boolean;
  ms: number;
  /** Why it did not start (no such program, not executable). */
  error: string | null;
}

/**
 * Runs a command step's program: no shell, its own working directory and only the environment it
 * is given, in a process group of its own so the time limit ends it and everything it started
 * (SIGKILL to the group). Never throws: the result says how it ended.
 */
export function runCommand(request: CommandRequest): Promise<CommandResult> {
  const started = performance.now();
  const [program, ...args] = request.argv;
  return new Promise((resolve) => {
    let timedOut = false;
    let stopped = false;
    let error: string | null = null;
    const child = spawn(program as string, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, request.timeoutMs);
    const stop = () => {
      stopped = true;
      killGroup();
    };
    if (request.signal?.aborted) stop();
    else request.signal?.addEventListener("abort", stop, { once: true });
    for (const stream of ["stdout", "stderr"] as const) {
      const source = child[stream];
      if (source) createInterface({ input: source }).on("line", (line) => request.onLine(stream, line));
    }
    child.once("error", (e) => {
      error = e.message;
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", stop);
      resolve({ code, signal, timedOut, stopped, ms: Math.round(performance.now() - started), error });
    });
  });
}
