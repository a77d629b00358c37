import type { Incident, IncidentDetail, PlatformClient } from "@quanta/platform";
import { type Command, Option } from "commander";
import { CommandError, ExitCode, fromServer } from "../exit-codes.js";
import { colors, type Io, type SetExit } from "../io.js";
import { defaultServer } from "./publish.js";

interface IncidentsOptions {
  product?: string;
  state?: "active" | "open" | "acknowledged" | "resolved";
  limit: string;
  format: "text" | "json";
  server?: string;
}

interface ResolveOptions {
  note?: string;
}

type Paint = ReturnType<typeof colors>;

function severityOf(severity: Incident["severity"], c: Paint): string {
  if (severity === "critical" || severity === "high") return c.red(severity);
  if (severity === "medium") return c.yellow(severity);
  return severity;
}

const minute = (iso: string | null) => (iso === null ? "–" : `${iso.slice(0, 16).replace("T", " ")}Z`);

/** One line of an incident: `#12 high open  schema-drift  climate.x/readings  title  (opened …)`. */
export function incidentLine(i: Incident, c: Paint): string {
  const where = i.port === null ? i.productId : `${i.productId}/${i.port}`;
  const when =
    i.state === "resolved"
      ? `resolved ${minute(i.resolvedAt)}${i.resolvedBy ? ` by ${i.resolvedBy}` : ""}`
      : `opened ${minute(i.detectedAt)}${i.occurrences > 1 ? `, seen ${i.occurrences} times` : ""}`;
  return `#${i.id}  ${severityOf(i.severity, c)}  ${i.state}  ${i.kind}  ${where}  ${i.title}  ${c.dim(`(${when})`)}`;
}

function detailLines(i: IncidentDetail, c: Paint): string[] {
  const lines = [
    `${c.bold(`incident #${i.id}`)}  ${severityOf(i.severity, c)}  ${i.state}`,
    i.title,
    "",
    `product   ${i.productId}${i.port === null ? "" : `, port ${i.port}`}`,
    `kind      ${i.kind} (${i.key})`,
    `started   ${i.startedAt}`,
    `detected  ${i.detectedAt}${i.ttdSeconds === null ? "" : c.dim(`  (${i.ttdSeconds} s to detect)`)}`,
    `notified  ${i.notifiedAt ?? "–"}${i.ttnSeconds === null ? "" : c.dim(`  (${i.ttnSeconds} s to notify)`)}`,
  ];
  if (i.acknowledgedAt) lines.push(`acknowledged ${i.acknowledgedAt}`);
  if (i.resolvedAt)
    lines.push(
      `resolved  ${i.resolvedAt}${i.resolvedBy ? ` by ${i.resolvedBy}` : ""}${i.ttrSeconds === null ? "" : c.dim(`  (${i.ttrSeconds} s to repair)`)}`,
    );
  lines.push(`seen      ${i.occurrences} time${i.occurrences === 1 ? "" : "s"}, last ${i.lastSeenAt}`);
  const detail = Object.entries(i.detail ?? {});
  if (detail.length > 0) {
    lines.push("", "detail");
    for (const [k, v] of detail) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  lines.push("", "timeline");
  for (const t of i.timeline)
    lines.push(`  ${t.at}  ${t.type}${t.actor ? ` by ${t.actor}` : ""}${t.text ? `: ${t.text}` : ""}`);
  return lines;
}

/**
 * A change to an incident as the console says no: 403 names the owner team's rule (and the
 * product, asked for when it can be), 404 the id. Other errors as every command ends on them.
 */
async function changing<T>(client: PlatformClient, id: string, verb: string, change: Promise<T>): Promise<T> {
  try {
    return await change;
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === "NotAllowedError") {
      const product = await client.incident(id).then(
        (i) => i.productId,
        () => undefined,
      );
      throw new CommandError(
        `you are not in the owner team of ${product ?? "the incident's product"}, nor governance or an admin: only they may ${verb} incident #${id} (${(e as Error).message})`,
        ExitCode.failed,
      );
    }
    if (name === "NotFoundError") throw new CommandError(`no incident #${id}: ${(e as Error).message}`);
    throw fromServer(e);
  }
}

