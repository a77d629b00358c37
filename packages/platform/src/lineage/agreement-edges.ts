import type { Queryable } from "../storage/database.js";
import type { LineageEdge } from "./lineage-store.js";
import { nodeId, parseNodeId } from "./node-id.js";

/** The agreements that read a port now: active, or terminating within their notice. */
const reading = ["active", "terminating"];

interface AgreementRow {
  id: string;
  product_id: string;
  port: string;
  consumer_team: string;
  purpose: string;
  state: string;
  contract_version: string | null;
  first_seen: Date | string;
  last_seen: Date | string;
}

const select = `SELECT id, product_id, port, consumer_team, purpose, state, contract_version,
  COALESCE(decided_at, requested_at) AS first_seen, updated_at AS last_seen FROM agreements`;

/**
 * The graph's agreement edges (ADR 0033), `port:<product>/<port>` → `team:<consumer>`: who reads
 * what. Read from the agreements themselves when the graph is walked, never copied, so a
 * terminated agreement leaves the graph the moment it ends. Downstream of ports, or upstream of
 * teams; other nodes have none.
 */
export async function agreementEdges(
  q: Queryable,
  nodes: readonly string[],
  direction: "upstream" | "downstream",
  limit: number,
): Promise<LineageEdge[]> {
  const parsed = nodes.map(parseNodeId);
  let rows: AgreementRow[];
  if (direction === "downstream") {
    const ports = parsed.flatMap((n) => (n?.kind === "port" ? [n] : []));
    if (ports.length === 0) return [];
    ({ rows } = await q.query<AgreementRow>(
      `${select} WHERE state = ANY($1::text[])
         AND (product_id, port) IN (SELECT * FROM unnest($2::text[], $3::text[]))
       ORDER BY product_id, port, consumer_team LIMIT $4`,
      [reading, ports.map((p) => p.product), ports.map((p) => p.port), limit],
    ));
  } else {
    const teams = parsed.flatMap((n) => (n?.kind === "team" ? [n.team] : []));
    if (teams.length === 0) return [];
    ({ rows } = await q.query<AgreementRow>(
      `${select} WHERE state = ANY($1::text[]) AND consumer_team = ANY($2::text[])
       ORDER BY consumer_team, product_id, port LIMIT $3`,
      [reading, teams, limit],
    ));
  }
  return rows.map((r) => ({
    from: nodeId({ kind: "port", product: r.product_id, port: r.port }),
    to: nodeId({ kind: "team", team: r.consumer_team }),
    origin: "agreement",
    details: {
      agreement: r.id,
      purpose: r.purpose,
      state: r.state,
      ...(r.contract_version ? { contractVersion: r.contract_version } : {}),
    },
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
  }));
}
