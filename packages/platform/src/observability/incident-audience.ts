import type { Queryable } from "../storage/database.js";

/**
 * How many lineage edges downstream an incident's news travels: a product reading another is two
 * edges (port → product → port), a pipeline's run edges as many, so this reaches ten products deep.
 */
export const audienceDepth = 20;

/**
 * Who hears of an incident: the product's owner team, every consumer team with a live agreement
 * on the port (on any port when the incident has none), and the owner teams of products downstream
 * in lineage, transitively (product, port and job nodes walked, column edges skipped: they add no
 * product). An incident on a port travels down that port's edges only; one on the product, down all.
 */
export async function incidentAudience(q: Queryable, productId: string, port: string | null): Promise<string[]> {
  const { rows } = await q.query<{ team: string | null }>(
    `WITH RECURSIVE down(node, depth) AS (
       SELECT n, 0 FROM unnest($3::text[]) AS n
       UNION
       SELECT e.to_node, d.depth + 1 FROM lineage_edges e JOIN down d ON e.from_node = d.node
       WHERE d.depth < $4 AND e.to_node !~ '^(column|team|dataset):'
     )
     SELECT team_id AS team FROM data_products WHERE id = $1
     UNION
     SELECT consumer_team FROM agreements
       WHERE product_id = $1 AND state IN ('active', 'terminating') AND ($2::text IS NULL OR port = $2)
     UNION
     SELECT p.team_id FROM down d
       JOIN data_products p ON p.id = split_part(substr(d.node, strpos(d.node, ':') + 1), '/', 1)
       WHERE d.node ~ '^(product|port):' AND d.depth > 0`,
    [productId, port, port === null ? [`product:${productId}`] : [`port:${productId}/${port}`], audienceDepth],
  );
  return [...new Set(rows.map((r) => r.team).filter((t): t is string => typeof t === "string"))].sort();
}
