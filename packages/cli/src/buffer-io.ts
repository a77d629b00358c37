import type { Io } from "./io.js";

/** An `Io` that records what a command prints; for tests and for embedding the console. */
export function bufferIo(cwd: string = process.cwd(), tty = false): Io & { stdout(): string; stderr(): string } {
  let out = "";
  let err = "";
  return {
    out: (t) => {
      out += t.endsWith("\n") ? t : `${t}\n`;
    },
    err: (t) => {
      err += t.endsWith("\n") ? t : `${t}\n`;
    },
    tty,
    cwd,
    stdout: () => out,
    stderr: () => err,
  };
}