export function registerIncidentsCommand(program: Command, io: Io, setExit: SetExit): void {
  const serverOption = "the Quanta server (default: $QUANTA_SERVER or http://localhost:8080)";
  // No default here: the list's own --format (parsed wherever it is given) must not be overridden.
  const formatOption = () => new Option("--format <format>", "output format").choices(["text", "json"]);
  const clientOf = async (cmd: Command) => {
    const { PlatformClient } = await import("@quanta/platform");
    const server = (cmd.optsWithGlobals() as { server?: string }).server;
    return PlatformClient.forConsole(server ?? defaultServer());
  };
  const formatOf = (cmd: Command) =>
    (cmd.opts() as { format?: string }).format ?? (cmd.optsWithGlobals() as { format?: string }).format ?? "text";
  /** Prints the incident a change answered with, and ends 0. */
  const changed = (incident: Incident, cmd: Command, what: string) => {
    if (formatOf(cmd) === "json") io.out(JSON.stringify(incident, null, 2));
    else io.out(`${what} ${incidentLine(incident, colors(io))}`);
    setExit(ExitCode.ok);
  };

  const incidents = program
    .command("incidents")
    .description("list the incidents on a Quanta server (newest first); show, acknowledge, comment on or resolve one")
    .option("--product <id>", "only this data product's")
    .addOption(
      new Option("--state <state>", "only incidents in this state (active: open or acknowledged)").choices([
        "active",
        "open",
        "acknowledged",
        "resolved",
      ]),
    )
    .option("--limit <n>", "how many (1-500)", "50")
    .addOption(formatOption().default("text"))
    .option("--server <url>", serverOption)
    .action(async (opts: IncidentsOptions, cmd: Command) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new CommandError(`--limit must be a whole number from 1 to 500 (got "${opts.limit}")`);
      const client = await clientOf(cmd);
      const list = await client
        .incidents({ product: opts.product, state: opts.state, limit })
        .catch((e: unknown) => Promise.reject(fromServer(e)));
      if (opts.format === "json") io.out(JSON.stringify(list, null, 2));
      else {
        const c = colors(io);
        for (const i of list.incidents) io.out(incidentLine(i, c));
        if (list.incidents.length === 0) io.err(`no ${opts.state ?? ""}${opts.state ? " " : ""}incidents`);
        else if (list.total > list.incidents.length)
          io.err(c.dim(`${list.incidents.length} of ${list.total}; ask --limit for more`));
      }
      setExit(ExitCode.ok);
    });

  incidents
    .command("show")
    .description("print an incident: what, where, when, and its timeline")
    .argument("<id>", "the incident's number")
    .addOption(formatOption())
    .option("--server <url>", serverOption)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const client = await clientOf(cmd);
      let incident: IncidentDetail;
      try {
        incident = await client.incident(id);
      } catch (e) {
        if ((e as Error)?.name === "NotFoundError")
          throw new CommandError(`no incident #${id}: ${(e as Error).message}`);
        throw fromServer(e);
      }
      if (formatOf(cmd) === "json") io.out(JSON.stringify(incident, null, 2));
      else for (const line of detailLines(incident, colors(io))) io.out(line);
      setExit(ExitCode.ok);
    });

  incidents
    .command("ack")
    .description("acknowledge an incident: your team is on it (owner team, governance or admin)")
    .argument("<id>", "the incident's number")
    .addOption(formatOption())
    .option("--server <url>", serverOption)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const client = await clientOf(cmd);
      changed(await changing(client, id, "acknowledge", client.acknowledgeIncident(id)), cmd, "acknowledged");
    });

  incidents
    .command("comment")
    .description("add a comment to an incident's timeline (owner team, governance or admin)")
    .argument("<id>", "the incident's number")
    .argument("<text>", "the comment")
    .addOption(formatOption())
    .option("--server <url>", serverOption)
    .action(async (id: string, text: string, _opts: unknown, cmd: Command) => {
      if (text.trim() === "") throw new CommandError("the comment is empty");
      const client = await clientOf(cmd);
      changed(await changing(client, id, "comment on", client.commentIncident(id, text)), cmd, "commented on");
    });

  incidents
    .command("resolve")
    .description("resolve an incident by hand, with a note (owner team, governance or admin)")
    .argument("<id>", "the incident's number")
    .option("--note <text>", "why it is resolved: the fix, or why it was no fault")
    .addOption(formatOption())
    .option("--server <url>", serverOption)
    .action(async (id: string, opts: ResolveOptions, cmd: Command) => {
      const client = await clientOf(cmd);
      changed(await changing(client, id, "resolve", client.resolveIncident(id, opts.note)), cmd, "resolved");
    });
}
