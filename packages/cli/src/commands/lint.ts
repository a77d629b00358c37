import { type Command, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import type { IssueFormat } from "../output.js";

export function registerLintCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("lint")
    .description(
      "check ODCS contracts and ODPS products: YAML, official schema, and semantic rules (a folder is a data product: *.odps.yaml plus its *.odcs.yaml contracts)",
    )
    .argument("<paths...>", "contract/product files, or data product folders")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (paths: string[], options: { format: IssueFormat }) => {
      // The linter (node-sql-parser, the schema validators) loads only when a lint runs.
      const { runLint } = await import("./run-lint.js");
      setExit(await runLint(io, paths, options.format));
    });
}
