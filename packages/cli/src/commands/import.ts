import { type Command, InvalidArgumentError, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import { collectOption, formatsHelp, importFormatList, importFormatNames } from "./format-names.js";
import type { ImportOptions } from "./run-import.js";

export { importFormatNames } from "./format-names.js";

export function registerImportCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("import")
    .description(
      "convert a schema, a dbt project, quality checks or real data into an ODCS v3.1.0 contract (DPS into ODPS): YAML on stdout, or --output; what does not map is reported as a warning at its line",
    )
    .argument("<source>", "the file to convert, an http(s) URL, a glob of data files, or a postgresql:// URL")
    .addOption(
      new Option("--format <format>", "format of the input (detected when omitted)").choices([...importFormatNames]),
    )
    .option("--dialect <dialect>", "SQL flavour of the input (sql, dbt): postgres, duckdb, snowflake, bigquery")
    .option(
      "--option <key=value>",
      "a setting of the format, repeatable (see docs/formats/<format>.md)",
      (value: string, previous: Record<string, string>) => {
        try {
          return collectOption(value, previous);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .option("-o, --output <file>", "write the converted document to this file instead of stdout")
    .option("--force", "overwrite --output when it exists")
    .addHelpText("after", formatsHelp(importFormatList))
    .action(async (source: string, options: ImportOptions) => {
      const { runImport } = await import("./run-import.js");
      setExit(await runImport(io, source, options));
    });
}
