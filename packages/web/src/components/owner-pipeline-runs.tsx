import { useEffect, useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import type { PipelineLogLine, PipelineRun } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { formatWhen } from "../lib/format.js";
import { canCancel, failedChecks, runDuration, runNotes, runOutcome } from "../lib/pipeline-runs.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, Empty, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";

const runTone: Record<PipelineRun["status"], string> = {
  queued: "requested",
  running: "requested",
  succeeded: "passed",
  failed: "failed",
  cancelled: "skipped",
};

/**
 * The owner view's timeline of pipeline runs (ADR 0029): newest first, what each output became,
 * and for a failed run its reason and failed checks; a run opens to its steps. A queued or running
 * run can be cancelled (the owner team, admins).
 */
export function OwnerPipelineRuns({ productId }: { productId: string }) {
  const [version, setVersion] = useState(0);
  const runs = useApi((signal) => api.pipelineRuns(productId, signal), [productId, version], { keepData: true });
  const [open, setOpen] = useState<number | undefined>();
  return (
    <section aria-labelledby={`pipeline-${productId}`} className="owner-section">
      <h3 id={`pipeline-${productId}`}>Pipeline runs</h3>
      {runs.status === "loading" && <Loading label="Loading pipeline runs" />}
      {runs.status === "error" && (
        <ApiProblem error={runs.error} what="pipeline runs" api={`GET /api/products/${productId}/pipeline/runs`} />
      )}
      {runs.status === "ok" && runs.data.items.length === 0 && (
        <Empty title="No pipeline runs">
          A product with a <code>pipeline.yaml</code> runs it with <code>quanta pipeline run {productId}</code>.
        </Empty>
      )}
      {runs.status === "ok" && runs.data.items.length > 0 && (
        <TableWrap>
          <table className="stack-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
                <th scope="col">Outputs</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((r) => (
                <RunRow
                  key={r.id}
                  run={r}
                  productId={productId}
                  open={open === r.id}
                  onToggle={() => setOpen(open === r.id ? undefined : r.id)}
                  onChanged={() => setVersion((v) => v + 1)}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function RunRow({
  run,
  productId,
  open,
  onToggle,
  onChanged,
}: {
  run: PipelineRun;
  productId: string;
  open: boolean;
  onToggle: () => void;
  onChanged: () => void;
}) {
  const failed = failedChecks(run);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const cancel = () => {
    setBusy(true);
    setError(undefined);
    api.cancelPipelineRun(productId, run.id).then(
      () => {
        setBusy(false);
        onChanged();
      },
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e));
        onChanged();
      },
    );
  };
  return (
    <>
      <tr>
        <td>
          <button type="button" className="button" aria-expanded={open} onClick={onToggle}>
            #{run.id}
          </button>
        </td>
        <td>
          <StatusBadge status={runTone[run.status]} label={run.status} />
          {runNotes(run).map((note) => (
            <div key={note} className="muted small">
              {note}
            </div>
          ))}
          {canCancel(run) && (
            <button type="button" className="button" disabled={busy} onClick={cancel}>
              {busy ? "Cancelling…" : "Cancel"}
            </button>
          )}
          {error && (
            <div className="muted small" role="alert">
              {error.message}
            </div>
          )}
        </td>
        <td>{run.trigger}</td>
        <td>{run.startedAt ? formatWhen(run.startedAt) : "-"}</td>
        <td>{runDuration(run)}</td>
        <td>
          {runOutcome(run)}
          {run.reason && <div className="muted small">{run.reason}</div>}
          {failed.length > 0 && (
            <ul className="muted small">
              {failed.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          )}
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <RunSteps productId={productId} runId={run.id} />
            <RunLog productId={productId} runId={run.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function RunSteps({ productId, runId }: { productId: string; runId: number }) {
  const detail = useApi((signal) => api.pipelineRun(productId, runId, signal), [productId, runId]);
  if (detail.status === "loading") return <Loading label="Loading the run's steps" />;
  if (detail.status === "error")
    return (
      <ApiProblem error={detail.error} what="the run" api={`GET /api/products/${productId}/pipeline/runs/${runId}`} />
    );
  if (detail.data.steps.length === 0) return <p className="muted small">No step ran.</p>;
  return (
    <ol className="small">
      {detail.data.steps.map((s) => (
        <li key={`${s.port}-${s.position}`}>
          <strong>
            {s.port}/{s.name}
          </strong>{" "}
          <StatusBadge status={s.status} />
          {s.ms !== null && ` ${s.ms} ms`}
          {s.rowsOut !== null && ` · ${s.rowsOut} rows`}
          {s.error && <div className="muted">{s.error}</div>}
          {s.sql && <pre className="mono small">{s.sql}</pre>}
        </li>
      ))}
    </ol>
  );
}

/** How often an open run's log is asked for new lines while the run is queued or running. */
const followMs = 1_000;

/**
 * A run's log, followed live: the lines so far, then every second the ones after the last seen,
 * until the run has ended (as `quanta pipeline logs -f` does).
 */
function RunLog({ productId, runId }: { productId: string; runId: number }) {
  const [lines, setLines] = useState<PipelineLogLine[]>([]);
  const [live, setLive] = useState(true);
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    const abort = new AbortController();
    let after = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = async () => {
      try {
        const got = await api.pipelineLogs(productId, runId, after, abort.signal);
        if (abort.signal.aborted) return;
        if (got.lines.length > 0) {
          after = got.lines[got.lines.length - 1]?.id ?? after;
          setLines((seen) => [...seen, ...got.lines]);
        }
        const going = got.run.status === "queued" || got.run.status === "running";
        setLive(going);
        if (going) timer = setTimeout(next, followMs);
      } catch (e) {
        if (!abort.signal.aborted) setError(toApiError(e));
      }
    };
    void next();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [productId, runId]);
  if (error)
    return (
      <ApiProblem
        error={error}
        what="the run's log"
        api={`GET /api/products/${productId}/pipeline/runs/${runId}/logs`}
      />
    );
  return (
    <details className="run-log" open={live}>
      <summary className="small">
        Log ({lines.length} line{lines.length === 1 ? "" : "s"}){live ? ", following" : ""}
      </summary>
      <pre className="mono small" aria-live={live ? "polite" : "off"}>
        {lines.map((l) => `${l.at.slice(11, 19)} ${l.level.padEnd(7)} ${l.message}`).join("\n")}
      </pre>
    </details>
  );
}
