import type { Incident, IncidentSeverity } from "../api/types.js";
import { formatWhen } from "../lib/format.js";
import { formatDuration, incidentAgeSeconds, isActive, kindLabel, orderIncidents } from "../lib/incidents.js";
import { Link } from "../router.js";
import { TableWrap } from "./table-wrap.js";

const severityTone: Record<IncidentSeverity, string> = { critical: "bad", high: "bad", medium: "warn", low: "info" };

/** The severity in words on its colour (the colour alone says nothing to some readers). */
export function SeverityBadge({ severity }: { severity: IncidentSeverity }) {
  return <span className={`badge badge-${severityTone[severity] ?? "neutral"} severity-${severity}`}>{severity}</span>;
}

const stateTone: Record<Incident["state"], string> = { open: "bad", acknowledged: "warn", resolved: "good" };

export function IncidentStateBadge({ state }: { state: Incident["state"] }) {
  return <span className={`badge badge-${stateTone[state] ?? "neutral"}`}>{state}</span>;
}

export const incidentHref = (id: Incident["id"]) => `/incidents/${encodeURIComponent(String(id))}`;

/**
 * Incidents, active first, then by severity and newest: what, how bad, how old, and the time to
 * detect, notify and repair (TTD, TTN, TTR). `showProduct` adds the product (the mesh-wide list).
 */
export function IncidentTable({
  incidents,
  showProduct = false,
  now = Date.now(),
}: {
  incidents: Incident[];
  showProduct?: boolean;
  now?: number;
}) {
  const rows = orderIncidents(incidents);
  return (
    <TableWrap>
      <table className="incident-table">
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Incident</th>
            {showProduct && <th scope="col">Product</th>}
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Age</th>
            <th scope="col">
              <abbr title="time to detect">TTD</abbr>
            </th>
            <th scope="col">
              <abbr title="time to notify">TTN</abbr>
            </th>
            <th scope="col">
              <abbr title="time to repair">TTR</abbr>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i) => (
            <tr key={i.id} className={isActive(i) ? "incident-active" : "incident-resolved"}>
              <td>
                <SeverityBadge severity={i.severity} />
              </td>
              <th scope="row">
                <Link href={incidentHref(i.id)}>{i.title}</Link>
                <div className="muted small">
                  {i.port ? <span className="mono">{i.port}</span> : "the product"} · detected{" "}
                  {formatWhen(i.detectedAt)}
                  {i.occurrences > 1 && ` · seen ${i.occurrences} times`}
                </div>
              </th>
              {showProduct && (
                <td>
                  <Link href={`/products/${encodeURIComponent(i.productId)}`} className="mono">
                    {i.productId}
                  </Link>
                </td>
              )}
              <td>{kindLabel(i.kind)}</td>
              <td>
                <IncidentStateBadge state={i.state} />
              </td>
              <td>{formatDuration(incidentAgeSeconds(i, now))}</td>
              <td>{formatDuration(i.ttdSeconds)}</td>
              <td>{formatDuration(i.ttnSeconds)}</td>
              <td>{formatDuration(i.ttrSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
