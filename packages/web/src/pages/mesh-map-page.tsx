import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import { cachedProduct } from "../api/product-cache.js";
import type { MeshEdge, ProductDetail } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { StatusBadge } from "../components/badges.js";
import { Empty, ErrorState, Loading } from "../components/states.js";
import { findContractOwner } from "../lib/contract-owner.js";
import { curvePath, type GraphEdge, layoutGraph, layoutSizes } from "../lib/graph-layout.js";
import { hrefWith, Link, navigate, useLocation } from "../router.js";

/** Beyond this many products the map stops adding nodes: a picture of thousands helps nobody. */
const maxNodes = 150;

interface Graph {
  nodes: Map<string, ProductDetail>;
  edges: GraphEdge[];
  /** Products whose inputs are loaded. */
  expanded: Set<string>;
  /** Input contracts no published product provides. */
  unresolved: Map<string, string[]>;
  /** Teams reading a product through an agreement, with no product of their own to draw. */
  teamReaders: Map<string, { team: string; port: string }[]>;
}

const emptyGraph = (): Graph => ({
  nodes: new Map(),
  edges: [],
  expanded: new Set(),
  unresolved: new Map(),
  teamReaders: new Map(),
});

const addEdge = (edges: GraphEdge[], e: GraphEdge) => {
  if (!edges.some((x) => x.from === e.from && x.to === e.to && x.label === e.label)) edges.push(e);
};

/**
 * Loads one product's neighbourhood: upstream, the products whose contracts its input ports read;
 * downstream, the products of the teams holding an agreement on it (from the mesh's edges).
 */
async function expand(graph: Graph, id: string, mesh: readonly MeshEdge[]): Promise<Graph> {
  const product = graph.nodes.get(id) ?? (await cachedProduct(id));
  if (!product) return graph;
  const next: Graph = {
    nodes: new Map(graph.nodes).set(id, product),
    edges: [...graph.edges],
    expanded: new Set(graph.expanded).add(id),
    unresolved: new Map(graph.unresolved),
    teamReaders: new Map(graph.teamReaders),
  };
  const inputs = product.ports.filter((p) => p.direction === "input" && p.contractId);
  const owners = await Promise.all(inputs.map((p) => findContractOwner(p.contractId ?? "", cachedProduct)));
  inputs.forEach((port, i) => {
    const owner = owners[i];
    if (!owner) {
      next.unresolved.set(id, [...(next.unresolved.get(id) ?? []), port.contractId ?? port.name]);
      return;
    }
    if (!next.nodes.has(owner.id) && next.nodes.size >= maxNodes) return;
    next.nodes.set(owner.id, owner);
    addEdge(next.edges, { from: owner.id, to: id, label: port.name, kind: "input" });
  });
  const downstream = mesh.filter((e) => e.productId === id);
  const agreements = downstream.filter((e) => e.kind === "agreement");
  const readers = await Promise.all(
    downstream.flatMap((e) => e.consumerProducts.map(async (pid) => ({ e, reader: await cachedProduct(pid) }))),
  );
  for (const { e, reader } of readers) {
    if (!reader || (!next.nodes.has(reader.id) && next.nodes.size >= maxNodes)) continue;
    next.nodes.set(reader.id, reader);
    // A product reading through its input port is the same link its own expansion draws upstream.
    addEdge(
      next.edges,
      e.kind === "input-port"
        ? { from: id, to: reader.id, label: e.inputPort ?? e.port, kind: "input" }
        : { from: id, to: reader.id, label: `${e.port} · ${e.consumerTeam}`, kind: "agreement" },
    );
  }
  const teams = agreements
    .filter((e) => e.consumerProducts.length === 0)
    .map((e) => ({ team: e.consumerTeam, port: e.port }));
  if (teams.length > 0) next.teamReaders.set(id, teams);
  return next;
}

