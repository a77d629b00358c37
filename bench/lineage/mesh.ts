// A generated lineage mesh for the query benchmark (issue 16): 10,000 products in 8 layers of
// 1,250, each with 1–3 output ports of 6–14 columns, reading 1–4 ports of the layer before (one
// input in four from two layers before), popular products more often (a product's chance falls
// with its index, as source-aligned products feed most of a real mesh). The declared edges (input
// port → product → its output ports) and the column edges (each column of a layer ≥ 1 from 2–11
// columns of the ports its product reads, 1,000,000 in all) go straight into `lineage_edges` with
// one INSERT … SELECT each: the declared edges first (the publishes), then the column edges product
// by product (the runs), then the declared edges once more (the next publishes). Deterministic: `mix` is a multiplicative hash, so product `l3-p0042` is
// always the same.
import type { Queryable } from "../../packages/platform/src/storage/database.js";

/** Bumped when the mesh changes, so a stored PGlite copy of an older one is not reused. */
export const meshVersion = 4;
export const layers = 8;
export const perLayer = 1250;
export const columnEdges = 1_000_000;

/** A well-spread hash of a non-negative integer expression, in SQL (bigint arithmetic). */
const mix = (x: string) => `(((${x})::bigint * 2654435761 + 40503) % 4294967291)`;

const productId = (l: string, i: string) => `'l' || ${l} || '-p' || lpad(${i}::text, 4, '0')`;

/** Writes the mesh into an empty store (migrated, no lineage yet); returns the edge counts. */
export async function generateMesh(
  q: Queryable,
  options: { autovacuum: boolean },
): Promise<{ products: number; declared: number; columns: number }> {
  await q.exec(`
CREATE TEMP TABLE mesh_products AS
  SELECT l, i, l * ${perLayer} + i AS n, ${productId("l", "i")} AS id,
         1 + ${mix(`l * ${perLayer} + i`)} % 3 AS ports,
         CASE WHEN l = 0 THEN 0 ELSE 1 + ${mix(`l * ${perLayer} + i + 17`)} % 4 END AS inputs
  FROM generate_series(0, ${layers - 1}) AS l, generate_series(0, ${perLayer - 1}) AS i;
CREATE TEMP TABLE mesh_ports AS
  SELECT p.n, p.l, p.id AS product, j, 'out' || j AS port, 6 + ${mix("p.n * 3 + j")} % 9 AS cols
  FROM mesh_products p, generate_series(0, 2) AS j WHERE j < p.ports;
CREATE TEMP TABLE mesh_inputs AS
  SELECT n, row_number() OVER (PARTITION BY n ORDER BY u_product, u_port) - 1 AS r, u_product, u_port, u_cols
  FROM (
    SELECT DISTINCT p.n, u.product AS u_product, u.port AS u_port, u.cols AS u_cols
    FROM mesh_products p
    CROSS JOIN generate_series(0, 3) AS r
    JOIN mesh_products up
      ON up.l = CASE WHEN p.l >= 2 AND ${mix("p.n * 11 + r")} % 4 = 0 THEN p.l - 2 ELSE p.l - 1 END
     AND up.i = floor(${perLayer} * power(${mix("p.n * 5 + r")} / 4294967291.0, 2))::int
    JOIN mesh_ports u ON u.n = up.n AND u.j = ${mix("p.n * 7 + r")} % up.ports
    WHERE r < p.inputs
  ) AS x;
CREATE TEMP TABLE mesh_input_counts AS SELECT n, count(*) AS inputs FROM mesh_inputs GROUP BY n;
`);
  await q.query(
    `INSERT INTO data_products (id, name, version, status, summary)
     SELECT id, 'Layer ' || l || ' product ' || i, '1.0.0', 'active', 'generated for the lineage benchmark'
     FROM mesh_products ORDER BY n`,
  );
  // Declared: each input port into its reader, and each product into its output ports.
  const declared = await q.query(
    `INSERT INTO lineage_edges (from_node, to_node, origin, details)
     SELECT from_node, to_node, 'declared', details FROM (
       SELECT i.n, 0 AS k, 'port:' || i.u_product || '/' || i.u_port AS from_node, 'product:' || p.id AS to_node,
              jsonb_build_object('inputPort', 'in' || i.r, 'contractId', i.u_product || '.' || i.u_port, 'version', '1.0.0') AS details
       FROM mesh_inputs i JOIN mesh_products p USING (n)
       UNION ALL
       SELECT o.n, 1, 'product:' || o.product, 'port:' || o.product || '/' || o.port,
              jsonb_build_object('contractId', o.product || '.' || o.port)
       FROM mesh_ports o
     ) AS d ORDER BY n, k, to_node`,
  );
  // Columns: each column of a reading product's port from 2–11 columns of its inputs (duplicates
  // dropped), of which a hashed 1,000,000 are kept.
  const columns = await q.query(
    `INSERT INTO lineage_edges (from_node, to_node, origin, details)
     SELECT from_node, to_node, 'pipeline',
            jsonb_build_object('job', 'quanta/' || product || '.pipeline', 'run', 1,
              'transformations', jsonb_build_array(jsonb_build_object('type', 'DIRECT', 'subtype', 'TRANSFORMATION')))
     FROM (SELECT * FROM (
       SELECT DISTINCT ON (from_node, to_node) o.n, o.product, c,
              'column:' || i.u_product || '/' || i.u_port || '/' || i.u_port || '.c' || (${mix("o.n * 131 + o.j * 37 + c * 7 + k")} % i.u_cols) AS from_node,
              'column:' || o.product || '/' || o.port || '/' || o.port || '.c' || c AS to_node
       FROM mesh_ports o
       JOIN mesh_input_counts ic ON ic.n = o.n
       CROSS JOIN generate_series(0, 14) AS c
       CROSS JOIN generate_series(0, 10) AS k
       JOIN mesh_inputs i ON i.n = o.n AND i.r = ${mix("o.n * 13 + o.j * 3 + c + k * 101")} % ic.inputs
       WHERE c < o.cols AND k <= 1 + ${mix("o.n * 17 + o.j * 5 + c")} % 10
       ORDER BY from_node, to_node
     ) AS e
     ORDER BY hashtext(from_node || ' ' || to_node), from_node, to_node
     LIMIT ${columnEdges}) AS kept
     ORDER BY n, to_node, from_node`,
  );
  // Then every product's next version: its declared edges seen again (the publish's upsert), so
  // their rows now lie after the column edges, as in a mesh that has been running for a while.
  // On PostgreSQL vacuumed and analyzed as autovacuum would; PGlite has no autovacuum.
  await q.query(`UPDATE lineage_edges SET last_seen = now() + interval '1 day' WHERE origin = 'declared'`);
  await q.exec("DROP TABLE mesh_products, mesh_ports, mesh_inputs, mesh_input_counts");
  if (options.autovacuum) {
    await q.query("VACUUM ANALYZE lineage_edges");
    await q.query("ANALYZE data_products");
  }
  return { products: layers * perLayer, declared: declared.rowCount, columns: columns.rowCount };
}
