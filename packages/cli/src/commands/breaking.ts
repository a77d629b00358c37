import { type Command, Option } from "commander";
import { ExitCode } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";

/** The gate for CI: exit 1 when any change is major (breaking), 0 otherwise. */
export function registerBreakingCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("breaking")
    .description("exit 1 if the new version of a contract or data product has a breaking (major) change; for CI")
    .argument("<files...>", "OLD NEW, or one FILE with --base <git revision>")
    .option("--base <rev>", "compare FILE at this git revision (e.g. origin/main) with the working tree")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (files: string[], options: { base?: string; format: "text" | "json" }) => {
      const [{ diffInputs }, { diffJson, printChanges, printDiffIssues, versionSummary }] = await Promise.all([
        import("../diff-inputs.js"),
        import("../diff-output.js"),
      ]);
      const { report, before, after } = await diffInputs(io, files, options);
      const breaking = report.changes.filter((c) => c.severity === "major");
      printDiffIssues(io, report);
      if (options.format === "json") {
        const json = diffJson(report, before, after);
        io.out(
          JSON.stringify(
            { ...json, breaking: breaking.length > 0, changes: json.changes.filter((c) => c.severity === "major") },
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
      }
      setExit(breaking.length > 0 ? ExitCode.failed : ExitCode.ok);
    });
}
