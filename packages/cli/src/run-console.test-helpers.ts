import { bufferIo } from "./buffer-io.js";
import { main } from "./main.js";

/** Runs the console in this process with `cwd` as its folder: exit code, stdout and stderr. */
export function consoleIn(cwd: string): (...args: string[]) => Promise<{ code: number; out: string; err: string }> {
  return async (...args) => {
    const io = bufferIo(cwd);
    const code = await main(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
}
