import type { Command } from "commander";
import type { Io, SetExit } from "../io.js";
import type { InitOptions } from "./run-init.js";

export function registerInitCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("init")
    .description(
      "create a new data product folder: an ODPS product, the ODCS contract of its output port, and a README",
    )
    .argument("<dir>", "the folder to create (must be empty or absent)")
    .option("--name <name>", "product name (default: the folder name)")
    .option("--domain <domain>", "domain the product belongs to", "default")
    .option("--force", "write into a folder that is not empty (replaces the files it writes only)")
    .option(
      "--pipeline <contract-id>",
      "build the output from an upstream port: an input port `source` naming this contract, and a pipeline.yaml",
    )
    .action(async (dir: string, options: InitOptions) => {
      const { runInit } = await import("./run-init.js");
      setExit(await runInit(io, dir, options));
    });
}
