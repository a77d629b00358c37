import { useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import type { Agreement } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { formatWhen } from "../lib/format.js";
import { groupAgreements, noticeEndIfTerminated } from "../lib/owner-facts.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, Empty, ErrorState, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";

/**
 * A product's access as its owner team manages it: requests to decide (with a reason the consumer
 * sees), the agreements consumers read under (terminable with the notice period shown), and the past.
 */
export function OwnerAgreements({
  productId,
  version,
  onChanged,
}: {
  productId: string;
  /** Bumped by the page after each decision (`onChanged`): the list is read again. */
  version: number;
  onChanged: () => void;
}) {
  const list = useApi((signal) => api.agreements(productId, signal), [productId, version]);
  const changed = onChanged;
  if (list.status === "loading") return <Loading label="Loading requests and agreements" />;
  if (list.status === "error")
    return <ApiProblem error={list.error} what="the requests and agreements" api="GET /api/agreements" />;
  const groups = groupAgreements(list.data.items.filter((a) => a.productId === productId));
  return (
    <>
      <section aria-labelledby={`pending-${productId}`} className="owner-section">
        <h3 id={`pending-${productId}`}>
          Pending access requests{" "}
          {groups.pending.length > 0 && <span className="count-badge">{groups.pending.length}</span>}
        </h3>
        {groups.pending.length === 0 ? (
          <p className="muted">No requests waiting for a decision.</p>
        ) : (
          <ul className="plain request-list">
            {groups.pending.map((a) => (
              <PendingRequest key={a.id} a={a} onDecided={changed} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby={`agreements-${productId}`} className="owner-section">
        <h3 id={`agreements-${productId}`}>Active and terminating agreements</h3>
        {groups.current.length === 0 ? (
          <Empty title="No consumer reads this product under an agreement">
            Approved requests show here, with the contract version each consumer reads.
          </Empty>
        ) : (
          <CurrentAgreements items={groups.current} onChanged={changed} />
        )}
        {groups.past.length > 0 && (
          <details className="past-agreements">
            <summary>Rejected and ended ({groups.past.length})</summary>
            <ul className="plain small">
              {groups.past.map((a) => (
                <li key={a.id}>
                  <StatusBadge status={a.state} /> <strong>{a.consumerTeam}</strong> on{" "}
                  <span className="mono">{a.port}</span> · {a.purpose}
                  {a.decisionReason && <span className="muted"> · “{a.decisionReason}”</span>}
                  <span className="muted"> · {formatWhen(a.decidedAt ?? a.requestedAt)}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
      </section>
    </>
  );
}

function PendingRequest({ a, onDecided }: { a: Agreement; onDecided: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState<"approve" | "reject" | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const decide = (d: "approve" | "reject") => {
    setBusy(d);
    setError(undefined);
    api.decide(a.id, d, reason.trim() || undefined).then(
      () => {
        setBusy(undefined);
        onDecided();
      },
      (e: unknown) => {
        setBusy(undefined);
        setError(toApiError(e));
      },
    );
  };
  const reasonId = `reason-${a.id}`;
  return (
    <li className="request-card" aria-label={`Request from ${a.consumerTeam} for port ${a.port}`}>
      <p className="request-who">
        <strong>{a.consumerTeam}</strong> asks to read port <span className="mono">{a.port}</span>
      </p>
      <p className="request-purpose">“{a.purpose}”</p>
      <p className="muted small">
        {a.requestedBy} · {formatWhen(a.requestedAt)}
        {a.contractVersion && ` · contract ${a.contractVersion}`} · {a.noticeDays} days' notice
        {(a.grantedColumns ?? []).length > 0 && ` · unmasked: ${(a.grantedColumns ?? []).join(", ")}`}
      </p>
      <label htmlFor={reasonId} className="small">
        Reason (optional; the consumer sees it)
      </label>
      <div className="decide-row">
        <input
          id={reasonId}
          type="text"
          value={reason}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. approved for attribution"
        />
        <button
          type="button"
          className="button primary"
          disabled={busy !== undefined}
          onClick={() => decide("approve")}
        >
          {busy === "approve" ? "Approving…" : "Approve"}
        </button>
        <button type="button" className="button" disabled={busy !== undefined} onClick={() => decide("reject")}>
          {busy === "reject" ? "Rejecting…" : "Reject"}
        </button>
      </div>
      {error && <ErrorState error={error} title="Not decided" />}
    </li>
  );
}

function CurrentAgreements({ items, onChanged }: { items: Agreement[]; onChanged: () => void }) {
  return (
    <TableWrap>
      <table className="agreements-table stack-table">
        <thead>
          <tr>
            <th scope="col">Consumer team</th>
            <th scope="col">Port</th>
            <th scope="col">Contract version</th>
            <th scope="col">Purpose</th>
            <th scope="col">Since</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <th scope="row" data-label="Consumer team">
                {a.consumerTeam}
              </th>
              <td data-label="Port" className="mono">
                {a.port}
              </td>
              <td data-label="Contract version">
                <span className="mono">{a.contractVersion ?? "—"}</span>
                {a.pendingVersion && (
                  <div className="small text-warn">
                    {a.pendingVersion} not accepted yet; served from {formatWhen(a.pendingUntil, true)}
                  </div>
                )}
              </td>
              <td data-label="Purpose">{a.purpose}</td>
              <td data-label="Since" className="small">
                {formatWhen(a.decidedAt ?? a.requestedAt, true)}
                {a.decidedBy && <div className="muted">by {a.decidedBy}</div>}
              </td>
              <td data-label="State">
                <StatusBadge status={a.state} />
                {a.state === "terminating" ? (
                  <div className="small">
                    readable until {formatWhen(a.noticeEndsAt, true)}
                    {a.terminatedBy && <div className="muted">ended by {a.terminatedBy}</div>}
                  </div>
                ) : (
                  <Terminate a={a} onDone={onChanged} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** Ending an agreement takes two steps: the notice period it starts is shown before it is final. */
function Terminate({ a, onDone }: { a: Agreement; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  if (!open) {
    return (
      <div>
        <button
          type="button"
          className="button small-button"
          onClick={() => setOpen(true)}
          aria-label={`Terminate ${a.consumerTeam}'s agreement for port ${a.port} (${a.noticeDays} days' notice)`}
        >
          Terminate…
        </button>
        <div className="muted small">{a.noticeDays} days' notice</div>
      </div>
    );
  }
  const submit = () => {
    setBusy(true);
    setError(undefined);
    api.terminate(a.id, reason.trim() || undefined).then(
      () => {
        setBusy(false);
        setOpen(false);
        onDone();
      },
      (e: unknown) => {
        setBusy(false);
        setError(toApiError(e));
      },
    );
  };
  const reasonId = `terminate-${a.id}`;
  return (
    <div className="confirm">
      <p className="small">
        {a.consumerTeam} keeps reading for the notice period of {a.noticeDays} days, until about{" "}
        {formatWhen(noticeEndIfTerminated(a, new Date()), true)}.
      </p>
      <label htmlFor={reasonId} className="small">
        Reason (the consumer sees it)
      </label>
      <input id={reasonId} type="text" value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
      <div className="decide">
        <button type="button" className="button danger" disabled={busy} onClick={submit}>
          {busy ? "Terminating…" : "Confirm termination"}
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {error && <ErrorState error={error} title="Not terminated" />}
    </div>
  );
}
