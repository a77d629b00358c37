import type { Migration } from "./migration.js";

/**
 * A test run whose worker died stayed `running` forever. Runs now name the job (and the worker
 * holding it) that started them, so a run whose job is no longer held by that worker can be marked
 * `abandoned`, with the reason.
 */
export const abandonedTestRunsMigration: Migration = {
  id: 22,
  name: "abandoned-test-runs",
  sql: /* sql */ `
ALTER TABLE test_runs DROP CONSTRAINT test_runs_status_check;
ALTER TABLE test_runs ADD CONSTRAINT test_runs_status_check
  CHECK (status IN ('running', 'passed', 'warning', 'failed', 'error', 'abandoned'));
ALTER TABLE test_runs ADD COLUMN job_id bigint, ADD COLUMN job_worker text, ADD COLUMN reason text;
CREATE INDEX test_runs_running_jobs ON test_runs (job_id) WHERE status = 'running';
`,
};
