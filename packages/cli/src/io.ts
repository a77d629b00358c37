import pc from "picocolors";

/** Where a command writes; tests pass buffers, `main` passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour and progress only on a terminal. */
  readonly tty: boolean;
  readonly cwd: string;
}

let quietOnClosedPipe = false;

/**
 * A reader that stops early (`quanta policy list | head`) closes the pipe: the next write fails
 * with EPIPE. That is the reader's choice, not an error of the command, so the console ends
 * quietly (exit 0, as when a command is cut short by SIGPIPE in a shell pipeline) instead of
 * crashing on an unhandled stream error. Other stream errors are still thrown.
 */
function exitQuietlyOnClosedPipe(): void {
  if (quietOnClosedPipe) return;
  quietOnClosedPipe = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(0);
    });
  }
}

export function processIo(): Io {
  exitQuietlyOnClosedPipe();
  return {
    out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
    err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
    tty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
  };
}

export function colors(io: Io) {
  return pc.createColors(io.tty);
}

/** Commands report their exit code through this; the program keeps the last one. */
export type SetExit = (code: number) => void;
