import { type Command, InvalidArgumentError, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import { collectOption, exportFormatList, exportFormatNames, formatsHelp } from "./format-names.js";
import type { ExportOptions } from "./run-export.js";

export function registerExportCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("export")
    .description(
      "write an ODCS contract out in another format: DDL, schemas, dbt, quality checks, documentation or code (stdout, or --output; several files need --output DIR)",
    )
    .argument("<contract>", "the ODCS data contract (YAML or JSON)")
    .addOption(new Option("--format <format>", "format to write").choices([...exportFormatNames]).makeOptionMandatory())
    .option(
      "--dialect <dialect>",
      "SQL flavour of the output (sql, sql-query, dbt): postgres, duckdb, snowflake, bigquery",
    )
    .option("--schema <object>", "export only this schema object")
    .option("--product <file>", "the ODPS product the contract belongs to (openapi, airflow)")
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
    .option("-o, --output <path>", "write to this file (or folder, for formats that write several files)")
    .option("--force", "overwrite files that exist")
    .addHelpText("after", formatsHelp(exportFormatList))
    .action(async (contract: string, options: ExportOptions) => {
      const { runExport } = await import("./run-export.js");
      setExit(await runExport(io, contract, options));
    });
}
