import { useState } from "react";
import { api } from "../api/api-client.js";
import { useSessionToken } from "../api/session.js";
import { useApi } from "../api/use-api.js";
import { IncidentView } from "../components/incident-detail.js";
import { IncidentTable } from "../components/incident-list.js";
import { ApiProblem, Empty, ErrorState, Loading } from "../components/states.js";
import { type IncidentStateFilter, incidentStateFilter, incidentStateFilters, pageOffset } from "../lib/incidents.js";
import { hrefWith, Link, navigate, useLocation } from "../router.js";

const pageSize = 25;

/** Incidents across the mesh, active first by default; filter by state and product, paged. */
export function IncidentsPage() {
  const token = useSessionToken();
  const { query } = useLocation();
  const state = incidentStateFilter(query.get("state"));
  const product = query.get("product")?.trim() || undefined;
  const offset = pageOffset(query.get("page"), pageSize);
  const list = useApi(
    (signal) => api.incidents({ product, state: state === "all" ? undefined : state, limit: pageSize, offset }, signal),
    [product, state, offset, token],
  );
  const go = (next: { state?: IncidentStateFilter; page?: number }) =>
    navigate(
      hrefWith("/incidents", {
        state: (next.state ?? state) === "active" ? undefined : (next.state ?? state),
        product,
        page: next.page && next.page > 1 ? String(next.page) : undefined,
      }),
    );
  const page = Math.floor(offset / pageSize) + 1;
  return (
    <div className="page incidents-page">
      <h1>Incidents</h1>
      <p className="muted">
        Quanta opens an incident when a contract test fails, the data is stale, unreadable or changes its schema, its
        volume is unusual for the port, or an objective burns its error budget. One incident per fault: seen again, it
        counts; healthy again, it resolves itself.
      </p>
      <div className="incident-filters">
        <fieldset className="segmented">
          <legend className="small">Show</legend>
          {incidentStateFilters.map((s) => (
            <button
              key={s.id}
              type="button"
              className="button"
              aria-pressed={s.id === state}
              onClick={() => go({ state: s.id, page: 1 })}
            >
              {s.label}
            </button>
          ))}
        </fieldset>
        {product && (
          <p className="small">
            Product <span className="mono">{product}</span> ·{" "}
            <Link href={hrefWith("/incidents", { state: state === "active" ? undefined : state })}>all products</Link>
          </p>
        )}
      </div>
      {list.status === "loading" && <Loading label="Loading incidents" />}
      {list.status === "error" && <ApiProblem error={list.error} what="incidents" api="GET /api/incidents" />}
      {list.status === "ok" && list.data.incidents.length === 0 && (
        <Empty title={state === "active" ? "No active incidents" : "No incidents"}>
          {state === "active"
            ? "Nothing is wrong that Quanta knows of. Resolved incidents are under “All” and “Resolved”."
            : "Quanta has not opened any incident that matches."}
        </Empty>
      )}
      {list.status === "ok" && list.data.incidents.length > 0 && (
        <>
          <p className="muted small" aria-live="polite">
            {offset + 1}–{offset + list.data.incidents.length} of {list.data.total}
          </p>
          <IncidentTable incidents={list.data.incidents} showProduct={!product} />
          {list.data.total > pageSize && (
            <nav aria-label="Pages of incidents" className="pager">
              <button type="button" className="button" disabled={page <= 1} onClick={() => go({ page: page - 1 })}>
                Previous
              </button>
              <span className="small">
                Page {page} of {Math.ceil(list.data.total / pageSize)}
              </span>
              <button
                type="button"
                className="button"
                disabled={offset + pageSize >= list.data.total}
                onClick={() => go({ page: page + 1 })}
              >
                Next
              </button>
            </nav>
          )}
        </>
      )}
    </div>
  );
}

/** One incident with its timeline and, for its owners, the actions. */
export function IncidentPage({ id }: { id: string }) {
  const token = useSessionToken();
  const [version, setVersion] = useState(0);
  const valid = /^\d{1,18}$/.test(id);
  const incident = useApi(
    (signal) => (valid ? api.incident(id, signal) : Promise.reject(new Error("not an incident id"))),
    [id, version, token],
    { keepData: true },
  );
  const back = (
    <p>
      <Link href="/incidents">← Incidents</Link>
    </p>
  );
  if (!valid)
    return (
      <div className="page">
        {back}
        <Empty title="No such incident">
          <code>{id}</code> is not an incident number.
        </Empty>
      </div>
    );
  return (
    <div className="page incident-page">
      {back}
      {incident.status === "loading" && <Loading label="Loading the incident" />}
      {incident.status === "error" &&
        (incident.error.status === 404 ? (
          <ErrorState error={incident.error} title="No such incident" />
        ) : (
          <ApiProblem error={incident.error} what="the incident" api={`GET /api/incidents/${id}`} />
        ))}
      {incident.status === "ok" && <IncidentView incident={incident.data} onChanged={() => setVersion((v) => v + 1)} />}
    </div>
  );
}
