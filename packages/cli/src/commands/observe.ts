import type { Incident, Percentiles, ProductProfile, ProductSlos, ServiceLevels, SloObjective } from "@quanta/platform";
import { type Command, Option } from "commander";
import { ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { incidentLine } from "./incidents.js";
import { defaultServer } from "./publish.js";

interface ObserveOptions {
  port?: string;
  format: "text" | "json";
  server?: string;
}

/** What `quanta observe` prints, and `--format json` gives whole. */
export interface Observation {
  productId: string;
  slos: ProductSlos;
  incidents: Incident[];
  profile: ProductProfile;
  serviceLevels: ServiceLevels;
}

type Paint = ReturnType<typeof colors>;

const pct = (share: number | null | undefined, digits = 1) =>
  share === null || share === undefined ? "–" : `${(share * 100).toFixed(digits).replace(/\.0+$/, "")} %`;

const num = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString("en-US"));

/** Seconds as people read them: `850 ms`, `42 s`, `3.5 min`, `2.1 h`, `4.0 d`. */
export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return "–";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 90) return `${Math.round(s * 10) / 10} s`;
  if (s < 90 * 60) return `${(s / 60).toFixed(1)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

const burn = (b: number | null) => (b === null ? "–" : b.toFixed(1));

function statusOf(status: SloObjective["status"], c: Paint): string {
  if (status === "met") return c.green(status);
  if (status === "at-risk") return c.yellow(status);
  if (status === "breached") return c.red(status);
  return c.dim(status);
}

/** Rows padded to the widest cell of each column (the last one left as it is). */
function table(rows: string[][], indent = "  "): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => stripAnsi(r[i] ?? "").length))) ?? [];
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - stripAnsi(cell).length)))
        .join("  ")
        .trimEnd(),
  );
}

const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

/**
 * The columns an active schema-drift incident of the port names: in its detail, as detection
 * writes it (`contract` and `lastRun`, each with `added`, `removed`, `retyped`), or flat (`column`,
 * `columns`, `added`, `removed`, `changed`), or as the last part of its key (`dataset.column`).
 */
export function driftedColumns(incidents: readonly Incident[], port: string, dataset: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of incidents) {
    if (i.kind !== "schema-drift" || i.port !== port || i.state === "resolved") continue;
    const d = i.detail ?? {};
    if (typeof d.dataset === "string" && d.dataset !== dataset) continue;
    const named = (v: unknown, how: string) => {
      for (const x of Array.isArray(v) ? v : [v]) {
        const name =
          typeof x === "string" ? x : typeof x === "object" && x ? (x as { name?: unknown }).name : undefined;
        if (typeof name === "string" && name !== "") out.set(name.split(".").at(-1) as string, how);
      }
    };
    for (const found of [d, d.contract, d.lastRun]) {
      if (typeof found !== "object" || found === null) continue;
      const f = found as Record<string, unknown>;
      named(f.added, "added");
      named(f.removed, "removed");
      named(f.changed, "type changed");
      named(f.retyped, "type changed");
    }
    named(d.column, "drift");
    named(d.columns, "drift");
    const keyParts = i.key.split(/[.:/]/);
    if (out.size === 0 && keyParts.length > 1 && (keyParts[0] === dataset || keyParts.length === 2))
      out.set(keyParts.at(-1) as string, "drift");
  }
  return out;
}

export function observationLines(o: Observation, c: Paint, port?: string): string[] {
  const lines: string[] = [c.bold(o.productId)];
  const objectives = o.slos.objectives.filter((s) => port === undefined || s.port === port);
  lines.push("", `Service level objectives (${o.slos.windowDays}-day window)`);
  if (objectives.length === 0) lines.push(c.dim("  none: the contracts declare no SLA properties"));
  else
    lines.push(
      ...table([
        ["port", "property", "objective", "SLI", "budget left", "burn 1h/6h/24h", "status"].map((h) => c.dim(h)),
        ...objectives.map((s) => [
          s.port,
          s.property,
          s.objective,
          s.sli === null ? "–" : `${pct(s.sli, 2)} of ${num(s.total)} ${s.unit}`,
          pct(s.budget.remaining, 0),
          `${burn(s.burnRate["1h"])} / ${burn(s.burnRate["6h"])} / ${burn(s.burnRate["24h"])}`,
          statusOf(s.status, c) + (s.reason ? c.dim(`  ${s.reason}`) : ""),
        ]),
      ]),
    );

  const active = o.incidents.filter((i) => port === undefined || i.port === port);
  lines.push("", `Active incidents (${active.length})`);
  if (active.length === 0) lines.push(c.dim("  none"));
  else for (const i of active) lines.push(`  ${incidentLine(i, c)}`);

  const ports = o.profile.ports.filter((p) => port === undefined || p.port === port);
  lines.push("", "Latest profile");
  if (ports.length === 0) lines.push(c.dim("  none yet: no contract test has profiled the data"));
  for (const p of ports) {
    lines.push(`  ${p.port} ${c.dim(`(test run ${p.runId}, ${p.at})`)}`);
    for (const d of p.datasets) {
      const drift = driftedColumns(o.incidents, p.port, d.dataset);
      lines.push(`    ${d.dataset}: ${num(d.rows)} rows${d.reason ? c.yellow(`  (${d.reason})`) : ""}`);
      if (d.columns.length === 0) continue;
      lines.push(
        ...table(
          [
            ["column", "type", "null rate", "distinct", ""].map((h) => c.dim(h)),
            ...d.columns.map((col) => [
              col.name,
              col.type,
              pct(col.nullRate, 2),
              `${col.distinctApproximate && col.distinct !== null ? "~" : ""}${num(col.distinct)}`,
              drift.has(col.name) ? c.red(`drift: ${drift.get(col.name)}`) : "",
            ]),
            ...[...drift]
              .filter(([name]) => !d.columns.some((col) => col.name === name))
              .map(([name, how]) => [name, "–", "–", "–", c.red(`drift: ${how}`)]),
          ],
          "      ",
        ),
      );
    }
  }

  const sl = o.serviceLevels;
  lines.push("", `Service levels (${sl.windowDays} days, ${sl.incidents} incident${sl.incidents === 1 ? "" : "s"})`);
  const level = (name: string, p: Percentiles) =>
    [name, `p50 ${seconds(p.p50)}`, `p95 ${seconds(p.p95)}`, `mean ${seconds(p.mean)}`] as string[];
  lines.push(
    ...table([level("time to detect", sl.ttd), level("time to notify", sl.ttn), level("time to repair", sl.ttr)]),
  );
  return lines;
}

export function registerObserveCommand(program: Command, io: Io, setExit: SetExit): void {
  program
    .command("observe")
    .description(
      "print how a product on a Quanta server is doing: its SLOs, active incidents, latest profile and service levels",
    )
    .argument("<product>", "the data product's id, e.g. climate.weather-station-readings")
    .option("--port <port>", "only this output port")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--server <url>", "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)")
    .action(async (productId: string, opts: ObserveOptions) => {
      const { PlatformClient } = await import("@quanta/platform");
      const client = await PlatformClient.forConsole(opts.server ?? defaultServer());
      let observation: Observation;
      try {
        const [slos, incidents, profile, serviceLevels] = await Promise.all([
          client.slos(productId),
          client.incidents({ product: productId, state: "active", limit: 100 }),
          client.profile(productId, opts.port),
          client.serviceLevels(productId),
        ]);
        observation = { productId, slos, incidents: incidents.incidents, profile, serviceLevels };
      } catch (e) {
        throw fromServer(e);
      }
      if (
        opts.port !== undefined &&
        !observation.slos.objectives.some((s) => s.port === opts.port) &&
        !observation.profile.ports.some((p) => p.port === opts.port) &&
        !observation.incidents.some((i) => i.port === opts.port)
      )
        io.err(`nothing is known of a port "${opts.port}" of ${productId}`);
      if (opts.format === "json") {
        const port = opts.port;
        io.out(
          JSON.stringify(
            port === undefined
              ? observation
              : {
                  ...observation,
                  port,
                  slos: { ...observation.slos, objectives: observation.slos.objectives.filter((s) => s.port === port) },
                  incidents: observation.incidents.filter((i) => i.port === port),
                },
            null,
            2,
          ),
        );
      } else {
        for (const line of observationLines(observation, colors(io), opts.port)) io.out(line);
      }
      setExit(ExitCode.ok);
    });
}
