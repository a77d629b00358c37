import type { Migration } from "./migration.js";

/**
 * One lineage graph (issue 16, ADR 0033): edges between nodes named by `lineage/node-id.ts`
 * (products, ports, columns, jobs, external datasets), each saying where it came from (declared
 * input ports, pipeline runs, agreements, OpenLineage events from outside) and when it was last seen.
 * An edge is one row per origin, so each source refreshes only its own.
 */
export const lineageEdgesMigration: Migration = {
  id: 32,
  name: "lineage-edges",
  sql: /* sql */ `
CREATE TABLE lineage_edges (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_node text NOT NULL,
  to_node text NOT NULL,
  origin text NOT NULL CHECK (origin IN ('declared', 'pipeline', 'agreement', 'openlineage')),
  -- How the target derives from the source: OpenLineage transformations, a reading team, a job.
  details jsonb NOT NULL DEFAULT '{}',
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  UNIQUE (from_node, to_node, origin)
);
CREATE INDEX lineage_edges_to ON lineage_edges (to_node);
CREATE INDEX lineage_edges_from ON lineage_edges (from_node);
-- OpenLineage run events taken in from outside, as received (validated), for the export and replays.
CREATE TABLE lineage_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  received_by text NOT NULL,
  event_type text,
  job text NOT NULL,
  run_id text NOT NULL,
  event jsonb NOT NULL
);
`,
};
