import { lazy, type ReactNode, Suspense, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import { api } from "../api/api-client.js";
import { cachedProduct } from "../api/product-cache.js";
import type { ContractVersion, ContractVersionSummary, Port, ProductDetail } from "../api/types.js";
import { type Loadable, useApi } from "../api/use-api.js";
import { AccessPanel } from "../components/access-panel.js";
import { StatusBadge, Tag } from "../components/badges.js";
import { ContractQuality } from "../components/contract-quality.js";
import { ContractSchema } from "../components/contract-schema.js";
import { ContractTerms } from "../components/contract-terms.js";
import { HealthPanel } from "../components/health-panel.js";
import { LineageSection } from "../components/lineage-section.js";
import { PortUse } from "../components/port-use.js";
import { ErrorState, Loading } from "../components/states.js";
import { TableWrap } from "../components/table-wrap.js";
import { useFold } from "../components/use-fold.js";
import { WideFact } from "../components/wide-fact.js";
import { type ContractFacts, contractFacts } from "../lib/contract-facts.js";
import { findContractOwner } from "../lib/contract-owner.js";
import { humanize, productFacts, safeUrl } from "../lib/product-facts.js";
import { type ProductSection, productSections, sectionOfHash } from "../lib/product-sections.js";
import { hrefWith, Link, navigate, useLocation } from "../router.js";

// Its own chunk: charts and profiles are for readers who open the Monitoring section.
const ProductMonitoring = lazy(() =>
  import("../components/product-monitoring.js").then((m) => ({ default: m.ProductMonitoring })),
);

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
  const { query } = useLocation();
  const target = sectionOfHash(useHash());
  const section = target.section;
  const selected = outputs.find((o) => o.name === query.get("port")) ?? outputs[0];
  const contract = usePortContract(p.id, selected?.contractId ?? undefined);
  const nav = useRef<HTMLElement>(null);
  const panels = useRef<HTMLDivElement>(null);
  const switched = useRef(false);
  const lineageOpened = useRef(false);
  if (section === "lineage") lineageOpened.current = true;
  const monitoringOpened = useRef(false);
  if (section === "monitoring") monitoringOpened.current = true;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every switch of section, not only of anchor
  useEffect(() => {
    if (target.anchor) document.getElementById(target.anchor)?.scrollIntoView();
    else if (switched.current) {
      // A reader deep in a long section who switches starts at the top of the next one, under the nav.
      const navBottom = nav.current?.getBoundingClientRect().bottom ?? 0;
      const top = panels.current?.getBoundingClientRect().top ?? navBottom;
      if (top < navBottom) window.scrollBy(0, top - navBottom - 12);
    }
    switched.current = true;
  }, [target.section, target.anchor]);
  const ports = { productId: p.id, outputs, selected, contract };
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

      <nav ref={nav} className="section-nav" aria-label="Sections of this page">
        <ul className="section-nav-list">
          {productSections.map((s) => (
            <li key={s.id}>
              <a className="section-nav-link" href={`#${s.id}`} aria-current={s.id === section ? "true" : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <div ref={panels}>
        <div id="overview" className="section-panel" hidden={section !== "overview"}>
          <section id="about" aria-labelledby="about-title">
            <h2 id="about-title">About</h2>
            <dl className="facts">
              <WideFact label="Purpose" value={f.purpose} />
              <WideFact label="Usage" value={f.usage} />
              <WideFact label="Limitations" value={f.limitations} />
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
                      <strong>Support{s.scope ? ` (${s.scope})` : ""}:</strong>{" "}
                      {url ? <a href={url}>{label}</a> : label}
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

          <TeamSection members={f.members} />
          {f.glossary.length > 0 && <GlossarySection glossary={f.glossary} />}
          <HistorySection versions={p.versions} />
        </div>

        <div id="schema" className="section-panel" hidden={section !== "schema"}>
          <section id="ports" aria-labelledby="ports-title">
            <h2 id="ports-title">Output ports and their schema</h2>
            <PortPanel
              section="schema"
              {...ports}
              render={(c) => (
                <ContractSchema
                  productId={p.id}
                  contractId={c.contract.contractId}
                  facts={c.facts}
                  versions={c.versions}
                />
              )}
            />
          </section>
        </div>

        <div id="quality" className="section-panel" hidden={section !== "quality"}>
          <section aria-labelledby="quality-section-title">
            <h2 id="quality-section-title">Quality and service levels</h2>
            <PortPanel section="quality" {...ports} render={(c) => <ContractQuality facts={c.facts} />} />
          </section>
        </div>

        <div id="use" className="section-panel" hidden={section !== "use"}>
          <section aria-labelledby="use-title">
            <h2 id="use-title">Use a port</h2>
            <PortPanel
              section="use"
              {...ports}
              render={(c) => (
                <>
                  <ContractTerms facts={c.facts} />
                  <PortUse input={{ productId: p.id, port: c.port }} />
                </>
              )}
            />
          </section>
          <section id="access" aria-labelledby="access-title">
            <h2 id="access-title">Access</h2>
            <AccessPanel productId={p.id} ownerTeam={p.team} outputs={outputs} />
          </section>
        </div>

        <div id="health" className="section-panel" hidden={section !== "health"}>
          <section aria-labelledby="health-title">
            <h2 id="health-title">Quality, certification and usage</h2>
            <HealthPanel productId={p.id} />
          </section>
        </div>

        <div id="monitoring" className="section-panel" hidden={section !== "monitoring"}>
          <section aria-labelledby="monitoring-title">
            <h2 id="monitoring-title">Monitoring</h2>
            {/* Loaded on the first visit: five requests a reader of the overview does not need. */}
            {(section === "monitoring" || monitoringOpened.current) && (
              <Suspense fallback={<Loading label="Loading the monitoring" />}>
                <ProductMonitoring
                  productId={p.id}
                  outputs={outputs}
                  selected={selected}
                  declared={
                    contract.status === "ok" && contract.data
                      ? contract.data.facts.datasets.map((d) => ({
                          name: d.name,
                          physicalName: d.physicalName,
                          columns: d.rows.filter((r) => r.depth === 0).map((r) => r.name),
                        }))
                      : undefined
                  }
                  onSelect={(name) =>
                    navigate(`${hrefWith(`/products/${encodeURIComponent(p.id)}`, { port: name })}#monitoring`, {
                      replace: true,
                    })
                  }
                />
              </Suspense>
            )}
          </section>
        </div>

        <div id="lineage" className="section-panel" hidden={section !== "lineage"}>
          <section aria-labelledby="lineage-title">
            <h2 id="lineage-title">Lineage</h2>
            <p className="muted">
              Where this product's data comes from and where it goes, from products down to columns. It starts one step
              each way; click a node to load the next.
            </p>
            {/* Loaded on the first visit to the section, then kept, so switching back keeps what was opened. */}
            {(section === "lineage" || lineageOpened.current) && <LineageSection key={p.id} productId={p.id} />}
          </section>
        </div>
      </div>
    </article>
  );
}

// The URL hash as a store: a section link changes it (hashchange), back and forward too (popstate).
function subscribeHash(listener: () => void): () => void {
  window.addEventListener("hashchange", listener);
  window.addEventListener("popstate", listener);
  return () => {
    window.removeEventListener("hashchange", listener);
    window.removeEventListener("popstate", listener);
  };
}
const hashSnapshot = () => window.location.hash;
function useHash(): string {
  return useSyncExternalStore(subscribeHash, hashSnapshot, () => "");
}

type Member = ReturnType<typeof productFacts>["members"][number];

function TeamSection({ members }: { members: Member[] }) {
  const people = useMemo(() => [...members.filter((m) => !m.dateOut), ...members.filter((m) => m.dateOut)], [members]);
  const rows = useFold(people, 6, "people");
  return (
    <section id="team" aria-labelledby="team-title">
      <h2 id="team-title">Team</h2>
      {people.length === 0 ? (
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
              {rows.shown.map((m, i) => (
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
      {rows.toggle}
    </section>
  );
}

function GlossarySection({ glossary }: { glossary: ReturnType<typeof productFacts>["glossary"] }) {
  const terms = useFold(glossary, 8, "terms");
  return (
    <section id="glossary" aria-labelledby="glossary-title">
      <h2 id="glossary-title">Glossary</h2>
      <dl className="glossary">
        {terms.shown.map((g) => {
          const url = safeUrl(g.url);
          return (
            <div key={g.term}>
              <dt>{url ? <a href={url}>{g.term}</a> : g.term}</dt>
              <dd>{g.definition ?? <span className="muted">No definition.</span>}</dd>
            </div>
          );
        })}
      </dl>
      {terms.toggle}
    </section>
  );
}

function HistorySection({ versions }: { versions: ProductDetail["versions"] }) {
  const shown = useFold(versions, 5, "versions");
  return (
    <section id="history" aria-labelledby="history-title">
      <h2 id="history-title">Version history</h2>
      <ol className="plain history">
        {shown.shown.map((v) => (
          <li key={v.version}>
            <strong className="mono">v{v.version}</strong> published {new Date(v.publishedAt).toLocaleString()}
            {v.publishedBy && <span className="muted"> by {v.publishedBy}</span>}
          </li>
        ))}
      </ol>
      {shown.toggle}
    </section>
  );
}

interface LoadedContract {
  port: string;
  contract: ContractVersion;
  versions: ContractVersionSummary[];
  facts: ContractFacts;
}

/** The newest version of the selected port's contract, loaded once for every section that shows it. */
function usePortContract(productId: string, contractId: string | undefined): Loadable<LoadedContract | undefined> {
  return useApi(
    async (signal) => {
      if (!contractId) return undefined;
      const versions = await api.contractVersions(productId, contractId, signal);
      const newest = versions.items[0];
      if (!newest) return undefined;
      const contract = await api.contractVersion(productId, contractId, newest.version, signal);
      return { port: "", contract, versions: versions.items, facts: contractFacts(contract.document) };
    },
    [productId, contractId],
  );
}

const tabId = (section: ProductSection, port: string) => `tab-${section}-${port}`;

/**
 * The output port tabs and, under them, one section's part of the selected port's contract. Each
 * contract section has its own tabs (the same selection, kept in `?port=`), so a reader switching
 * from the schema to the quality rules stays on the same port.
 */
function PortPanel({
  section,
  productId,
  outputs,
  selected,
  contract,
  render,
}: {
  section: ProductSection;
  productId: string;
  outputs: Port[];
  selected: Port | undefined;
  contract: Loadable<LoadedContract | undefined>;
  render: (c: LoadedContract) => ReactNode;
}) {
  if (!selected) return <p className="muted">This product has no output ports.</p>;
  const select = (name: string) =>
    navigate(`${hrefWith(`/products/${encodeURIComponent(productId)}`, { port: name })}${window.location.hash}`, {
      replace: true,
    });
  let body: ReactNode;
  if (!selected.contractId) body = <p className="muted">This port has no data contract.</p>;
  else if (contract.status === "loading") body = <Loading label="Loading the contract" />;
  else if (contract.status === "error") body = <ErrorState error={contract.error} title="Cannot load the contract" />;
  else if (!contract.data) body = <p className="muted">No published version of {selected.contractId}.</p>;
  else {
    const c = contract.data;
    body = (
      <div className="contract">
        <ContractHead productId={productId} contract={c.contract} facts={c.facts} />
        {render({ ...c, port: selected.name })}
      </div>
    );
  }
  return (
    <>
      <div role="tablist" aria-label="Output ports" className="tabs">
        {outputs.map((o) => (
          <button
            key={o.name}
            type="button"
            role="tab"
            id={tabId(section, o.name)}
            aria-selected={o === selected}
            aria-controls={`${section}-port-panel`}
            tabIndex={o === selected ? 0 : -1}
            onClick={() => select(o.name)}
            onKeyDown={(e) => {
              const i = outputs.indexOf(o);
              const next = e.key === "ArrowRight" ? outputs[i + 1] : e.key === "ArrowLeft" ? outputs[i - 1] : undefined;
              if (next) {
                select(next.name);
                document.getElementById(tabId(section, next.name))?.focus();
              }
            }}
          >
            {o.name} <span className="muted small">{o.type ?? ""}</span>
          </button>
        ))}
      </div>
      <div
        id={`${section}-port-panel`}
        role="tabpanel"
        aria-labelledby={tabId(section, selected.name)}
        className="tab-panel"
      >
        {selected.description && <p>{selected.description}</p>}
        {body}
      </div>
    </>
  );
}

function ContractHead({
  productId,
  contract,
  facts: f,
}: {
  productId: string;
  contract: ContractVersion;
  facts: ContractFacts;
}) {
  return (
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
