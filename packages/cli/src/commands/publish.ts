import { resolve } from "node:path";
import type { Command } from "commander";
import { ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";

interface PublishOptions {
  server: string;
  json?: boolean;
}

export const defaultServer = () => process.env.QUANTA_SERVER ?? "http://localhost:8080";

export function registerPublishCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("publish")
    .description("Publish a data product folder (its ODPS file and ODCS contracts) to a Quanta server")
    .argument("<dir>", "the data product folder")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .option("--json", "print the server's answer as JSON")
    .action(async (dir: string, opts: PublishOptions) => {
      const { PlatformClient, readProductFolder, RefusedError } = await import("@quanta/platform");
      const { printIssues } = await import("../output.js");
      const folder = resolve(io.cwd, dir);
      const files = await readProductFolder(folder);
      const client = await PlatformClient.forConsole(opts.server ?? defaultServer());
      try {
        const result = await client.publish(files);
        if (opts.json) {
          io.out(JSON.stringify(result, null, 2));
        } else {
          const c = colors(io);
          const p = result.product;
          io.out(`${result.created ? c.green("published") : "unchanged"} ${p.id} ${p.version}`);
          for (const k of result.contracts)
            io.out(`  contract ${k.id} ${k.version}${k.created ? " (new version)" : ""}`);
          if (result.warnings.length > 0)
            printIssues(
              io,
              result.warnings.map((i) => ({ ...i, file: `${dir}/${i.file}` })),
              "text",
            );
        }
        setExit(ExitCode.ok);
      } catch (e) {
        if (e instanceof RefusedError)
          printIssues(
            io,
            e.issues.map((i) => ({ ...i, file: i.file === "." ? dir : `${dir}/${i.file}` })),
            opts.json ? "json" : "text",
          );
        throw fromServer(e);
      }
    });
}
