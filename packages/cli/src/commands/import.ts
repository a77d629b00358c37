import { type Command, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import type { ImportOptions } from "./run-import.js";

/**
 * The names of core's `importFormats`, for `--format` choices and help without loading the
 * converters at start (import.test.ts keeps the two lists equal).
 */
export const importFormatNames: readonly string[] = ["dcs", "dps"];

export function registerImportCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("import")
    .description(
      "convert a DCS data contract to ODCS v3.1.0 or a DPS data product to ODPS v1.0.0 (YAML on stdout, or --output); what does not map is reported as a warning at its line",
    )
    .argument("<file>", "the DCS or DPS document (YAML or JSON)")
    .addOption(
      new Option("--format <format>", "format of the input (detected when omitted)").choices([...importFormatNames]),
    )
    .option("-o, --output <file>", "write the converted document to this file instead of stdout")
    .option("--force", "overwrite --output when it exists")
    .action(async (file: string, options: ImportOptions) => {
      const { runImport } = await import("./run-import.js");
      setExit(await runImport(io, file, options));
    });
}
