import { type Command, Option } from "commander";
import type { DiffFormat } from "../diff-output.js";
import { ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";

export function registerDiffCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("diff")
    .description(
      "compare two versions of a contract (ODCS, or DCS converted) or data product (ODPS): every change ranked patch/minor/major, the version it calls for",
    )
    .argument("<files...>", "OLD NEW, or one FILE with --base <git revision>")
    .option("--base <rev>", "compare FILE at this git revision (e.g. main, HEAD~1) with the working tree")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .action(async (files: string[], options: { base?: string; format: DiffFormat }) => {
      // The differ loads only when a diff runs (as in breaking and changelog).
      const [{ diffInputs }, { printDiff }] = await Promise.all([
        import("../diff-inputs.js"),
        import("../diff-output.js"),
      ]);
      const { report, before, after } = await diffInputs(io, files, options);
      printDiff(io, report, before, after, options.format);
      setExit(ExitCode.ok);
    });
}
