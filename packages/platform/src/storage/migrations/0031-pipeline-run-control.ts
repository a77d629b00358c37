import type { Migration } from "./migration.js";

/**
 * Control over pipeline runs (ADR 0029): a run can be cancelled (a flag any replica sets and the
 * worker running it polls, then `cancelled` with who asked), is tried again after a transient
 * failure (each attempt on record), and may carry parameters (a backfill's date range).
 */
export const pipelineRunControlMigration: Migration = {
  id: 31,
  name: "pipeline-run-control",
  sql: /* sql */ `
ALTER TABLE pipeline_runs DROP CONSTRAINT pipeline_runs_status_check;
ALTER TABLE pipeline_runs ADD CONSTRAINT pipeline_runs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE pipeline_runs ADD COLUMN cancel_requested_at timestamptz;
ALTER TABLE pipeline_runs ADD COLUMN cancelled_by text;
-- The attempt running or last run (0: not started), and one entry per attempt that ended.
ALTER TABLE pipeline_runs ADD COLUMN attempt integer NOT NULL DEFAULT 0;
ALTER TABLE pipeline_runs ADD COLUMN attempts jsonb NOT NULL DEFAULT '[]';
-- What the run was asked to do beyond the pipeline itself (e.g. a backfill's from and to).
ALTER TABLE pipeline_runs ADD COLUMN params jsonb;
`,
};
