import pc from "picocolors";

/** Where a command writes; tests pass buffers, `main` passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colour and progress only on a terminal. */
  readonly tty: boolean;
  readonly cwd: string;
}

export function processIo(): Io {
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
