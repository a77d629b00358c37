import { type Command, Option } from "commander";
import type { ImpactOptions } from "../diff-impact.js";
import { ExitCode } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";

/**
 * The gate for CI: exit 1 when any change is major (breaking), 0 otherwise. With a platform at
 * hand, also what the breaking changes would hurt downstream; its absence never changes the exit.
 */
export function registerBreakingCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("breaking")
    .description("exit 1 if the new version of a contract or data product has a breaking (major) change; for CI")
    .argument("<files...>", "OLD NEW, or one FILE with --base <git revision>")
    .option("--base <rev>", "compare FILE at this git revision (e.g. origin/main) with the working tree")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option(
      "--server <url>",
      "the Quanta server asked for the downstream impact (default: $QUANTA_SERVER, or your login)",
    )
    .option("--no-impact", "do not ask the server what the changes would hurt downstream")
    .action(async (files: string[], options: { base?: string; format: "text" | "json" } & ImpactOptions) => {
      const [{ diffInputs }, { diffJson, printChanges, printDiffIssues, versionSummary }, { diffImpact, printImpact }] =
        await Promise.all([import("../diff-inputs.js"), import("../diff-output.js"), import("../diff-impact.js")]);
      const { report, before, after } = await diffInputs(io, files, options);
      const breaking = report.changes.filter((c) => c.severity === "major");
      printDiffIssues(io, report);
      const impact = await diffImpact(io, { ...report, changes: breaking }, before, after, options);
      if (options.format === "json") {
        const json = diffJson(report, before, after);
        io.out(
          JSON.stringify(
            {
              ...json,
              breaking: breaking.length > 0,
              changes: json.changes.filter((c) => c.severity === "major"),
              impact: impact ?? null,
            },
            null,
            2,
          ),
        );
      } else {
        const c = colors(io);
        printChanges(io, breaking, before, after);
        io.out(
          breaking.length > 0
            ? c.red(`${breaking.length} breaking change(s); ${versionSummary(report)}`)
            : c.green(`no breaking changes; ${versionSummary(report)}`),
        );
        if (impact) printImpact(io, impact);
      }
      setExit(breaking.length > 0 ? ExitCode.failed : ExitCode.ok);
    });
}
