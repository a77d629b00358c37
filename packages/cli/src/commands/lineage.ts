import type { LineageGraph } from "@quanta/platform";
import { type Command, Option } from "commander";
import { CommandError, ExitCode } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

interface LineageOptions {
  upstream?: boolean;
  downstream?: boolean;
  depth: string;
  direct?: boolean;
  format: "text" | "json";
  server?: string;
}

type Edge = LineageGraph["edges"][number];

/** `kind name` of a node: `column climate.temperature.daily-temperature.daily_temperature.mean_c`. */
export function nodeLabel(id: string): string {
  const at = id.indexOf(":");
  if (at < 0) return id;
  const kind = id.slice(0, at);
  const rest = id.slice(at + 1);
  const name = kind === "product" || kind === "port" || kind === "column" ? rest.replaceAll("/", ".") : rest;
  return `${kind} ${name}`;
}

/** What was done to a column on its edges: `aggregation`, `identity`, `masked`, `indirect`. */
function transformations(edges: readonly Edge[]): string[] {
  const out = new Set<string>();
  for (const e of edges) {
    const ts = Array.isArray(e.details.transformations) ? e.details.transformations : [];
    for (const t of ts as { type?: unknown; subtype?: unknown; masking?: unknown }[]) {
      if (typeof t?.subtype === "string") out.add(t.subtype.toLowerCase());
      else if (typeof t?.type === "string") out.add(t.type.toLowerCase());
      if (t?.masking === true) out.add("masked");
    }
    if (e.details.indirect === true) out.add("indirect");
  }
  return [...out];
}

/**
 * The graph as a tree from its node: each child the next hop, its line saying how it is linked
 * (origins, the day last seen, a column's transformations). A node reached again (a diamond, a
 * cycle) is printed once and then referenced.
 */
export function lineageTree(graph: LineageGraph, paint: { dim: (s: string) => string } = { dim: (s) => s }): string[] {
  const down = graph.direction === "downstream";
  const children = new Map<string, Map<string, Edge[]>>();
  for (const e of graph.edges) {
    const [parent, child] = down ? [e.from, e.to] : [e.to, e.from];
    const byChild = children.get(parent) ?? new Map<string, Edge[]>();
    byChild.set(child, [...(byChild.get(child) ?? []), e]);
    children.set(parent, byChild);
  }
  const lines = [nodeLabel(graph.node)];
  const printed = new Set([graph.node]);
  const walk = (parent: string, indent: string) => {
    const kids = [...(children.get(parent) ?? new Map<string, Edge[]>())];
    kids.forEach(([child, edges], i) => {
      const last = i === kids.length - 1;
      const origins = [...new Set(edges.map((e) => e.origin))].join(", ");
      const seen =
        edges
          .map((e) => e.lastSeen)
          .sort()
          .at(-1)
          ?.slice(0, 10) ?? "";
      const ts = transformations(edges);
      const again = printed.has(child);
      lines.push(
        `${indent}${last ? "└─ " : "├─ "}${nodeLabel(child)}  ${paint.dim(`(${origins}, last seen ${seen})`)}${ts.length > 0 ? `  ${ts.join(", ")}` : ""}${again ? paint.dim("  … (see above)") : ""}`,
      );
      if (again) return;
      printed.add(child);
      walk(child, `${indent}${last ? "   " : "│  "}`);
    });
  };
  walk(graph.node, "");
  return lines;
}

export function registerLineageCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("lineage")
    .description(
      "print where a product, port or column comes from (--upstream) or what is built from it (--downstream)",
    )
    .argument("<node>", "PRODUCT, PRODUCT.PORT or PRODUCT.PORT.COLUMN (or PRODUCT.PORT.DATASET.COLUMN)")
    .option("--upstream", "what the node is derived from")
    .option("--downstream", "what is derived from the node (the default)")
    .option("--depth <n>", "hops to follow (1-10)", "3")
    .option("--direct", "only the columns values are computed from, not those that only filter, join or group rows")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .action(async (node: string, opts: LineageOptions) => {
      if (opts.upstream && opts.downstream) throw new CommandError("give --upstream or --downstream, not both");
      const depth = Number(opts.depth);
      if (!Number.isInteger(depth) || depth < 1 || depth > 10)
        throw new CommandError(`--depth must be a whole number from 1 to 10 (got "${opts.depth}")`);
      const { PlatformClient } = await import("@quanta/platform");
      const client = await PlatformClient.forConsole(opts.server ?? defaultServer());
      const graph = await client.lineage(node, {
        direction: opts.upstream ? "upstream" : "downstream",
        depth,
        direct: opts.direct === true,
      });
      if (opts.format === "json") {
        io.out(JSON.stringify(graph, null, 2));
      } else {
        const c = colors(io);
        for (const line of lineageTree(graph, c)) io.out(line);
        if (graph.edges.length === 0) io.err(`no ${graph.direction} lineage of ${nodeLabel(graph.node)} is known`);
        if (graph.truncated)
          io.err(
            c.dim(
              `truncated: more was reachable within depth ${depth} than one answer holds; ask a lower --depth or a narrower node`,
            ),
          );
      }
      setExit(ExitCode.ok);
    });
}
