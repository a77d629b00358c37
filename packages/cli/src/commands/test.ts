import { type Command, Option } from "commander";
import type { Io, SetExit } from "../io.js";
import type { TestOptions } from "./run-test.js";

export function registerTestCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("test")
    .description("test a data contract against its real data, in the engine where the data lives")
    .argument("<contract>", "ODCS contract file (YAML or JSON)")
    .option("--server <name>", "server of the contract to test (default: the first one an engine serves)")
    .option("--schema <object>", "test only this schema object")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "junit"]).default("text"))
    .option("--output <file>", "write the report to this file instead of standard output")
    .option(
      "--profile",
      "also profile each dataset (nulls, min, max, mean …) in the checks' scan; shown in the JSON report",
    )
    .action(async (file: string, options: TestOptions) => {
      // Core's checks and the engine load only when a test runs; the engine only for its server type.
      const { runTest } = await import("./run-test.js");
      setExit(await runTest(io, file, options));
    });
}
