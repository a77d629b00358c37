import type { ContractVersion, ContractVersionSummary } from "../api/types.js";
import { type ContractFacts, contractFacts } from "../lib/contract-facts.js";
import { safeUrl } from "../lib/product-facts.js";
import { StatusBadge } from "./badges.js";
import { ChangelogView } from "./changelog-view.js";
import { PortUse } from "./port-use.js";
import { TableWrap } from "./table-wrap.js";

/** One contract version rendered for reading: schema, quality, SLAs, terms, support, versions. */
export function ContractView({
  productId,
  port,
  contract,
  versions,
}: {
  productId: string;
  port: string;
  contract: ContractVersion;
  versions: ContractVersionSummary[];
}) {
  const f = contractFacts(contract.document);
  return (
    <div className="contract">
      <header className="contract-head">
        <h3>
          {f.name ?? contract.contractId} <span className="muted">v{contract.version}</span>
        </h3>
        <StatusBadge status={f.status} />
        <span className="muted small mono">{contract.contractId}</span>
        <a
          className="small"
          href={`/api/products/${encodeURIComponent(productId)}/contracts/${encodeURIComponent(contract.contractId)}/versions/${encodeURIComponent(contract.version)}`}
        >
          JSON
        </a>
      </header>
      <Terms f={f} />
      <PortUse
        input={{
          productId,
          port,
          datasets: f.datasets.map((d) => ({
            name: d.name,
            columns: d.rows.filter((r) => r.depth === 0).map((r) => r.name),
          })),
        }}
      />
      {f.datasets.map((ds) => (
        <section key={ds.name} className="dataset" aria-label={`Dataset ${ds.name}`}>
          <h4>
            <span className="mono">{ds.name}</span>
            {ds.physicalName && ds.physicalName !== ds.name && <span className="muted mono"> ({ds.physicalName})</span>}
          </h4>
          {ds.description && <p>{ds.description}</p>}
          <TableWrap>
            <table className="schema-table">
              <caption className="visually-hidden">Columns of {ds.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                  <th scope="col">Constraints</th>
                  <th scope="col">Classification</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {ds.rows.map((r) => (
                  <tr key={r.name}>
                    <th scope="row" style={{ paddingLeft: `${0.6 + r.depth * 1.2}rem` }}>
                      <span className="mono">{r.name}</span>
                      {r.businessName && <div className="muted small">{r.businessName}</div>}
                    </th>
                    <td>
                      <span className="mono">{r.logicalType ?? "—"}</span>
                      {r.physicalType && <div className="muted small mono">{r.physicalType}</div>}
                    </td>
                    <td>
                      <ul className="marks">
                        {r.primaryKey && <li className="mark mark-key">primary key</li>}
                        {r.required && <li className="mark">required</li>}
                        {r.unique && <li className="mark">unique</li>}
                        {r.criticalDataElement && <li className="mark">critical</li>}
                        {r.constraints.map((c) => (
                          <li key={c} className="constraint mono">
                            {c}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      {r.classification && (
                        <span className={`class class-${r.classification}`}>{r.classification}</span>
                      )}
                      {r.pii && (
                        <span className="mark mark-pii" title="Personal data (GDPR)">
                          PII
                        </span>
                      )}
                    </td>
                    <td>
                      {r.description ?? <span className="muted">—</span>}
                      {r.examples.length > 0 && (
                        <div className="muted small">
                          e.g. <span className="mono">{r.examples.slice(0, 3).join(", ")}</span>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      ))}
      {f.datasets.length === 0 && <p className="muted">This contract declares no schema.</p>}

      <section aria-labelledby="quality-title">
        <h4 id="quality-title">Quality rules</h4>
        {f.quality.length === 0 ? (
          <p className="muted">No quality rules.</p>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Rule</th>
                  <th scope="col">On</th>
                  <th scope="col">Check</th>
                  <th scope="col">Expect</th>
                  <th scope="col">Dimension</th>
                  <th scope="col">Severity</th>
                </tr>
              </thead>
              <tbody>
                {f.quality.map((q, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rules may share names; order is the contract's
                  <tr key={i}>
                    <th scope="row">
                      {q.name}
                      {q.description && <div className="muted small">{q.description}</div>}
                    </th>
                    <td className="mono">{q.target}</td>
                    <td>
                      <span className="mono">{q.kind}</span>
                      {q.query && (
                        <details>
                          <summary className="small">SQL</summary>
                          <pre className="code small">{q.query}</pre>
                        </details>
                      )}
                    </td>
                    <td className="mono">{q.expectation || "—"}</td>
                    <td>{q.dimension ?? "—"}</td>
                    <td>{q.severity ? <span className={`badge badge-sev-${q.severity}`}>{q.severity}</span> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="sla-title">
        <h4 id="sla-title">Service levels</h4>
        {f.slas.length === 0 ? (
          <p className="muted">No service levels declared.</p>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Objective</th>
                  <th scope="col">Target</th>
                  <th scope="col">On</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {f.slas.map((s, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: order is the contract's
                  <tr key={i}>
                    <th scope="row">
                      {s.property}
                      {s.driver && <div className="muted small">{s.driver}</div>}
                    </th>
                    <td className="mono">{s.target || "—"}</td>
                    <td className="mono">{s.element ?? "—"}</td>
                    <td>{s.description ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      {f.servers.length > 0 && (
        <section aria-labelledby="servers-title">
          <h4 id="servers-title">Servers</h4>
          <ul className="plain">
            {f.servers.map((s) => (
              <li key={s.server}>
                <strong>{s.server}</strong>{" "}
                <span className="muted">{[s.type, s.environment].filter(Boolean).join(", ")}</span>{" "}
                <span className="mono small">{s.location}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="versions-title">
        <h4 id="versions-title">Versions and changelog</h4>
        <ChangelogView productId={productId} contractId={contract.contractId} versions={versions} />
      </section>
    </div>
  );
}

function Terms({ f }: { f: ContractFacts }) {
  return (
    <div className="terms">
      <dl className="facts">
        <div>
          <dt>Price</dt>
          <dd>{f.price ?? "not stated"}</dd>
        </div>
        {f.purpose && (
          <div className="wide">
            <dt>Purpose</dt>
            <dd>{f.purpose}</dd>
          </div>
        )}
        {f.usage && (
          <div className="wide">
            <dt>Terms of use</dt>
            <dd>{f.usage}</dd>
          </div>
        )}
        {f.limitations && (
          <div className="wide">
            <dt>Limitations</dt>
            <dd>{f.limitations}</dd>
          </div>
        )}
        {f.roles.length > 0 && (
          <div className="wide">
            <dt>Access roles</dt>
            <dd>
              <ul className="plain">
                {f.roles.map((r) => (
                  <li key={r.role}>
                    <span className="mono">{r.role}</span> {r.access && <span className="muted">({r.access})</span>}{" "}
                    {r.description}
                    {r.approvers.length > 0 && (
                      <span className="muted small"> · approved by {r.approvers.join(", then ")}</span>
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
        {f.support.length > 0 && (
          <div className="wide">
            <dt>Support</dt>
            <dd>
              <ul className="plain inline">
                {f.support.map((s, i) => {
                  const url = safeUrl(s.url);
                  const label = `${s.tool ?? "channel"}${s.channel ? ` ${s.channel}` : ""}`;
                  // biome-ignore lint/suspicious/noArrayIndexKey: order is the contract's
                  return <li key={i}>{url ? <a href={url}>{label}</a> : label}</li>;
                })}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}
