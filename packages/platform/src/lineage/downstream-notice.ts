import { major } from "../access/breaking-change-notice.js";
import { publishEvent } from "../events/publish-event.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { type ImpactTarget, impactOf } from "./impact.js";
import { maxImpactTargets } from "./impact-schema.js";

/** A contract document's columns: `dataset.column` → its type, as far as the document says. */
function columnTypes(document: unknown): Map<string, string> {
  const types = new Map<string, string>();
  for (const o of arr(obj(document)?.schema)) {
    const dataset = str(obj(o)?.name);
    if (!dataset) continue;
    for (const p of arr(obj(o)?.properties)) {
      const name = str(obj(p)?.name);
      if (name) types.set(`${dataset}.${name}`, `${str(obj(p)?.logicalType) ?? ""}/${str(obj(p)?.physicalType) ?? ""}`);
    }
  }
  return types;
}

/**
 * What a new major version of a contract breaks, as impact targets: each column of the old
 * version it removes, renames or retypes; when no column changed (a key, a server, a quality rule),
 * the port as a whole.
 */
export function breakingTargets(product: string, contract: string, before: unknown, after: unknown): ImpactTarget[] {
  const old = columnTypes(before);
  const now = columnTypes(after);
  const columns: ImpactTarget[] = [];
  for (const [key, type] of old) {
    if (now.get(key) === type) continue;
    const dot = key.indexOf(".");
    columns.push({ product, contract, dataset: key.slice(0, dot), column: key.slice(dot + 1) });
  }
  return columns.length > 0 ? columns : [{ product, contract }];
}

export interface DownstreamNotice {
  contractId: string;
  payload: Record<string, unknown> & { teams: string[] };
}

export interface DownstreamPlan {
  notices: DownstreamNotice[];
  /** Contracts of output ports the new version no longer has: their readers' edges are redrawn. */
  removedContracts: string[];
}

/** Everything the targets reach, as one notice; an impact that cannot be walked says so, never throws. */
async function noticeOf(
  q: Queryable,
  targets: ImpactTarget[],
  ownTeam: string | null,
  base: Record<string, unknown> & { productId: string; contractId: string },
): Promise<DownstreamNotice> {
  const whole = [{ product: base.productId, contract: base.contractId }];
  const impact = await impactOf(q, targets.length > maxImpactTargets ? whole : targets)
    .catch(() => impactOf(q, whole))
    .catch(() => undefined);
  return {
    contractId: base.contractId,
    payload: {
      ...base,
      products: (impact?.products ?? []).filter((p) => p.id !== base.productId).map((p) => p.id),
      ports: (impact?.ports ?? []).map((p) => `${p.product}.${p.port}`),
      columns: (impact?.columns ?? []).map((x) => `${x.product}.${x.port}.${x.dataset}.${x.column}`),
      teams: (impact?.teams ?? []).map((t) => t.team).filter((t) => t !== ownTeam),
      // Not walked (the port is gone from the registry meanwhile, say): incomplete, as `truncated` says.
      truncated: impact?.truncated ?? true,
    },
  };
}

/**
 * Before a publish stores its new version (inside its transaction, while the old one is current):
 * everyone downstream it may hurt, through the lineage graph and not only the agreements (issue
 * 16). A new major version of a contract hurts from each column it removes, renames or retypes;
 * an output port the new version drops hurts from the port. The publisher's own team is left out.
 */
export async function planDownstreamNotices(
  q: Queryable,
  productId: string,
  ownTeam: string | null,
  contracts: readonly { id: string; version: string; document: unknown }[],
  outputPorts: readonly string[],
): Promise<DownstreamPlan> {
  const notices: DownstreamNotice[] = [];
  const repository = new ContractRepository(q);
  for (const c of contracts) {
    const previous = await repository.current(c.id);
    if (!previous) continue;
    const [was, now] = [major(previous.version), major(c.version)];
    if (was === undefined || now === undefined || now <= was) continue;
    const targets = breakingTargets(productId, c.id, previous.document, c.document);
    notices.push(
      await noticeOf(q, targets, ownTeam, {
        productId,
        contractId: c.id,
        version: c.version,
        previousVersion: previous.version,
      }),
    );
  }
  const kept = new Set(outputPorts);
  const removed = ((await new ProductRepository(q).get(productId))?.ports ?? []).filter(
    (p) => p.direction === "output" && p.contractId && !kept.has(p.name),
  );
  for (const p of removed) {
    const contractId = p.contractId as string;
    notices.push(
      await noticeOf(q, [{ product: productId, port: p.name }], ownTeam, {
        productId,
        contractId,
        removedPort: p.name,
      }),
    );
  }
  return { notices, removedContracts: removed.map((p) => p.contractId as string) };
}

/**
 * After the publish stored them: one `contract.breaking-change.downstream` event per contract with
 * the whole impact, and the webhooks of every team hurt (but those whose agreements on that
 * contract's port had their own notice, `toldAlready`). Returns the teams told.
 */
export async function sendDownstreamNotices(
  q: Queryable,
  notices: readonly DownstreamNotice[],
  actor: string | undefined,
  toldAlready: readonly string[] = [],
): Promise<string[]> {
  const told = new Set<string>();
  if (notices.length === 0) return [];
  const { rows } = await q.query<{ team: string; contract: string }>(
    "SELECT DISTINCT consumer_team AS team, contract_id AS contract FROM agreements WHERE id = ANY($1::text[])",
    [toldAlready],
  );
  for (const n of notices) {
    const agreed = new Set(rows.filter((r) => r.contract === n.contractId).map((r) => r.team));
    const hooked = n.payload.teams.filter((t) => !agreed.has(t));
    // Addressed to the teams not told yet: those with an agreement on the contract had their own notice.
    await publishEvent(
      q,
      { type: "contract.breaking-change.downstream", subject: n.contractId, actor, payload: n.payload },
      { teams: hooked },
    );
    for (const t of hooked) told.add(t);
  }
  return [...told];
}
