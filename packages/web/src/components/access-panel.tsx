import { useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import { useSessionToken } from "../api/session.js";
import type { Agreement, Port } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { useMe } from "../api/use-me.js";
import { openRequests } from "../lib/open-requests.js";
import { hrefWith, Link, useLocation } from "../router.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, ErrorState, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";

/**
 * Access to a product's output ports: a consumer picks ports (several at once), names the team and
 * the purpose, and follows the requests; the owner team approves or rejects them here.
 */
export function AccessPanel({
  productId,
  ownerTeam,
  outputs,
}: {
  productId: string;
  ownerTeam: string | null;
  outputs: Port[];
}) {
  const token = useSessionToken();
  const { path, query } = useLocation();
  const [version, setVersion] = useState(0);
  const me = useMe();
  const agreements = useApi(
    (signal) => (token ? api.agreements(productId, signal) : Promise.resolve({ items: [] })),
    [token, productId, version],
  );
  if (!token) {
    const here = `${path}${query.toString() ? `?${query}` : ""}`;
    return (
      <p>
        <Link href={hrefWith("/sign-in", { next: here })}>Sign in</Link> to request access to this product's data or to
        decide on requests for it.
      </p>
    );
  }
  if (me.status === "loading") return <Loading />;
  if (me.status === "error") return <ApiProblem error={me.error} what="who you are" api="GET /api/me" />;
  const user = me.data;
  if (!user) return null;
  const owner = ownerTeam !== null && user.teams.some((t) => t.team === ownerTeam);
  const consumerTeams = user.teams.map((t) => t.team).filter((t) => t !== ownerTeam);
  return (
    <div className="access">
      {consumerTeams.length > 0 && outputs.length > 0 && (
        <RequestForm
          productId={productId}
          outputs={outputs}
          teams={consumerTeams}
          agreements={agreements.status === "ok" ? agreements.data.items : []}
          onDone={() => setVersion((v) => v + 1)}
        />
      )}
      {consumerTeams.length === 0 && !owner && (
        <p className="muted">You are in no team that could read this product; ask an admin to add you to one.</p>
      )}
      <h3>{owner ? "Requests and agreements for this product" : "Your team's requests and agreements"}</h3>
      {agreements.status === "loading" && <Loading />}
      {agreements.status === "error" && (
        <ApiProblem error={agreements.error} what="the agreements" api="GET /api/agreements" />
      )}
      {agreements.status === "ok" && (
        <AgreementTable items={agreements.data.items} canDecide={owner} onDecided={() => setVersion((v) => v + 1)} />
      )}
    </div>
  );
}

function RequestForm({
  productId,
  outputs,
  teams,
  agreements,
  onDone,
}: {
  productId: string;
  outputs: Port[];
  teams: string[];
  agreements: Agreement[];
  onDone: () => void;
}) {
  const [picked, setPicked] = useState<string[]>(outputs.length === 1 ? [outputs[0]?.name ?? ""] : []);
  const [team, setTeam] = useState(teams[0] ?? "");
  const [purpose, setPurpose] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ port: string; result: Agreement | ApiError }[]>([]);
  // A port the team has an open request or agreement for is shown with it, not offered again
  // (the platform would answer 409); this also holds after a reload.
  const open = openRequests(agreements, productId, team);
  const ports = picked.filter((p) => !open.has(p));
  const allOpen = outputs.every((o) => open.has(o.name));
  const submit = async () => {
    setBusy(true);
    const results = await Promise.all(
      ports.map((port) =>
        api.requestAccess({ productId, port, consumerTeam: team, purpose: purpose.trim() }).then(
          (result) => ({ port, result }),
          (e: unknown) => ({ port, result: toApiError(e) }),
        ),
      ),
    );
    setOutcome(results);
    // What was sent is done: those ports leave the selection, and the purpose goes once all went.
    const sent = results.filter((r) => !(r.result instanceof Error)).map((r) => r.port);
    setPicked((p) => p.filter((x) => !sent.includes(x)));
    if (sent.length === results.length) setPurpose("");
    setBusy(false);
    onDone();
  };
  return (
    <form
      className="request-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>Request access</h3>
      <fieldset disabled={busy}>
        <legend>Ports</legend>
        {outputs.map((o) => {
          const existing = open.get(o.name);
          return (
            <label key={o.name} className="check">
              <input
                type="checkbox"
                checked={existing !== undefined || ports.includes(o.name)}
                disabled={existing !== undefined}
                onChange={(e) => setPicked((p) => (e.target.checked ? [...p, o.name] : p.filter((x) => x !== o.name)))}
              />{" "}
              <span className="mono">{o.name}</span>{" "}
              {existing && (
                <>
                  <StatusBadge status={existing.state} /> <span className="muted small">
                    for {team}, see below
                  </span>{" "}
                </>
              )}
              {o.description && <span className="muted small">{o.description}</span>}
            </label>
          );
        })}
      </fieldset>
      <label>
        For team{" "}
        <select value={team} onChange={(e) => setTeam(e.target.value)} disabled={busy}>
          {teams.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      {allOpen ? (
        <p className="muted">
          {team} has a request or agreement for every port of this product; follow{" "}
          {outputs.length === 1 ? "it" : "them"} below.
        </p>
      ) : (
        <>
          <label className="block">
            Purpose (what the data will be used for; the owner decides on it)
            <textarea
              value={purpose}
              onChange={(e) => setPurpose(e.target.value)}
              rows={3}
              maxLength={2000}
              required
              minLength={3}
              disabled={busy}
            />
          </label>
          <p className="muted small">
            By requesting you accept the terms of use and limitations of each port's contract shown above, including its
            notice period.
          </p>
          <button
            type="submit"
            className="button primary"
            disabled={busy || ports.length === 0 || purpose.trim().length < 3}
          >
            {busy ? "Sending…" : `Request access to ${ports.length} port${ports.length === 1 ? "" : "s"}`}
          </button>
        </>
      )}
      {outcome.map((o) =>
        o.result instanceof Error ? (
          <ErrorState key={o.port} error={o.result} title={`Port ${o.port}: not requested`} />
        ) : (
          <p key={o.port} role="status">
            Port <span className="mono">{o.port}</span>: <StatusBadge status={o.result.state} />
          </p>
        ),
      )}
    </form>
  );
}

function AgreementTable({
  items,
  canDecide,
  onDecided,
}: {
  items: Agreement[];
  canDecide: boolean;
  onDecided: () => void;
}) {
  const [error, setError] = useState<ApiError | undefined>();
  if (items.length === 0) return <p className="muted">None yet.</p>;
  const decide = (id: string, d: "approve" | "reject") => {
    setError(undefined);
    api.decide(id, d).then(onDecided, (e: unknown) => setError(toApiError(e)));
  };
  return (
    <>
      {error && <ErrorState error={error} title="Not decided" />}
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th scope="col">Port</th>
              <th scope="col">Consumer team</th>
              <th scope="col">Purpose</th>
              <th scope="col">State</th>
              <th scope="col">Requested</th>
              <th scope="col">Decided</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                <th scope="row" className="mono">
                  {a.port}
                </th>
                <td>{a.consumerTeam}</td>
                <td>{a.purpose}</td>
                <td>
                  <StatusBadge status={a.state} />
                  {canDecide && a.state === "requested" && (
                    <div className="decide">
                      <button type="button" className="button primary" onClick={() => decide(a.id, "approve")}>
                        Approve
                      </button>
                      <button type="button" className="button" onClick={() => decide(a.id, "reject")}>
                        Reject
                      </button>
                    </div>
                  )}
                </td>
                <td className="small">
                  {a.requestedBy}
                  <div className="muted">{new Date(a.requestedAt).toLocaleString()}</div>
                </td>
                <td className="small">
                  {a.decidedBy ?? "—"}
                  {a.decisionReason && <div className="muted">{a.decisionReason}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
