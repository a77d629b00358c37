import { useState } from "react";
import { api } from "../api/api-client.js";
import { useSessionToken } from "../api/session.js";
import { useApi } from "../api/use-api.js";
import { StatusBadge } from "../components/badges.js";
import { ApiProblem, Empty, Loading } from "../components/states.js";
import { TableWrap } from "../components/table-wrap.js";
import { hrefWith, Link, useLocation } from "../router.js";

/** How many products the compliance table checks at once (one govern call each). */
const complianceBatch = 24;

/** Policies in force, which products fail what, and the audit log: the governance team's view. */
export function GovernancePage() {
  const token = useSessionToken();
  return (
    <div className="page governance-page">
      <h1>Governance</h1>
      {!token && (
        <p>
          <Link href={hrefWith("/sign-in", { next: "/governance" })}>Sign in</Link> to see compliance and the audit log.
        </p>
      )}
      <section aria-labelledby="policies-title" className="panel">
        <h2 id="policies-title">Policies in force</h2>
        <Policies />
      </section>
      {token && (
        <>
          <section aria-labelledby="compliance-title" className="panel">
            <h2 id="compliance-title">Compliance across the mesh</h2>
            <Compliance />
          </section>
          <section aria-labelledby="audit-title" className="panel">
            <h2 id="audit-title">Audit log</h2>
            <Audit />
          </section>
        </>
      )}
    </div>
  );
}

function Policies() {
  const set = useApi((signal) => api.policies(signal), []);
  if (set.status === "loading") return <Loading />;
  if (set.status === "error") return <ApiProblem error={set.error} what="the policies" api="GET /api/policies" />;
  const p = set.data;
  return (
    <>
      <p>
        <strong>{p.name}</strong> {p.version} <span className="muted">(revision {p.revision})</span>
      </p>
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">Scope</th>
              <th scope="col">Needed for</th>
              <th scope="col">What it checks</th>
            </tr>
          </thead>
          <tbody>
            {p.rules.map((r) => (
              <tr key={r.id}>
                <th scope="row" className="mono">
                  {r.id}
                </th>
                <td>{r.severity}</td>
                <td>{r.scope === "global" ? "global" : `domain ${r.scope.domain}`}</td>
                <td>{r.levels.join(", ") || "—"}</td>
                <td>{r.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}

const passing = new Set(["passed", "pass", "ok"]);

function Compliance() {
  const result = useApi(async (signal) => {
    const page = await api.products({ limit: complianceBatch }, signal);
    const rows = await Promise.all(
      page.items.map(async (p) => ({ product: p, govern: await api.govern(p.id, signal).catch((e: unknown) => e) })),
    );
    return { total: page.total, rows };
  }, []);
  if (result.status === "loading") return <Loading label="Evaluating the products" />;
  if (result.status === "error")
    return <ApiProblem error={result.error} what="compliance" api="GET /api/products/{id}/govern" />;
  const { rows, total } = result.data;
  if (rows.length === 0) return <Empty title="No data products published yet" />;
  const failing = (g: unknown) =>
    typeof g === "object" && g !== null && "policies" in g
      ? (g as { policies: { rule: string; status: string; message: string | null }[] }).policies.filter(
          (x) => !passing.has(x.status),
        )
      : [];
  const sorted = [...rows].sort((a, b) => failing(b.govern).length - failing(a.govern).length);
  return (
    <>
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Certification</th>
              <th scope="col">Failing rules</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map(({ product, govern }) => {
              const g = govern as { certification?: { status: string; level: string | null; reason: string } };
              const fails = failing(govern);
              return (
                <tr key={product.id}>
                  <th scope="row">
                    <Link href={`/products/${encodeURIComponent(product.id)}#health`}>{product.name}</Link>
                    <div className="muted small mono">{product.id}</div>
                  </th>
                  <td>
                    {g.certification ? (
                      <>
                        <StatusBadge status={g.certification.level ?? g.certification.status} />
                        <div className="muted small">{g.certification.reason}</div>
                      </>
                    ) : (
                      <span className="text-bad small">{(govern as Error).message}</span>
                    )}
                  </td>
                  <td>
                    {fails.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <>
                        <ul className="rule-chips" aria-label="Failing rules">
                          {[...new Set(fails.map((f) => f.rule))].map((rule) => (
                            <li key={rule} className="mono">
                              {rule}
                            </li>
                          ))}
                        </ul>
                        <details>
                          <summary className="small">Why ({fails.length})</summary>
                          <ul className="plain small">
                            {fails.map((f, i) => (
                              // biome-ignore lint/suspicious/noArrayIndexKey: a rule may fail more than once
                              <li key={i} className="failing-rule">
                                <strong>{f.rule}:</strong> {f.message ?? f.status}
                              </li>
                            ))}
                          </ul>
                        </details>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      {total > rows.length && (
        <p className="muted small">
          The first {rows.length} of {total} products by name; filter the search by certification to find the rest.
        </p>
      )}
    </>
  );
}

function Audit() {
  const { query } = useLocation();
  const [filters, setFilters] = useState({
    productId: query.get("productId") ?? "",
    actor: "",
    action: "",
  });
  const [applied, setApplied] = useState(filters);
  const log = useApi((signal) => api.audit({ ...applied, limit: 200 }, signal), [JSON.stringify(applied)]);
  return (
    <>
      <form
        className="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        {(["productId", "actor", "action"] as const).map((k) => (
          <label key={k}>
            {{ productId: "Product", actor: "Actor", action: "Action" }[k]}
            <input
              type="search"
              value={filters[k]}
              onChange={(e) => setFilters((f) => ({ ...f, [k]: e.target.value }))}
              placeholder={{ productId: "sales.orders", actor: "user name", action: "consume" }[k]}
            />
          </label>
        ))}
        <button type="submit" className="button">
          Filter
        </button>
      </form>
      {log.status === "loading" && <Loading />}
      {log.status === "error" && <ApiProblem error={log.error} what="the audit log" api="GET /api/audit" />}
      {log.status === "ok" && log.data.items.length === 0 && <Empty title="No audit entries match" />}
      {log.status === "ok" && log.data.items.length > 0 && (
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Product</th>
                <th scope="col">Decision</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {[...log.data.items].reverse().map((a) => (
                <tr key={a.id}>
                  <td className="small">{new Date(a.at).toLocaleString()}</td>
                  <th scope="row">{a.actor}</th>
                  <td className="mono">{a.action}</td>
                  <td className="mono small">
                    {a.productId ?? "—"}
                    {a.port ? `/${a.port}` : ""}
                  </td>
                  <td>
                    <span
                      className={`badge badge-${a.decision === "denied" ? "bad" : a.decision === "allowed" ? "good" : "neutral"}`}
                    >
                      {a.decision}
                    </span>
                  </td>
                  <td className="small">
                    {a.reason ?? ""}
                    {a.rows !== null && <span className="muted"> · {a.rows} rows</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </>
  );
}
