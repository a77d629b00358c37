import { api } from "../api/api-client.js";
import { useSessionToken } from "../api/session.js";
import type { DomainHealth, HealthStatus, ProductHealth } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { SeverityBadge } from "../components/incident-list.js";
import { ApiProblem, Empty, Loading } from "../components/states.js";
import { TableWrap } from "../components/table-wrap.js";
import { formatWhen } from "../lib/format.js";
import { healthLabel, healthStatuses, meshTotals, orderDomains } from "../lib/mesh-health.js";
import { hrefWith, Link } from "../router.js";

const tone: Record<HealthStatus, string> = { healthy: "good", degraded: "warn", failing: "bad", unknown: "neutral" };

export function HealthBadge({ status }: { status: HealthStatus }) {
  return <span className={`badge badge-${tone[status] ?? "neutral"} health-${status}`}>{healthLabel(status)}</span>;
}

/**
 * The mesh's health: every product healthy, degraded or failing (or not measured yet), per domain,
 * the worst domains and the worst products first, each with why.
 */
export function MeshHealthPage() {
  const token = useSessionToken();
  const health = useApi((signal) => api.meshHealth(signal), [token]);
  return (
    <div className="page mesh-health-page">
      <h1>Mesh health</h1>
      <p className="muted">
        A product is <strong>failing</strong> with an open critical or high incident, a breached objective or a last
        contract test that failed or could not run; <strong>degraded</strong> with any other open incident or an
        objective at risk; <strong>healthy</strong> otherwise, once something measured it.{" "}
        <Link href="/incidents">Active incidents</Link>
      </p>
      {health.status === "loading" && <Loading label="Loading the mesh's health" />}
      {health.status === "error" && (
        <ApiProblem error={health.error} what="the mesh's health" api="GET /api/mesh/health" />
      )}
      {health.status === "ok" && <MeshHealthView domains={health.data.domains} at={health.data.at} />}
    </div>
  );
}

function MeshHealthView({ domains, at }: { domains: DomainHealth[]; at: string }) {
  if (domains.length === 0)
    return <Empty title="No data products yet">Publish a product and its health shows here.</Empty>;
  const ordered = orderDomains(domains);
  const totals = meshTotals(domains);
  return (
    <>
      <ul className="plain health-totals" aria-label="Products across the mesh">
        {healthStatuses.map((s) => (
          <li key={s} className={`health-total health-total-${s}`}>
            <span className="health-total-n">{totals[s]}</span> <HealthBadge status={s} />
          </li>
        ))}
      </ul>
      <p className="muted small">As of {formatWhen(at)}.</p>
      {ordered.map((d) => (
        <DomainSection key={d.domain ?? ""} domain={d} />
      ))}
    </>
  );
}

function DomainSection({ domain: d }: { domain: DomainHealth }) {
  const name = d.domain ?? "no domain";
  const id = `domain-${(d.domain ?? "none").replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const unknown = d.unknown ?? d.products.filter((p) => p.status === "unknown").length;
  return (
    <section aria-labelledby={id} className="panel health-domain">
      <h2 id={id}>
        {d.domain ? <Link href={hrefWith("/", { domain: d.domain })}>{name}</Link> : name}{" "}
        <span className="small health-counts">
          {d.failing > 0 && <span className="badge badge-bad">{d.failing} failing</span>}{" "}
          {d.degraded > 0 && <span className="badge badge-warn">{d.degraded} degraded</span>}{" "}
          {d.healthy > 0 && <span className="badge badge-good">{d.healthy} healthy</span>}{" "}
          {unknown > 0 && <span className="badge badge-neutral">{unknown} not measured</span>}
        </span>
      </h2>
      <TableWrap>
        <table className="health-table stack-table">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Health</th>
              <th scope="col">Open incidents</th>
              <th scope="col">Breached objectives</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {d.products.map((p) => (
              <ProductRow key={p.id} p={p} />
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

function ProductRow({ p }: { p: ProductHealth }) {
  return (
    <tr className={`health-row health-row-${p.status}`}>
      <th scope="row" data-label="Product">
        <Link href={`/products/${encodeURIComponent(p.id)}#monitoring`}>{p.name}</Link>
        <div className="muted small mono">{p.id}</div>
      </th>
      <td data-label="Health">
        <HealthBadge status={p.status} />
      </td>
      <td data-label="Open incidents" className="num">
        {p.openIncidents > 0 ? <Link href={hrefWith("/incidents", { product: p.id })}>{p.openIncidents}</Link> : "0"}
        {p.worstSeverity && (
          <>
            {" "}
            <SeverityBadge severity={p.worstSeverity} />
          </>
        )}
      </td>
      <td data-label="Breached objectives" className="num">
        {p.breachedSlos}
      </td>
      <td data-label="Why" className="small">
        {p.reasons.length > 0 ? p.reasons.join("; ") : <span className="muted">—</span>}
      </td>
    </tr>
  );
}
