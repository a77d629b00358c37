import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { ExitCode } from "../exit-codes.js";
import type { Io, SetExit } from "../io.js";

export function registerChangelogCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("changelog")
    .description("write a Markdown changelog between two versions of a contract or data product, grouped by severity")
    .argument("<files...>", "OLD NEW, or one FILE with --base <git revision>")
    .option("--base <rev>", "compare FILE at this git revision with the working tree")
    .option("--title <title>", "heading of the changelog (default: Changelog: <name>)")
    .option("-o, --output <file>", "write to this file instead of standard output")
    .action(async (files: string[], options: { base?: string; title?: string; output?: string }) => {
      const [{ renderChangelog }, { diffInputs }, { defaultTitle, printDiffIssues }] = await Promise.all([
        import("@quanta/core"),
        import("../diff-inputs.js"),
        import("../diff-output.js"),
      ]);
      const { report, after } = await diffInputs(io, files, options);
      printDiffIssues(io, report);
      const markdown = renderChangelog(report, { title: options.title ?? defaultTitle(after) });
      if (options.output) {
        await writeFile(resolve(io.cwd, options.output), markdown);
        io.err(`quanta: wrote ${options.output}`);
      } else io.out(markdown);
      setExit(ExitCode.ok);
    });
}
