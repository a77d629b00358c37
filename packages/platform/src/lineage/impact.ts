import { InputError, NotFoundError } from "@quanta/core";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Queryable } from "../storage/database.js";
import { agreementEdges } from "./agreement-edges.js";
import type { Impact, ImpactTarget } from "./impact-schema.js";
import { backfillDeclaredLineage, LineageService, maxLineageDepth } from "./lineage-service.js";
import { type LineageEdge, LineageStore } from "./lineage-store.js";
import { nodeId, parseNodeId } from "./node-id.js";

export type { Impact, ImpactTarget } from "./impact-schema.js";

/** At most this many nodes reached; beyond, `truncated`. */
export const maxImpactNodes = 2_000;

/**
 * The target as a node of the graph: a product, one of its output ports (named, or the one
 * serving the contract), or a column of that port; checked against the registry, so a name the
 * registry does not hold is a NotFoundError naming it.
 */
async function targetNode(q: Queryable, t: ImpactTarget): Promise<string> {
  let product = t.product;
  let port = t.port;
  if (t.contract !== undefined) {
    const owner = await new ContractRepository(q).owner(t.contract);
    if (!owner) throw new NotFoundError(`no data product serves contract "${t.contract}"`);
    if (product !== undefined && product !== owner)
      throw new InputError(`contract ${t.contract} belongs to ${owner}, not ${product}`);
    product = owner;
    if (port === undefined) {
      const served = (await new ProductRepository(q).get(owner))?.ports.find(
        (p) => p.direction === "output" && p.contractId === t.contract,
      );
      if (!served) throw new NotFoundError(`no output port of ${owner} serves contract "${t.contract}"`);
      port = served.name;
    }
  }
  if (product === undefined) throw new InputError("a target names a product or a contract");
  if (t.column !== undefined && port === undefined)
    throw new InputError(`column ${t.column} of ${product}: name its port (or contract)`);
  const dotted = [product, port, t.dataset, t.column].filter((x) => x !== undefined).join(".");
  const node = await new LineageService(q).resolve(dotted);
  // Dotted names resolve to the longest product id: `{ product: a, port: b }` must not land on `a.b`.
  const found = parseNodeId(node);
  if (!found || !("product" in found) || found.product !== product)
    throw new NotFoundError(`data product ${product} has no output port "${port ?? ""}"`);
  return node;
}

const label = (t: unknown): string[] => {
  const x = t as { type?: unknown; subtype?: unknown; masking?: unknown } | null;
  if (!x || typeof x !== "object") return [];
  const out: string[] = [];
  if (typeof x.subtype === "string") out.push(x.subtype.toLowerCase());
  else if (typeof x.type === "string") out.push(x.type.toLowerCase());
  if (x.masking === true) out.push("masked");
  return out;
};

/** What was done to a column on an edge into it: `aggregation`, `identity`, `masked`, `indirect`… */
export function edgeTransformations(e: Pick<LineageEdge, "details">): string[] {
  const ts = Array.isArray(e.details.transformations) ? e.details.transformations.flatMap(label) : [];
  if (e.details.indirect === true) ts.push("indirect");
  return [...new Set(ts)];
}

/** The owners of each team: declared in its products' documents, or granted through the API. */
async function teamOwners(q: Queryable, teams: readonly string[]): Promise<Map<string, string[]>> {
  const owners = new Map<string, string[]>(teams.map((t) => [t, []]));
  if (teams.length === 0) return owners;
  const { rows } = await q.query<{ team: string; owner: string }>(
    `SELECT team_id AS team, username AS owner FROM team_members
       WHERE valid_to IS NULL AND role = 'owner' AND team_id = ANY($1::text[])
     UNION
     SELECT g.team_id, u.username FROM team_grants g JOIN users u ON u.id = g.user_id
       WHERE g.valid_to IS NULL AND g.role = 'owner' AND u.disabled_at IS NULL AND g.team_id = ANY($1::text[])
     ORDER BY 1, 2`,
    [teams],
  );
  for (const r of rows) owners.get(r.team)?.push(r.owner);
  return owners;
}

/**
 * Everything downstream of the targets that a change to them would hurt (issue 16): the products
 * and ports built from them, the columns derived from a target column (column edges only, so a
 * column's change reaches only what is computed from it), the teams owning those products or
 * holding agreements on those ports (the targets' own ports too), and the outside jobs and
 * datasets reached. Breadth-first to `depth` hops, one query a level. No authorization: the
 * caller decides who may ask (HTTP: signed in), so publish can call it to notify everyone hurt.
 */