export function MeshMapPage() {
  const { query } = useLocation();
  const focus = query.get("focus") ?? "";
  const start = useApi((signal) => (focus ? Promise.resolve(undefined) : api.products({ limit: 12 }, signal)), [focus]);

  return (
    <div className="page map-page">
      <header className="map-head">
        <h1>Mesh map</h1>
        <p className="muted">
          Data products and the contracts that connect them. Start from one product and load its neighbourhood step by
          step; the map never draws the whole mesh at once.
        </p>
        <ProductPicker />
      </header>
      {focus ? (
        <MapCanvas key={focus} focus={focus} />
      ) : start.status === "loading" ? (
        <Loading />
      ) : start.status === "error" ? (
        <ErrorState error={start.error} />
      ) : start.data && start.data.items.length > 0 ? (
        <section aria-labelledby="start-title">
          <h2 id="start-title">Start from a product</h2>
          <ul className="start-list">
            {start.data.items.map((p) => (
              <li key={p.id}>
                <Link href={hrefWith("/map", { focus: p.id })}>{p.name}</Link>{" "}
                <span className="muted mono small">{p.id}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <Empty title="No data products published yet">Publish one with quanta publish.</Empty>
      )}
    </div>
  );
}

function ProductPicker() {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 150);
    return () => clearTimeout(t);
  }, [text]);
  const found = useApi((signal) => (q ? api.products({ q, limit: 8 }, signal) : Promise.resolve(undefined)), [q]);
  return (
    <div className="picker">
      <label htmlFor="map-search">Centre the map on</label>
      <input
        id="map-search"
        type="search"
        value={text}
        placeholder="product name or id"
        autoComplete="off"
        onChange={(e) => setText(e.target.value)}
      />
      {q && found.status === "ok" && found.data && (
        <ul className="picker-results" aria-label="Matching products">
          {found.data.items.length === 0 && <li className="muted">No match.</li>}
          {found.data.items.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="button link"
                onClick={() => {
                  setText("");
                  navigate(hrefWith("/map", { focus: p.id }));
                }}
              >
                {p.name} <span className="muted mono small">{p.id}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function MapCanvas({ focus }: { focus: string }) {
  const [graph, setGraph] = useState<Graph>(emptyGraph);
  const [busy, setBusy] = useState<string | undefined>(focus);
  const [error, setError] = useState<ApiError | undefined>();
  const [selected, setSelected] = useState(focus);
  const [zoom, setZoom] = useState(1);

  const graphRef = useRef(graph);
  graphRef.current = graph;

  const load = useCallback((id: string) => {
    setBusy(id);
    setError(undefined);
    meshEdges()
      .then((mesh) => expand(graphRef.current, id, mesh))
      .then(
        (next) => {
          setGraph((current) => mergeGraphs(current, next));
          setBusy(undefined);
        },
        (e: unknown) => {
          setError(toApiError(e));
          setBusy(undefined);
        },
      );
  }, []);

  useEffect(() => load(focus), [focus, load]);

  const layout = useMemo(() => layoutGraph(focus, [...graph.nodes.keys()], graph.edges), [focus, graph]);
  const sel = graph.nodes.get(selected);

  if (graph.nodes.size === 0) {
    if (error) return <ErrorState error={error} title="Cannot load the map" />;
    if (busy) return <Loading label="Loading the neighbourhood" />;
    return <Empty title={`No data product ${focus}`}>Pick another product above.</Empty>;
  }
  const { nodeWidth: w, nodeHeight: h } = layoutSizes;
  return (
    <div className="map-layout">
      <div className="map-canvas-wrap">
        <div className="map-tools" role="toolbar" aria-label="Zoom">
          <button
            type="button"
            className="button"
            onClick={() => setZoom((z) => Math.min(2, z + 0.25))}
            aria-label="Zoom in"
          >
            +
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setZoom((z) => Math.max(0.25, z - 0.25))}
            aria-label="Zoom out"
          >
            −
          </button>
          <button type="button" className="button" onClick={() => setZoom(1)}>
            Reset
          </button>
          <span className="muted small" aria-live="polite">
            {graph.nodes.size} product{graph.nodes.size === 1 ? "" : "s"}, {graph.edges.length} connection
            {graph.edges.length === 1 ? "" : "s"}
            {busy ? " · loading…" : ""}
          </span>
        </div>
        <div className="map-scroll">
          <svg
            className="map"
            width={layout.width * zoom}
            height={layout.height * zoom}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            aria-labelledby="map-title"
          >
            <title id="map-title">Mesh map around {focus}</title>
            <defs>
              <marker
                id="arrow"
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" className="map-arrow" />
              </marker>
            </defs>
            {layout.edges.map((e) => (
              <g key={`${e.from}>${e.to}>${e.label}`} className={`map-edge map-edge-${e.kind ?? "input"}`}>
                <path d={curvePath(e.curve)} markerEnd="url(#arrow)" />
                <title>
                  {e.from} → {e.to} ({e.label})
                </title>
              </g>
            ))}
            {layout.nodes.map((n) => {
              const p = graph.nodes.get(n.id);
              if (!p) return null;
              const cls = `map-node${n.id === focus ? " focus" : ""}${n.id === selected ? " selected" : ""}${graph.expanded.has(n.id) ? "" : " collapsed"}`;
              return (
                // An HTML button inside the SVG: focusable, announced and pressed like any button.
                <foreignObject key={n.id} x={n.x} y={n.y} width={w} height={h}>
                  <button
                    type="button"
                    className={cls}
                    aria-pressed={n.id === selected}
                    title={`${p.name} (${p.id})`}
                    onClick={() => {
                      setSelected(n.id);
                      if (!graph.expanded.has(n.id)) load(n.id);
                    }}
                  >
                    <span className="map-node-name">{p.name}</span>
                    <span className="map-node-id">{p.id}</span>
                    {!graph.expanded.has(n.id) && p.ports.some((x) => x.direction === "input") && (
                      <span className="map-node-more">
                        +<span className="visually-hidden"> (inputs not loaded yet)</span>
                      </span>
                    )}
                  </button>
                </foreignObject>
              );
            })}
          </svg>
        </div>
        {error && <ErrorState error={error} title="Could not load that neighbourhood" />}
      </div>
      <aside className="map-side card" aria-label="Selected product">
        {sel ? (
          <>
            <h2>
              <Link href={`/products/${encodeURIComponent(sel.id)}`}>{sel.name}</Link>
            </h2>
            <p className="mono small muted">
              {sel.id} · v{sel.version}
            </p>
            <StatusBadge status={sel.status} />
            <p>{sel.summary}</p>
            <h3>Reads from</h3>
            <ul className="plain">
              {graph.edges
                .filter((e) => e.to === sel.id)
                .map((e) => (
                  <li key={`${e.from}${e.label}`}>
                    <button type="button" className="button link" onClick={() => setSelected(e.from)}>
                      {graph.nodes.get(e.from)?.name ?? e.from}
                    </button>{" "}
                    <span className="muted small">via {e.label}</span>
                  </li>
                ))}
              {(graph.unresolved.get(sel.id) ?? []).map((c) => (
                <li key={c} className="muted">
                  <span className="mono">{c}</span> (no published product provides it)
                </li>
              ))}
              {graph.expanded.has(sel.id) &&
                !graph.edges.some((e) => e.to === sel.id) &&
                !graph.unresolved.has(sel.id) && <li className="muted">No input ports.</li>}
              {!graph.expanded.has(sel.id) && (
                <li>
                  <button type="button" className="button" onClick={() => load(sel.id)}>
                    Load its inputs
                  </button>
                </li>
              )}
            </ul>
            <h3>Read by</h3>
            <ul className="plain">
              {graph.edges
                .filter((e) => e.from === sel.id)
                .map((e) => (
                  <li key={`${e.to}${e.label}`}>
                    <button type="button" className="button link" onClick={() => setSelected(e.to)}>
                      {graph.nodes.get(e.to)?.name ?? e.to}
                    </button>{" "}
                    <span className="muted small">
                      {e.kind === "agreement" ? `agreement on ${e.label}` : `input port ${e.label}`}
                    </span>
                  </li>
                ))}
              {(graph.teamReaders.get(sel.id) ?? []).map((r) => (
                <li key={`${r.team}${r.port}`}>
                  team <strong>{r.team}</strong> <span className="muted small">agreement on {r.port}</span>
                </li>
              ))}
            </ul>
            <p className="muted small">
              Readers come from data usage agreements and from the input ports of products already on the map.
            </p>
            {sel.id !== focus && (
              <Link className="button" href={hrefWith("/map", { focus: sel.id })}>
                Centre the map here
              </Link>
            )}
          </>
        ) : (
          <p className="muted">Select a product on the map.</p>
        )}
        {graph.nodes.size >= maxNodes && (
          <p className="muted small">
            The map shows at most {maxNodes} products; centre it on one to see more around it.
          </p>
        )}
      </aside>
    </div>
  );
}

// The mesh's agreement edges, read once per page session (one small request, no product bodies).
let meshCache: Promise<MeshEdge[]> | undefined;
function meshEdges(): Promise<MeshEdge[]> {
  meshCache ??= api.mesh().then(
    (r) => r.edges,
    (e: unknown) => {
      meshCache = undefined;
      throw e;
    },
  );
  return meshCache;
}

function mergeGraphs(current: Graph, next: Graph): Graph {
  const nodes = new Map([...current.nodes, ...next.nodes]);
  const edges = [...current.edges];
  for (const e of next.edges) addEdge(edges, e);
  return {
    nodes,
    edges,
    expanded: new Set([...current.expanded, ...next.expanded]),
    unresolved: new Map([...current.unresolved, ...next.unresolved]),
    teamReaders: new Map([...current.teamReaders, ...next.teamReaders]),
  };
}
