import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { ExitCode, exitCodeFor } from "./exit-codes.js";
import { type Io, processIo, type SetExit } from "./io.js";

export function buildProgram(io: Io, setExit: SetExit = () => {}): Command {
  const program = new Command("quanta")
    .description("Quanta: the self-serve data mesh platform console")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  registerCommands(program, io, setExit);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError();
  return program;
}

/** Runs the console; resolves to the exit code instead of exiting (tests call this directly). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.cannotRun;
    }
    const { code: exit, message } = await exitCodeFor(error);
    io.err(`quanta: ${message}`);
    return exit;
  }
}
