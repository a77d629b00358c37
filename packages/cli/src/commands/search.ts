import type { Command } from "commander";
import { CommandError, ExitCode } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

interface SearchOptions {
  server?: string;
  domain?: string;
  tag?: string;
  status?: string;
  team?: string;
  limit: string;
  json?: boolean;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function registerSearchCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("search")
    .description("Search the data products of a Quanta server (name, summary, tags, glossary, schema)")
    .argument("[text]", "what to look for; typos are tolerated (empty: list every product)")
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .option("--domain <domain>", "only this domain")
    .option("--tag <tag>", "only products with this tag")
    .option("--status <status>", "only products in this status")
    .option("--team <team>", "only products of this owner team")
    .option("--limit <n>", "how many to show (1-100)", "20")
    .option("--json", "print { items, total } as JSON")
    .action(async (text: string | undefined, opts: SearchOptions) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new CommandError(`--limit must be a whole number from 1 to 100 (got "${opts.limit}")`);
      const { PlatformClient } = await import("@quanta/platform");
      const client = await PlatformClient.forConsole(opts.server ?? defaultServer());
      const result = await client.search({
        q: text,
        domain: opts.domain,
        tag: opts.tag,
        status: opts.status,
        team: opts.team,
        limit,
      });
      if (opts.json) {
        io.out(JSON.stringify(result, null, 2));
      } else if (result.items.length === 0) {
        io.err("no data products match");
      } else {
        const c = colors(io);
        const width = Math.max(...result.items.map((p) => p.id.length));
        for (const p of result.items) {
          io.out(
            `${c.bold(p.id.padEnd(width))}  ${p.version.padEnd(8)} ${clip(p.name, 40)}${p.summary ? c.dim(` — ${clip(p.summary, 80)}`) : ""}`,
          );
        }
        io.err(`${result.items.length} of ${result.total} product(s)`);
      }
      setExit(ExitCode.ok);
    });
}