export async function impactOf(q: Queryable, targets: ImpactTarget[], depth = maxLineageDepth): Promise<Impact> {
  if (!Number.isInteger(depth) || depth < 1 || depth > maxLineageDepth)
    throw new InputError(`depth is 1 to ${maxLineageDepth}, not ${depth}`);
  if (targets.length === 0) throw new InputError("give at least one target");
  const starts: string[] = [];
  for (const t of targets) starts.push(await targetNode(q, t));
  const store = new LineageStore(q);
  await backfillDeclaredLineage(q);

  const seen = new Map<string, number>(starts.map((s) => [s, 0]));
  const into = new Map<string, LineageEdge[]>();
  let truncated = false;
  let frontier = [...seen.keys()];
  for (let level = 1; level <= depth && frontier.length > 0 && !truncated; level++) {
    const room = maxImpactNodes * 4;
    const found = await store.next(frontier, "downstream", room + 1);
    if (found.length > room) {
      truncated = true;
      found.length = room;
    }
    const next: string[] = [];
    for (const e of found) {
      if (e.origin === "agreement") continue;
      const list = into.get(e.to) ?? [];
      list.push(e);
      into.set(e.to, list);
      if (seen.has(e.to)) continue;
      if (seen.size >= maxImpactNodes) {
        truncated = true;
        continue;
      }
      seen.set(e.to, level);
      next.push(e.to);
    }
    frontier = next;
  }

  // The nodes reached, by kind; a column also makes its port and product affected.
  const products = new Map<string, number>();
  const ports = new Map<string, { product: string; port: string; depth: number }>();
  const columns: Impact["columns"] = [];
  const external: string[] = [];
  const touch = <T extends { depth: number }>(m: Map<string, T>, key: string, value: T) => {
    const had = m.get(key);
    if (!had || had.depth > value.depth) m.set(key, value);
  };
  for (const [id, d] of seen) {
    const n = parseNodeId(id);
    if (!n || n.kind === "team") continue;
    if (n.kind === "job" || n.kind === "dataset") {
      external.push(id);
      continue;
    }
    if (n.kind === "column" && d > 0)
      columns.push({
        product: n.product,
        port: n.port,
        dataset: n.dataset,
        column: n.column,
        depth: d,
        transformations: [...new Set((into.get(id) ?? []).flatMap(edgeTransformations))],
      });
    if (n.kind === "port" || n.kind === "column")
      touch(ports, `${n.product}/${n.port}`, { product: n.product, port: n.port, depth: d });
    if (d > 0) {
      const had = products.get(n.product);
      if (had === undefined || had > d) products.set(n.product, d);
    }
  }
  // A target's product is the one changing, not one hurt.
  for (const s of starts) {
    const n = parseNodeId(s);
    if (n && "product" in n) products.delete(n.product);
  }

  const repo = new ProductRepository(q);
  const productRows: Impact["products"] = [];
  for (const [id, d] of [...products].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))) {
    const p = await repo.get(id);
    if (p) productRows.push({ id, name: p.name, team: p.team, owners: [], depth: d });
  }

  // Who reads the affected ports, under their agreements now.
  const portNodes = [...ports.values()].map((p) => nodeId({ kind: "port", ...p }));
  const reads = portNodes.length > 0 ? await agreementEdges(q, portNodes, "downstream", maxImpactNodes * 4) : [];
  const reasons = new Map<string, Set<string>>();
  const because = (team: string, why: string) => reasons.set(team, (reasons.get(team) ?? new Set()).add(why));
  for (const p of productRows) if (p.team) because(p.team, `owns ${p.id}`);
  for (const e of reads) {
    const from = parseNodeId(e.from);
    const to = parseNodeId(e.to);
    if (from?.kind === "port" && to?.kind === "team") because(to.team, `agreement on ${from.product}.${from.port}`);
  }
  const owners = await teamOwners(q, [...reasons.keys()]);
  for (const p of productRows) p.owners = p.team ? (owners.get(p.team) ?? []) : [];

  return {
    targets: starts,
    products: productRows,
    ports: [...ports.values()].sort(
      (a, b) => a.depth - b.depth || `${a.product}/${a.port}`.localeCompare(`${b.product}/${b.port}`),
    ),
    columns: columns.sort((a, b) => a.depth - b.depth),
    teams: [...reasons]
      .map(([team, why]) => ({ team, owners: owners.get(team) ?? [], reasons: [...why] }))
      .sort((a, b) => a.team.localeCompare(b.team)),
    external: external.sort(),
    truncated: truncated || reads.length >= maxImpactNodes * 4,
  };
}
