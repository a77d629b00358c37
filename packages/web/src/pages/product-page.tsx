import { api } from "../api/api-client.js";
import { cachedProduct } from "../api/product-cache.js";
import type { Port, ProductDetail } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { AccessPanel } from "../components/access-panel.js";
import { StatusBadge, Tag } from "../components/badges.js";
import { ContractView } from "../components/contract-view.js";
import { HealthPanel } from "../components/health-panel.js";
import { ErrorState, Loading } from "../components/states.js";
import { TableWrap } from "../components/table-wrap.js";
import { findContractOwner } from "../lib/contract-owner.js";
import { humanize, productFacts, safeUrl } from "../lib/product-facts.js";
import { hrefWith, Link, navigate, useLocation } from "../router.js";

export function ProductPage({ id }: { id: string }) {
  const product = useApi((signal) => api.product(id, signal), [id]);
  if (product.status === "loading") return <Loading label="Loading the data product" />;
  if (product.status === "error") {
    return (
      <div className="page">
        <p>
          <Link href="/">← Search</Link>
        </p>
        <ErrorState
          error={product.error}
          title={product.error.status === 404 ? "No such data product" : "Cannot load the data product"}
        />
      </div>
    );
  }
  return <ProductView product={product.data} />;
}

function ProductView({ product: p }: { product: ProductDetail }) {
  const f = productFacts(p.document);
  const outputs = p.ports.filter((x) => x.direction === "output");
  const inputs = p.ports.filter((x) => x.direction === "input");
  const management = p.ports.filter((x) => x.direction === "management");
  const current = f.members.filter((m) => !m.dateOut);
  const former = f.members.filter((m) => m.dateOut);
  return (
    <article className="page product-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link href="/">Search</Link> <span aria-hidden="true">/</span>{" "}
        {p.domain ? <Link href={hrefWith("/", { domain: p.domain })}>{p.domain}</Link> : "no domain"}{" "}
        <span aria-hidden="true">/</span> <span aria-current="page">{p.name}</span>
      </nav>
      <header className="product-head">
        <div>
          <h1>
            {p.name} <StatusBadge status={p.status} />
          </h1>
          <p className="mono muted">
            {p.id} · v{p.version} · updated {new Date(p.updatedAt).toLocaleDateString()}
          </p>
          <p className="lead">{p.summary}</p>
          {p.tags.length > 0 && (
            <ul className="tags" aria-label="Tags">
              {p.tags.map((t) => (
                <li key={t}>
                  <Link href={hrefWith("/", { tag: t })} className="tag-link">
                    <Tag>{t}</Tag>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
        <dl className="facts product-facts">
          <div>
            <dt>Domain</dt>
            <dd>{p.domain ?? "—"}</dd>
          </div>
          <div>
            <dt>Owner team</dt>
            <dd>
              {f.teamName ?? p.team ?? "—"}
              {p.team && f.teamName && <div className="muted small mono">{p.team}</div>}
            </dd>
          </div>
          <div>
            <dt>Ports</dt>
            <dd>
              {outputs.length} output · {inputs.length} input · {management.length} management
            </dd>
          </div>
          <div>
            <dt>Lineage</dt>
            <dd>
              <Link href={hrefWith("/map", { focus: p.id })}>Show on the mesh map</Link>
            </dd>
          </div>
        </dl>
      </header>

      <nav className="toc" aria-label="On this page">
        <a href="#about">About</a>
        <a href="#ports">Output ports</a>
        <a href="#access">Access</a>
        <a href="#inputs">Inputs</a>
        <a href="#team">Team</a>
        {f.glossary.length > 0 && <a href="#glossary">Glossary</a>}
        <a href="#health">Quality, certification and usage</a>
        <a href="#history">History</a>
      </nav>

      <section id="about" aria-labelledby="about-title">
        <h2 id="about-title">About</h2>
        <dl className="facts">
          {f.purpose && (
            <div className="wide">
              <dt>Purpose</dt>
              <dd>{f.purpose}</dd>
            </div>
          )}
          {f.usage && (
            <div className="wide">
              <dt>Usage</dt>
              <dd>{f.usage}</dd>
            </div>
          )}
          {f.limitations && (
            <div className="wide">
              <dt>Limitations</dt>
              <dd>{f.limitations}</dd>
            </div>
          )}
          {f.properties.map((x) => (
            <div key={x.name}>
              <dt title={x.description ?? undefined}>{humanize(x.name)}</dt>
              <dd>{x.value}</dd>
            </div>
          ))}
        </dl>
        {(f.support.length > 0 || f.links.length > 0) && (
          <ul className="plain links">
            {f.support.map((s, i) => {
              const url = safeUrl(s.url);
              const label = `${s.tool ?? "support"}${s.channel ? ` ${s.channel}` : ""}`;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: order is the document's
                <li key={`s${i}`}>
                  <strong>Support{s.scope ? ` (${s.scope})` : ""}:</strong> {url ? <a href={url}>{label}</a> : label}
                  {s.description && <span className="muted"> · {s.description}</span>}
                </li>
              );
            })}
            {f.links.map((l, i) => {
              const url = safeUrl(l.url);
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: order is the document's
                <li key={`l${i}`}>
                  <strong>{humanize(l.type)}:</strong> {url ? <a href={url}>{l.description ?? url}</a> : l.url}
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section id="ports" aria-labelledby="ports-title">
        <h2 id="ports-title">Output ports and contracts</h2>
        <OutputPorts product={p} outputs={outputs} />
      </section>

      <section id="access" aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        <AccessPanel productId={p.id} ownerTeam={p.team} outputs={outputs} />
      </section>

      <section id="inputs" aria-labelledby="inputs-title">
        <h2 id="inputs-title">Inputs and management ports</h2>
        {inputs.length === 0 ? (
          <p className="muted">No input ports: this product reads from outside the mesh.</p>
        ) : (
          <ul className="plain">
            {inputs.map((x) => (
              <li key={x.name}>
                <InputPort port={x} />
              </li>
            ))}
          </ul>
        )}
        {management.length > 0 && (
          <ul className="plain">
            {management.map((x) => (
              <li key={x.name}>
                <strong className="mono">{x.name}</strong>{" "}
                <span className="muted">({x.type ?? "port"}, management)</span> {x.description}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section id="team" aria-labelledby="team-title">
        <h2 id="team-title">Team</h2>
        {f.members.length === 0 ? (
          <p className="muted">The product names no team members.</p>
        ) : (
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  <th scope="col">Until</th>
                  <th scope="col">Notes</th>
                </tr>
              </thead>
              <tbody>
                {[...current, ...former].map((m, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: one person may hold two roles
                  <tr key={i} className={m.dateOut ? "former" : undefined}>
                    <th scope="row">
                      {m.name}
                      {m.username && <div className="muted small">{m.username}</div>}
                    </th>
                    <td>{m.role ?? "—"}</td>
                    <td>{m.dateIn ?? "—"}</td>
                    <td>{m.dateOut ?? <span className="badge badge-good">current</span>}</td>
                    <td>
                      {m.description}
                      {m.replacedBy && <div className="muted small">replaced by {m.replacedBy}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      {f.glossary.length > 0 && (
        <section id="glossary" aria-labelledby="glossary-title">
          <h2 id="glossary-title">Glossary</h2>
          <dl className="glossary">
            {f.glossary.map((g) => {
              const url = safeUrl(g.url);
              return (
                <div key={g.term}>
                  <dt>{url ? <a href={url}>{g.term}</a> : g.term}</dt>
                  <dd>{g.definition ?? <span className="muted">No definition.</span>}</dd>
                </div>
              );
            })}
          </dl>
        </section>
      )}

      <section id="health" aria-labelledby="health-title">
        <h2 id="health-title">Quality, certification and usage</h2>
        <HealthPanel productId={p.id} />
      </section>

      <section id="history" aria-labelledby="history-title">
        <h2 id="history-title">Version history</h2>
        <ol className="plain history">
          {p.versions.map((v) => (
            <li key={v.version}>
              <strong className="mono">v{v.version}</strong> published {new Date(v.publishedAt).toLocaleString()}
              {v.publishedBy && <span className="muted"> by {v.publishedBy}</span>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function OutputPorts({ product: p, outputs }: { product: ProductDetail; outputs: Port[] }) {
  const { query } = useLocation();
  if (outputs.length === 0) return <p className="muted">This product has no output ports.</p>;
  const selected = outputs.find((o) => o.name === query.get("port")) ?? outputs[0];
  if (!selected) return null;
  const select = (name: string) =>
    navigate(`${hrefWith(`/products/${encodeURIComponent(p.id)}`, { port: name })}#ports`, { replace: true });
  return (
    <>
      <div role="tablist" aria-label="Output ports" className="tabs">
        {outputs.map((o) => (
          <button
            key={o.name}
            type="button"
            role="tab"
            id={`tab-${o.name}`}
            aria-selected={o === selected}
            aria-controls="port-panel"
            tabIndex={o === selected ? 0 : -1}
            onClick={() => select(o.name)}
            onKeyDown={(e) => {
              const i = outputs.indexOf(o);
              const next = e.key === "ArrowRight" ? outputs[i + 1] : e.key === "ArrowLeft" ? outputs[i - 1] : undefined;
              if (next) {
                select(next.name);
                document.getElementById(`tab-${next.name}`)?.focus();
              }
            }}
          >
            {o.name} <span className="muted small">{o.type ?? ""}</span>
          </button>
        ))}
      </div>
      <div id="port-panel" role="tabpanel" aria-labelledby={`tab-${selected.name}`} className="tab-panel">
        {selected.description && <p>{selected.description}</p>}
        {selected.contractId ? (
          <PortContract productId={p.id} port={selected.name} contractId={selected.contractId} />
        ) : (
          <p className="muted">This port has no data contract.</p>
        )}
      </div>
    </>
  );
}

function PortContract({ productId, port, contractId }: { productId: string; port: string; contractId: string }) {
  const loaded = useApi(
    async (signal) => {
      const versions = await api.contractVersions(productId, contractId, signal);
      const newest = versions.items[0];
      if (!newest) return undefined;
      const contract = await api.contractVersion(productId, contractId, newest.version, signal);
      return { versions: versions.items, contract };
    },
    [productId, contractId],
  );
  if (loaded.status === "loading") return <Loading label="Loading the contract" />;
  if (loaded.status === "error") return <ErrorState error={loaded.error} title="Cannot load the contract" />;
  if (!loaded.data) return <p className="muted">No published version of {contractId}.</p>;
  return (
    <ContractView productId={productId} port={port} contract={loaded.data.contract} versions={loaded.data.versions} />
  );
}

function InputPort({ port }: { port: Port }) {
  const owner = useApi(
    async () => (port.contractId ? findContractOwner(port.contractId, cachedProduct) : undefined),
    [port.contractId],
  );
  return (
    <>
      <strong className="mono">{port.name}</strong>{" "}
      {port.contractId ? (
        <>
          reads contract <span className="mono">{port.contractId}</span>
          {port.version && <span className="muted"> v{port.version}</span>}
          {owner.status === "ok" && owner.data && (
            <>
              {" "}
              from <Link href={`/products/${encodeURIComponent(owner.data.id)}`}>{owner.data.name}</Link>
            </>
          )}
          {owner.status === "ok" && !owner.data && <span className="muted"> (not published in this mesh)</span>}
        </>
      ) : (
        <span className="muted">no contract named</span>
      )}
      {port.description && <span> · {port.description}</span>}
    </>
  );
}
