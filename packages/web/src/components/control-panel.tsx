import { useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import type { ControlAction, Lifecycle } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { formatWhen } from "../lib/format.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, ErrorState, Loading } from "./states.js";

export type MoveAction = Exclude<ControlAction, "configure">;

/** The four buttons, in the order an owner thinks of them, with what each does for consumers. */
const moves: Record<MoveAction, { label: string; effect: string; primary?: boolean; confirm?: string }> = {
  start: {
    label: "Start",
    effect: "serves reads and runs its scheduled contract tests (tested right away)",
    primary: true,
  },
  pause: { label: "Pause", effect: "refuses reads (423, with the reason) until resumed; tests stop" },
  resume: { label: "Resume", effect: "serves reads again and tests its contracts right away", primary: true },
  stop: {
    label: "Stop",
    effect: "refuses reads (409) and stops tests until started again",
    confirm: "Consumers' reads are refused until someone starts the product again.",
  },
};
const moveOrder = Object.keys(moves) as MoveAction[];

/**
 * Start, stop, pause and resume a product (the harness control interface). The allowed actions are
 * the platform's own answer (GET control, or the `allowed` of a refused transition), not guessed.
 */
export function ControlPanel({
  productId,
  canControl,
  onChanged,
}: {
  productId: string;
  canControl: boolean;
  /** After the platform made the move: its new state and the action that moved it. */
  onChanged?: (life: Lifecycle, action: MoveAction) => void;
}) {
  const [version, setVersion] = useState(0);
  const life = useApi((signal) => api.lifecycle(productId, signal), [productId, version]);
  const [busy, setBusy] = useState<MoveAction | undefined>();
  const [confirming, setConfirming] = useState<MoveAction | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  if (life.status === "loading") return <Loading label="Loading the lifecycle state" />;
  if (life.status === "error")
    return <ApiProblem error={life.error} what="the lifecycle state" api={`GET /api/products/${productId}/control`} />;
  const l = life.data;
  const run = (action: MoveAction) => {
    setBusy(action);
    setError(undefined);
    setConfirming(undefined);
    api.control(productId, action).then(
      (next) => {
        setBusy(undefined);
        setVersion((v) => v + 1);
        onChanged?.(next, action);
      },
      (e: unknown) => {
        setBusy(undefined);
        setError(toApiError(e));
        // Someone else may have moved it: show the state the platform has now.
        setVersion((v) => v + 1);
      },
    );
  };
  const hintId = `control-hint-${productId}`;
  const refusedAllowed = allowedOf(error);
  return (
    <div className="control-panel">
      <p className="control-state">
        <span>
          State <StatusBadge status={l.state} />
        </span>
        <span>{l.servesReads ? "serves reads" : <strong className="text-bad">does not serve reads</strong>}</span>
        <span>{l.runsTests ? "runs scheduled tests" : "no scheduled tests"}</span>
        {l.updatedAt && (
          <span className="muted small">
            changed {formatWhen(l.updatedAt)}
            {l.updatedBy ? ` by ${l.updatedBy}` : ""}
          </span>
        )}
      </p>
      <fieldset className="control-actions" aria-describedby={hintId}>
        <legend className="visually-hidden">Lifecycle actions</legend>
        {moveOrder.map((a) => {
          const allowed = l.allowedActions.includes(a);
          return (
            <button
              key={a}
              type="button"
              className={`button${allowed && canControl && moves[a].primary ? " primary" : ""}`}
              disabled={!allowed || !canControl || busy !== undefined}
              title={allowed ? `${moves[a].label}: the product ${moves[a].effect}` : `not allowed while ${l.state}`}
              onClick={() => (moves[a].confirm ? setConfirming(a) : run(a))}
            >
              {busy === a ? `${moves[a].label}…` : moves[a].label}
            </button>
          );
        })}
      </fieldset>
      <p id={hintId} className="muted small">
        {canControl
          ? `Allowed while ${l.state}: ${
              moveOrder
                .filter((a) => l.allowedActions.includes(a))
                .map((a) => `${moves[a].label.toLowerCase()} (${moves[a].effect})`)
                .join("; ") || "none"
            }.`
          : "Only the owner team's owners (and admins) start, stop, pause or resume a product."}
      </p>
      {confirming && (
        <div className="confirm">
          <p>
            <strong>
              {moves[confirming].label} {productId}?
            </strong>{" "}
            {moves[confirming].confirm}
          </p>
          <button type="button" className="button danger" onClick={() => run(confirming)}>
            Confirm {moves[confirming].label.toLowerCase()}
          </button>{" "}
          <button type="button" className="button" onClick={() => setConfirming(undefined)}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <ErrorState error={error} title="The platform refused the action">
          {refusedAllowed && <p className="small">Allowed now: {refusedAllowed.join(", ") || "nothing"}</p>}
        </ErrorState>
      )}
    </div>
  );
}

/** The `allowed` actions a 409 invalid-transition names. */
function allowedOf(error: ApiError | undefined): string[] | undefined {
  const d = error?.details;
  if (!d || typeof d !== "object" || !("allowed" in d)) return undefined;
  const allowed = (d as { allowed: unknown }).allowed;
  return Array.isArray(allowed) ? allowed.filter((x): x is string => typeof x === "string") : undefined;
}
