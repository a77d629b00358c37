import pc from "picocolors";

/** Where a command writes; tests pass buffers, `main` passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour and progress only on a terminal. */
  readonly tty: boolean;
  readonly cwd: string;
  /**
   * Rewrites the last line of stderr (a progress line); `done` ends it with a line break. Present
   * only when stderr is a terminal: elsewhere a command prints one final line with `err` instead.
   */
  progress?: ((text: string, done?: boolean) => void) | undefined;
}

let watching = false;
/** The streams whose reader went away: nothing more is written to them. */
const closed = new Set<NodeJS.WriteStream>();

/**
 * A reader that stops early (`quanta policy list | head`) closes the pipe: the next write fails
 * with EPIPE. That is the reader's choice, not an error of the command: the console stops writing
 * to that stream, and the command finishes with its own exit code (so `quanta test … | head` still
 * fails a `pipefail` job when checks failed). Other stream errors are still thrown.
 */
function stopWritingOnClosedPipe(): void {
  if (watching) return;
  watching = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      closed.add(stream);
    });
  }
}

const write = (stream: NodeJS.WriteStream, t: string) => {
  if (!closed.has(stream)) stream.write(t.endsWith("\n") ? t : `${t}\n`);
};

export function processIo(): Io {
  stopWritingOnClosedPipe();
  return {
    out: (t) => write(process.stdout, t),
    err: (t) => write(process.stderr, t),
    tty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    cwd: process.cwd(),
    ...(process.stderr.isTTY
      ? {
          progress: (text: string, done?: boolean) => {
            if (!closed.has(process.stderr)) process.stderr.write(`\r${text}\x1b[K${done ? "\n" : ""}`);
          },
        }
      : {}),
  };
}

export function colors(io: Io) {
  return pc.createColors(io.tty);
}

/** Commands report their exit code through this; the program keeps the last one. */
export type SetExit = (code: number) => void;
