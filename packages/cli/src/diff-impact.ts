import { readFile } from "node:fs/promises";
import type { Change, DiffReport, SourceDocument } from "@quanta/core";
import type { Impact, ImpactTarget } from "@quanta/platform";
import { colors, type Io } from "./io.js";

/** Options of `diff` and `breaking` that decide whether and where the impact is asked. */
export interface ImpactOptions {
  /** False with `--no-impact`. */
  impact?: boolean;
  server?: string;
}

type Doc = Record<string, unknown>;
const obj = (x: unknown): Doc | undefined => (x && typeof x === "object" && !Array.isArray(x) ? (x as Doc) : undefined);
const name = (x: unknown): string | undefined => {
  const n = obj(x)?.name;
  return typeof n === "string" ? n : undefined;
};
const at = (doc: unknown, key: string, index: unknown): unknown => {
  const list = obj(doc)?.[key];
  return Array.isArray(list) && typeof index === "number" ? list[index] : undefined;
};

/** The kinds of a property change that hurt the readers of that very column. */
const columnKinds = new Set<Change["kind"]>([
  "property-removed",
  "property-renamed",
  "logical-type-changed",
  "physical-type-changed",
  "physical-name-changed",
]);

/**
 * What each change touches downstream, as impact targets: a property's rename, removal or type
 * change its column (of the old document, as published); a removed or changed output port that
 * port; any other breaking change the contract (the port serving it) or the product. Changes that
 * break nothing have no target.
 */
export function impactTargets(report: DiffReport, before: SourceDocument, after: SourceDocument): ImpactTarget[] {
  const targets = new Map<string, ImpactTarget>();
  const add = (t: ImpactTarget) => targets.set(JSON.stringify(t), t);
  for (const change of report.changes) {
    const column = columnKinds.has(change.kind);
    if (!column && change.severity !== "major") continue;
    const [doc, path] = change.at.before ? [before.value, change.at.before] : [after.value, change.at.after ?? []];
    const id = obj(before.value)?.id ?? obj(after.value)?.id;
    if (typeof id !== "string") continue;
    if (report.standard === "odcs") {
      const object = path[0] === "schema" ? at(doc, "schema", path[1]) : undefined;
      const property = path[2] === "properties" ? at(object, "properties", path[3]) : undefined;
      const dataset = name(object);
      const prop = name(property);
      if (column && dataset && prop) add({ contract: id, dataset, column: prop });
      else add({ contract: id });
    } else {
      const port = path[0] === "outputPorts" ? name(at(doc, "outputPorts", path[1])) : undefined;
      add(port ? { product: id, port } : { product: id });
    }
  }
  return [...targets.values()];
}

/** The server to ask: `--server`, `$QUANTA_SERVER`, or the one `quanta login` stored (when one). */
export async function impactServer(
  options: ImpactOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<string | undefined> {
  const given = options.server ?? env.QUANTA_SERVER?.trim();
  if (given) return given;
  const { credentialsPath } = await import("@quanta/platform");
  try {
    const stored = JSON.parse(await readFile(credentialsPath(env), "utf8")) as { servers?: Record<string, unknown> };
    const servers = Object.keys(obj(stored.servers) ?? {});
    return servers.length === 1 ? servers[0] : undefined;
  } catch {
    return undefined;
  }
}

/** How long the impact may take: CI waits for the local verdict, not for a slow platform. */
const impactTimeoutMs = 15_000;

/**
 * The downstream impact of the changes, from the platform; undefined (with one dim line on
 * stderr saying why) when skipped, when nothing could be hurt, or when the platform cannot tell.
 * Never throws: the local diff decides the exit code.
 */
export async function diffImpact(
  io: Io,
  report: DiffReport,
  before: SourceDocument,
  after: SourceDocument,
  options: ImpactOptions,
): Promise<Impact | undefined> {
  if (options.impact === false) return undefined;
  const targets = impactTargets(report, before, after);
  if (targets.length === 0) return undefined;
  const dim = colors(io).dim;
  const server = await impactServer(options);
  if (!server) {
    io.err(dim("downstream impact unknown: no server (give --server, set QUANTA_SERVER, or quanta login)"));
    return undefined;
  }
  try {
    const { PlatformClient, tokenFor } = await import("@quanta/platform");
    const client = new PlatformClient(server, { token: await tokenFor(server), timeoutMs: impactTimeoutMs });
    return await client.impact(targets.slice(0, 200));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(dim(`downstream impact unknown: ${message}`));
    return undefined;
  }
}

const dotted = (...parts: string[]) => parts.join(".");

/** The section "Downstream impact": products with owner team and owners, ports, columns, teams. */
export function printImpact(io: Io, impact: Impact): void {
  const c = colors(io);
  const nothing =
    impact.products.length === 0 &&
    impact.columns.length === 0 &&
    impact.teams.length === 0 &&
    impact.external.length === 0 &&
    impact.ports.every((p) => p.depth === 0);
  io.out("");
  if (nothing) {
    io.out(c.bold("Downstream impact: nothing known downstream"));
    return;
  }
  io.out(c.bold("Downstream impact"));
  if (impact.products.length > 0) {
    io.out(`  products (${impact.products.length}):`);
    for (const p of impact.products)
      io.out(
        `    ${p.id}  ${c.dim(`${p.name}; team ${p.team ?? "(none)"}${p.owners.length > 0 ? `, owners ${p.owners.join(", ")}` : ""}; ${p.depth} hop(s)`)}`,
      );
  }
  if (impact.ports.length > 0) {
    io.out(`  ports (${impact.ports.length}):`);
    for (const p of impact.ports)
      io.out(`    ${dotted(p.product, p.port)}${p.depth === 0 ? c.dim("  (changed)") : ""}`);
  }
  if (impact.columns.length > 0) {
    io.out(`  columns (${impact.columns.length}):`);
    for (const col of impact.columns)
      io.out(
        `    ${dotted(col.product, col.port, col.dataset, col.column)}${col.transformations.length > 0 ? c.dim(`  ${col.transformations.join(", ")}`) : ""}`,
      );
  }
  if (impact.teams.length > 0) {
    io.out(`  teams (${impact.teams.length}):`);
    for (const t of impact.teams)
      io.out(`    ${t.team}${t.owners.length > 0 ? ` (${t.owners.join(", ")})` : ""}: ${c.dim(t.reasons.join("; "))}`);
  }
  if (impact.external.length > 0) io.out(`  outside Quanta: ${impact.external.join(", ")}`);
  if (impact.truncated) io.out(c.dim("  (truncated: more was reachable than one answer holds)"));
}
