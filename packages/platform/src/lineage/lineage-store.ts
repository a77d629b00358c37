import type { Queryable } from "../storage/database.js";

export type LineageOrigin = "declared" | "pipeline" | "agreement" | "openlineage";

/** An edge of the lineage graph: `to` derives from (or reads) `from`. */
export interface LineageEdge {
  from: string;
  to: string;
  origin: LineageOrigin;
  details: Record<string, unknown>;
  firstSeen: string;
  lastSeen: string;
}

const columns = `from_node AS "from", to_node AS "to", origin, details, first_seen AS "firstSeen", last_seen AS "lastSeen"`;

/** The edges' two ends as two arrays, for `unnest`: the ones a replace keeps. */
const kept = (edges: readonly { from: string; to: string }[]) => [edges.map((e) => e.from), edges.map((e) => e.to)];

/** The lineage graph's edges (migration 32): written per origin, walked by node. */
export class LineageStore {
  constructor(private readonly q: Queryable) {}

  /** Adds the edges, or marks them seen again (their details replaced). One statement. */
  async upsert(edges: readonly Omit<LineageEdge, "firstSeen" | "lastSeen">[]): Promise<void> {
    if (edges.length === 0) return;
    await this.q.query(
      `INSERT INTO lineage_edges (from_node, to_node, origin, details)
       SELECT e."from", e."to", e.origin, COALESCE(e.details, '{}'::jsonb)
       FROM jsonb_to_recordset($1::jsonb) AS e("from" text, "to" text, origin text, details jsonb)
       ON CONFLICT (from_node, to_node, origin)
       DO UPDATE SET details = EXCLUDED.details, last_seen = now()`,
      [JSON.stringify(edges)],
    );
  }

  /**
   * Makes `origin`'s edges into the nodes `to` exactly `edges`: the ones no longer there go (a
   * product's new version dropped an input port), the others are upserted.
   */
  async replaceInto(
    origin: LineageOrigin,
    to: readonly string[],
    edges: readonly Omit<LineageEdge, "firstSeen" | "lastSeen">[],
  ): Promise<void> {
    await this.q.query(
      `DELETE FROM lineage_edges WHERE origin = $1 AND to_node = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS k(f, t) WHERE k.f = from_node AND k.t = to_node)`,
      [origin, to, ...kept(edges)],
    );
    await this.upsert(edges);
  }

  /**
   * Like `replaceInto`, for every node whose name starts with `prefix` (`column:<product>/<port>/`):
   * a column an output no longer has loses its edges too.
   */
  async replaceUnder(
    origin: LineageOrigin,
    prefix: string,
    edges: readonly Omit<LineageEdge, "firstSeen" | "lastSeen">[],
  ): Promise<void> {
    await this.q.query(
      `DELETE FROM lineage_edges WHERE origin = $1 AND to_node LIKE $2
         AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS k(f, t) WHERE k.f = from_node AND k.t = to_node)`,
      [origin, `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, ...kept(edges)],
    );
    await this.upsert(edges);
  }

  /**
   * Edges into (`upstream`) or out of (`downstream`) the nodes, the first `limit` stored. The
   * matches are looked up by node first (MATERIALIZED): without statistics (PGlite never
   * analyzes) the planner walked the primary key in id order for `ORDER BY id LIMIT`, filtering
   * a million edges, ≈1 s a level instead of ≈1 ms (bench/lineage/query.bench.ts).
   */
  async next(nodes: readonly string[], direction: "upstream" | "downstream", limit: number): Promise<LineageEdge[]> {
    if (nodes.length === 0) return [];
    const { rows } = await this.q.query<LineageEdge>(
      `WITH found AS MATERIALIZED (
         SELECT id, ${columns} FROM lineage_edges WHERE ${direction === "upstream" ? "to_node" : "from_node"} = ANY($1::text[])
       )
       SELECT "from", "to", origin, details, "firstSeen", "lastSeen" FROM found ORDER BY id LIMIT $2`,
      [nodes, limit],
    );
    return rows;
  }
}
