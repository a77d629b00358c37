import { type Command, Option } from "commander";
import type { ImpactOptions } from "../diff-impact.js";
import type { DiffFormat } from "../diff-output.js";
import { ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";

export function registerDiffCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("diff")
    .description(
      "compare two versions of a contract (ODCS, or DCS converted) or data product (ODPS): every change ranked patch/minor/major, the version it calls for, and what it would hurt downstream",
    )
    .argument("<files...>", "OLD NEW, or one FILE with --base <git revision>")
    .option("--base <rev>", "compare FILE at this git revision (e.g. main, HEAD~1) with the working tree")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option(
      "--server <url>",
      "the Quanta server asked for the downstream impact (default: $QUANTA_SERVER, or your login)",
    )
    .option("--no-impact", "do not ask the server what the changes would hurt downstream")
    .action(async (files: string[], options: { base?: string; format: DiffFormat } & ImpactOptions) => {
      // The differ loads only when a diff runs (as in breaking and changelog).
      const [{ diffInputs }, { printDiff }, { diffImpact, printImpact }] = await Promise.all([
        import("../diff-inputs.js"),
        import("../diff-output.js"),
        import("../diff-impact.js"),
      ]);
      const { report, before, after } = await diffInputs(io, files, options);
      // A changelog (markdown) is about the document; the impact is for the text and JSON readers.
      const impact = options.format === "markdown" ? undefined : await diffImpact(io, report, before, after, options);
      printDiff(io, report, before, after, options.format, undefined, impact === undefined ? undefined : { impact });
      if (impact && options.format === "text") printImpact(io, impact);
      setExit(ExitCode.ok);
    });
}
