import type { PipelineRun } from "../api/types.js";

/** How a run ended for each output: `revenue v3` (current), `revenue v4 failed, v3 serves`. */
export function runOutcome(run: PipelineRun): string {
  if (run.outputs.length === 0) return run.status === "queued" || run.status === "running" ? "" : "no output";
  return run.outputs
    .map((o) => {
      if (o.version === null) return `${o.port}: nothing staged`;
      if (o.published) return `${o.port} v${o.version}`;
      return `${o.port} v${o.version} not published${o.previous !== null ? `, v${o.previous} serves` : ""}`;
    })
    .join(" · ");
}

/** The run's length: `1.2 s`, or empty while it has not ended. */
export function runDuration(run: PipelineRun): string {
  if (!run.startedAt || !run.finishedAt) return "";
  const ms = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

/** The failed checks of a run's outputs, as `port: check: reason`. */
export function failedChecks(run: PipelineRun): string[] {
  return run.outputs.flatMap((o) =>
    (o.tests?.checks ?? [])
      .filter((c) => c.status === "failed" || c.status === "error")
      .map((c) => `${o.port}: ${c.checkId}${c.reason ? `: ${c.reason}` : ""}`),
  );
}

/** Whether a run can still be cancelled: it is queued or running, and nobody asked yet. */
export function canCancel(run: PipelineRun): boolean {
  return (run.status === "queued" || run.status === "running") && !run.cancelledBy;
}

/** What the status alone does not say: `attempt 2`, `stopping (cancelled by rita)`. */
export function runNotes(run: PipelineRun): string[] {
  const notes: string[] = [];
  if (run.attempt > 1) notes.push(`attempt ${run.attempt}`);
  if ((run.status === "queued" || run.status === "running") && run.cancelledBy)
    notes.push(`stopping (cancelled by ${run.cancelledBy})`);
  if (run.params) notes.push(`backfill ${run.params.from} to ${run.params.to}`);
  return notes;
}
