import { useId, useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import { cachedProduct } from "../api/product-cache.js";
import type { Incident, IncidentDetail } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { useMe } from "../api/use-me.js";
import { formatWhen } from "../lib/format.js";
import { canHandleIncidents, eventLabel, formatDuration, incidentAgeSeconds, kindLabel } from "../lib/incidents.js";
import { Link } from "../router.js";
import { IncidentStateBadge, SeverityBadge } from "./incident-list.js";
import { ErrorState } from "./states.js";

/**
 * One incident: what, where and how long, its time to detect, notify and repair, the timeline of
 * what happened to it, and, for its owner team (and governance, admins), acknowledge, comment and
 * resolve. `onChanged` gets the incident as the platform answers after an action.
 */
export function IncidentView({ incident: i, onChanged }: { incident: IncidentDetail; onChanged: () => void }) {
  const detail = Object.entries(i.detail ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return (
    <article className="incident" aria-labelledby="incident-title">
      <header className="incident-head">
        <h1 id="incident-title">{i.title}</h1>
        <p>
          <SeverityBadge severity={i.severity} /> <IncidentStateBadge state={i.state} />{" "}
          <span className="muted">
            {kindLabel(i.kind)} · incident {String(i.id)}
          </span>
        </p>
      </header>
      <dl className="facts incident-facts">
        <div>
          <dt>Product</dt>
          <dd>
            <Link href={`/products/${encodeURIComponent(i.productId)}#monitoring`} className="mono">
              {i.productId}
            </Link>
          </dd>
        </div>
        <div>
          <dt>Port</dt>
          <dd className="mono">{i.port ?? "the product as a whole"}</dd>
        </div>
        <div>
          <dt>Detected</dt>
          <dd>
            {formatWhen(i.detectedAt)}
            {i.occurrences > 1 && (
              <div className="muted small">
                seen {i.occurrences} times, last {formatWhen(i.lastSeenAt)}
              </div>
            )}
          </dd>
        </div>
        <div>
          <dt>{i.state === "resolved" ? "Lasted" : "Open for"}</dt>
          <dd>{formatDuration(incidentAgeSeconds(i, Date.now()))}</dd>
        </div>
        <div>
          <dt>
            <abbr title="time to detect: from when the fault began to its detection">Time to detect</abbr>
          </dt>
          <dd>{formatDuration(i.ttdSeconds)}</dd>
        </div>
        <div>
          <dt>
            <abbr title="time to notify: from detection to a receiver taking the alert">Time to notify</abbr>
          </dt>
          <dd>{i.notifiedAt ? formatDuration(i.ttnSeconds) : "not notified yet"}</dd>
        </div>
        <div>
          <dt>
            <abbr title="time to repair: from detection to resolution">Time to repair</abbr>
          </dt>
          <dd>
            {i.resolvedAt ? formatDuration(i.ttrSeconds) : "not resolved yet"}
            {i.resolvedBy && (
              <div className="muted small">
                {i.resolvedBy === "quanta" ? "resolved itself: the data was healthy again" : `by ${i.resolvedBy}`}
              </div>
            )}
          </dd>
        </div>
      </dl>
      {detail.length > 0 && (
        <details className="incident-detail-facts">
          <summary>What was found</summary>
          <dl className="facts">
            {detail.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd className="small">{typeof v === "string" ? v : <code>{JSON.stringify(v)}</code>}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      <IncidentActions incident={i} onChanged={onChanged} />
      <IncidentTimeline incident={i} />
    </article>
  );
}

/** What happened to the incident, oldest first, as an ordered list (the order is the meaning). */
export function IncidentTimeline({ incident }: { incident: IncidentDetail }) {
  return (
    <section aria-labelledby="timeline-title" className="incident-timeline">
      <h2 id="timeline-title">Timeline</h2>
      {incident.timeline.length === 0 ? (
        <p className="muted">Nothing recorded yet.</p>
      ) : (
        <ol className="timeline">
          {incident.timeline.map((e, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the timeline is append-only, in order
            <li key={n} className={`timeline-item timeline-${e.type}`}>
              <span className="timeline-type">{eventLabel(e.type)}</span>{" "}
              <time dateTime={e.at} className="muted small">
                {formatWhen(e.at)}
              </time>
              {e.actor && <span className="muted small"> · {e.actor === "quanta" ? "Quanta" : e.actor}</span>}
              {e.text && <p className="timeline-text">{e.text}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

type Action = "acknowledge" | "comment" | "resolve";

/**
 * Acknowledge, comment and resolve, shown to whom the platform allows (the owner team, governance,
 * admins). Anyone else signed in sees why not; a refusal the page did not foresee (403) is shown
 * as the platform worded it.
 */
export function IncidentActions({ incident: i, onChanged }: { incident: Incident; onChanged: () => void }) {
  const me = useMe();
  const owner = useApi(async () => (await cachedProduct(i.productId))?.team ?? null, [i.productId]);
  const [busy, setBusy] = useState<Action | undefined>();
  const [error, setError] = useState<{ action: Action; error: ApiError } | undefined>();
  const [comment, setComment] = useState("");
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | undefined>();
  const commentId = useId();
  const noteId = useId();
  if (me.status === "loading") return null;
  if (me.status === "error" || !me.data) {
    return (
      <p className="muted small incident-actions">
        <a href={`/sign-in?next=${encodeURIComponent(window.location.pathname)}`}>Sign in</a> as a member of the owner
        team to acknowledge, comment on or resolve this incident.
      </p>
    );
  }
  const allowed = owner.status === "ok" ? canHandleIncidents(me.data, owner.data) : true;
  const act = (action: Action, run: () => Promise<unknown>, said: string) => {
    setBusy(action);
    setError(undefined);
    setDone(undefined);
    run().then(
      () => {
        setBusy(undefined);
        setDone(said);
        if (action === "comment") setComment("");
        if (action === "resolve") setNote("");
        onChanged();
      },
      (e: unknown) => {
        setBusy(undefined);
        setError({ action, error: toApiError(e) });
      },
    );
  };
  const id = String(i.id);
  const failed = error && (
    <ErrorState
      error={error.error}
      title={
        error.error.status === 403
          ? `Not allowed to ${error.action === "comment" ? "comment on" : error.action} this incident`
          : `Could not ${error.action === "comment" ? "comment on" : error.action} the incident`
      }
    />
  );
  if (!allowed)
    return (
      <section aria-label="Handle the incident" className="incident-actions">
        <p className="muted small">
          Only the owner team{owner.status === "ok" && owner.data ? ` (${owner.data})` : ""}, governance or an admin may
          acknowledge, comment on or resolve this incident.
        </p>
      </section>
    );
  const active = i.state !== "resolved";
  return (
    <section aria-labelledby="handle-title" className="incident-actions">
      <h2 id="handle-title">Handle the incident</h2>
      <div className="decide-row">
        {i.state === "open" && (
          <button
            type="button"
            className="button primary"
            disabled={busy !== undefined}
            onClick={() => act("acknowledge", () => api.acknowledgeIncident(id), "Acknowledged.")}
          >
            {busy === "acknowledge" ? "Acknowledging…" : "Acknowledge"}
          </button>
        )}
        {i.state === "acknowledged" && (
          <span className="muted small">Acknowledged {formatWhen(i.acknowledgedAt)}.</span>
        )}
      </div>
      <form
        className="incident-form"
        onSubmit={(e) => {
          e.preventDefault();
          const text = comment.trim();
          if (text) act("comment", () => api.commentIncident(id, text), "Comment added.");
        }}
      >
        <label htmlFor={commentId}>Comment</label>
        <textarea
          id={commentId}
          value={comment}
          maxLength={4000}
          rows={2}
          onChange={(e) => setComment(e.target.value)}
          placeholder="What you found, what you are doing"
        />
        <button type="submit" className="button" disabled={busy !== undefined || comment.trim() === ""}>
          {busy === "comment" ? "Adding…" : "Add comment"}
        </button>
      </form>
      {active && (
        <form
          className="incident-form"
          onSubmit={(e) => {
            e.preventDefault();
            act("resolve", () => api.resolveIncident(id, note.trim() || undefined), "Resolved.");
          }}
        >
          <label htmlFor={noteId}>Resolution note (optional)</label>
          <input
            id={noteId}
            type="text"
            value={note}
            maxLength={4000}
            onChange={(e) => setNote(e.target.value)}
            placeholder="e.g. reloaded the late batch"
          />
          <button type="submit" className="button" disabled={busy !== undefined}>
            {busy === "resolve" ? "Resolving…" : "Resolve"}
          </button>
          <p className="muted small">
            Quanta also resolves it by itself once the data is healthy again; a fault seen again soon after reopens it.
          </p>
        </form>
      )}
      <div aria-live="polite" className="small">
        {done}
      </div>
      {failed}
    </section>
  );
}
