import { type KeyboardEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import { cachedProduct } from "../api/product-cache.js";
import { toApiError } from "../api/use-api.js";
import { contractFacts } from "../lib/contract-facts.js";
import {
  addPortColumns,
  columnPath,
  countText,
  edgePathOf,
  emptyView,
  type LineageKind,
  type LineageLayout,
  type LineageView,
  layoutLineage,
  maxViewNodes,
  mergeAnswer,
  neighbourFor,
  nodeLabel,
  type PlacedViewNode,
  parseLineageId,
  productOf,
  stepsToAsk,
  transformationsOf,
  type ViewEdge,
  visibleIn,
} from "../lib/lineage-graph.js";
import { Link } from "../router.js";
import { ApiProblem, ErrorState, Loading } from "./states.js";
import { useFold } from "./use-fold.js";

/** A column's path is asked this many hops each way at once: paths are short, and cut at 500 nodes. */
const pathDepth = 10;
/** Below this zoom nodes are drawn without their text: thousands of labels help nobody at that size. */
const labelZoom = 0.6;
const zooms = [0.25, 0.4, 0.6, 0.8, 1, 1.25, 1.5] as const;

const kindNames: Record<LineageKind, string> = {
  product: "data product",
  port: "output port",
  column: "column",
  job: "job",
  dataset: "outside dataset",
  team: "consumer team",
  other: "other",
};
const originNames: Record<string, string> = {
  declared: "declared (publish)",
  pipeline: "pipeline (column SQL)",
  agreement: "agreement",
  openlineage: "OpenLineage",
};
const knownOrigins = new Set(Object.keys(originNames));
const originClass = (origin: string) => (knownOrigins.has(origin) ? origin : "other");

function layerText(layer: number): string {
  if (layer === 0) return "the product itself";
  const n = Math.abs(layer);
  return `${n} step${n === 1 ? "" : "s"} ${layer < 0 ? "upstream" : "downstream"}`;
}

/** The lineage of one product, from the product down to its columns, loaded a step at a time (ADR 0035). */
export default function LineageGraphView({ productId }: { productId: string }) {
  const focus = `product:${productId}`;
  const [view, setView] = useState<LineageView>(() => emptyView(focus));
  const [pending, setPending] = useState(0);
  const [firstError, setFirstError] = useState<ApiError | undefined>();
  const [error, setError] = useState<{ what: string; error: ApiError } | undefined>();
  const [loaded, setLoaded] = useState(false);
  const [selected, setSelected] = useState(focus);
  const [active, setActive] = useState(focus);
  const [zoom, setZoom] = useState(1);
  const asking = useRef(new Set<string>());
  const viewRef = useRef(view);
  viewRef.current = view;

  const ask = useCallback(async (id: string, depth: number, first = false) => {
    const steps = stepsToAsk(viewRef.current, id).filter((d) => !asking.current.has(`${id} ${d}`));
    if (steps.length === 0) return;
    for (const d of steps) asking.current.add(`${id} ${d}`);
    setPending((n) => n + 1);
    try {
      const answers = await Promise.all(steps.map((d) => api.lineage(id, d, depth)));
      setView((v) => answers.reduce((acc, a) => mergeAnswer(acc, a), v));
      setError(undefined);
      if (first) setLoaded(true);
    } catch (e) {
      const err = toApiError(e);
      if (first) setFirstError(err);
      else setError({ what: nodeLabel(id).title, error: err });
    } finally {
      for (const d of steps) asking.current.delete(`${id} ${d}`);
      setPending((n) => n - 1);
    }
  }, []);

  useEffect(() => {
    void ask(focus, 1, true);
  }, [ask, focus]);

  const showColumns = useCallback(async (portId: string) => {
    const p = parseLineageId(portId);
    if (p.kind !== "port") return;
    setPending((n) => n + 1);
    try {
      const product = await cachedProduct(p.product);
      const contractId = product?.ports.find((x) => x.name === p.port)?.contractId;
      const columns: { dataset: string; column: string }[] = [];
      if (contractId) {
        const versions = await api.contractVersions(p.product, contractId);
        const newest = versions.items[0];
        if (newest) {
          const doc = (await api.contractVersion(p.product, contractId, newest.version)).document;
          for (const d of contractFacts(doc).datasets)
            for (const r of d.rows) if (r.depth === 0) columns.push({ dataset: d.name, column: r.name });
        }
      }
      setView((v) => addPortColumns(v, portId, columns));
    } catch (e) {
      setError({ what: `the columns of ${p.port}`, error: toApiError(e) });
    } finally {
      setPending((n) => n - 1);
    }
  }, []);

  const activate = useCallback(
    (id: string) => {
      setSelected(id);
      setActive(id);
      void ask(id, parseLineageId(id).kind === "column" ? pathDepth : 1);
    },
    [ask],
  );

  const layout = useMemo(() => layoutLineage(view), [view]);
  const path = useMemo(
    () => (parseLineageId(selected).kind === "column" ? columnPath(view, selected) : undefined),
    [view, selected],
  );

  if (firstError) return <ApiProblem error={firstError} what="the lineage" api="GET /api/lineage" />;
  if (!loaded) return <Loading label="Loading the lineage" />;

  return (
    <div className="lineage">
      <LineageLegend />
      <div className="lineage-layout">
        <LineageCanvas
          view={view}
          layout={layout}
          focus={focus}
          selected={selected}
          active={active}
          setActive={setActive}
          activate={activate}
          path={path}
          zoom={zoom}
          setZoom={setZoom}
          busy={pending > 0}
        />
        <LineageSide
          view={view}
          selected={selected}
          productId={productId}
          path={path}
          busy={pending > 0}
          select={activate}
          expand={(id) => void ask(id, parseLineageId(id).kind === "column" ? pathDepth : 1)}
          showColumns={(id) => void showColumns(id)}
        />
      </div>
      {error && <ErrorState error={error.error} title={`Could not load the lineage of ${error.what}`} />}
      <Truncation view={view} />
      <LineageList view={view} layout={layout} select={activate} />
    </div>
  );
}

function Truncation({ view }: { view: LineageView }) {
  if (view.truncated.size === 0 && view.leftOut === 0) return null;
  return (
    <p className="lineage-truncated" role="note">
      <strong>More not shown.</strong>{" "}
      {view.truncated.size > 0 && (
        <>
          The platform answers at most 500 nodes a step, and cut the step from{" "}
          {[...view.truncated].map((id) => nodeLabel(id).title).join(", ")}.{" "}
        </>
      )}
      {view.leftOut > 0 && (
        <>
          {view.leftOut} more node{view.leftOut === 1 ? "" : "s"} left out: this view holds at most{" "}
          {maxViewNodes.toLocaleString("en")} nodes.
        </>
      )}
    </p>
  );
}

function LineageLegend() {
  return (
    <div className="lineage-legend">
      <h3 className="visually-hidden">Legend</h3>
      <ul className="plain lineage-legend-list">
        {(["product", "port", "column", "job", "dataset", "team"] as const).map((k) => (
          <li key={k}>
            <svg width="22" height="14" aria-hidden="true">
              <rect className={`lg-box lg-${k}`} x="1" y="1" width="20" height="12" rx="3" />
            </svg>{" "}
            {kindNames[k]}
          </li>
        ))}
      </ul>
      <ul className="plain lineage-legend-list">
        {[...Object.entries(originNames), ["other", "other origin"]].map(([o, name]) => (
          <li key={o}>
            <svg width="30" height="10" aria-hidden="true">
              <line className={`lg-edge lg-origin-${o}`} x1="1" y1="5" x2="29" y2="5" />
            </svg>{" "}
            {name}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Viewport {
  x: number;
  y: number;
  width: number;
  height: number;
}

function LineageCanvas({
  view,
  layout,
  focus,
  selected,
  active,
  setActive,
  activate,
  path,
  zoom,
  setZoom,
  busy,
}: {
  view: LineageView;
  layout: LineageLayout;
  focus: string;
  selected: string;
  active: string;
  setActive: (id: string) => void;
  activate: (id: string) => void;
  path: { nodes: Set<string>; edges: Set<string> } | undefined;
  zoom: number;
  setZoom: (z: number) => void;
  busy: boolean;
}) {
  const scroller = useRef<HTMLElement>(null);
  const [port, setPort] = useState<Viewport>({ x: 0, y: 0, width: 1200, height: 800 });
  const wantFocus = useRef(false);

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setPort({ x: el.scrollLeft, y: el.scrollTop, width: el.clientWidth, height: el.clientHeight });
  }, []);
  useLayoutEffect(() => {
    measure();
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [measure]);
  // Browsers fire scroll at most once a frame: measuring on each is measuring once a frame.
  const onScroll = measure;

  // Only what is on screen (and the selected and focused nodes) is drawn.
  const shown = useMemo(
    () =>
      visibleIn(
        layout,
        { x: port.x / zoom, y: port.y / zoom, width: port.width / zoom, height: port.height / zoom },
        200,
        [selected, active],
      ),
    [layout, port, zoom, selected, active],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: focus follows the active node once it is drawn
  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    const el = scroller.current?.querySelector<SVGGElement>(`[data-node="${CSS.escape(active)}"]`);
    el?.focus({ preventScroll: true });
  }, [active, shown]);

  const reveal = (n: PlacedViewNode) => {
    const el = scroller.current;
    if (!el) return;
    const left = n.x * zoom;
    const top = n.y * zoom;
    const pad = 40;
    if (left < el.scrollLeft || left + n.width * zoom > el.scrollLeft + el.clientWidth)
      el.scrollLeft = Math.max(0, left - pad);
    if (top < el.scrollTop || top + n.height * zoom > el.scrollTop + el.clientHeight)
      el.scrollTop = Math.max(0, top - pad);
    measure();
  };

  // A node selected from the side panel or the list is brought into view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new selection scrolls, not a new layout
  useEffect(() => {
    const n = layout.byId.get(selected);
    if (n) reveal(n);
  }, [selected]);

  const onKey = (e: KeyboardEvent<SVGGElement>, id: string) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      activate(id);
      return;
    }
    if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "ArrowUp" || e.key === "ArrowDown") {
      e.preventDefault();
      const next = neighbourFor(layout, view, id, e.key);
      const n = next ? layout.byId.get(next) : undefined;
      if (!next || !n) return;
      wantFocus.current = true;
      setActive(next);
      reveal(n);
    }
  };

  const zoomTo = (z: number) => {
    const el = scroller.current;
    if (el) {
      // Keep the middle of the screen where it was.
      const cx = (el.scrollLeft + el.clientWidth / 2) / zoom;
      const cy = (el.scrollTop + el.clientHeight / 2) / zoom;
      setZoom(z);
      requestAnimationFrame(() => {
        el.scrollLeft = cx * z - el.clientWidth / 2;
        el.scrollTop = cy * z - el.clientHeight / 2;
        measure();
      });
    } else setZoom(z);
  };
  const zi = zooms.indexOf(zoom as (typeof zooms)[number]);
  const labels = zoom >= labelZoom;
  const onPath = (id: string) => path?.nodes.has(id) === true;

  return (
    <div className="lineage-canvas-wrap">
      <div className="map-tools" role="toolbar" aria-label="Lineage view">
        <button
          type="button"
          className="button"
          aria-label="Zoom in"
          disabled={zi >= zooms.length - 1}
          onClick={() => zoomTo(zooms[zi + 1] ?? zoom)}
        >
          +
        </button>
        <button
          type="button"
          className="button"
          aria-label="Zoom out"
          disabled={zi <= 0}
          onClick={() => zoomTo(zooms[zi - 1] ?? zoom)}
        >
          −
        </button>
        <button
          type="button"
          className="button"
          aria-label={`Zoom ${Math.round(zoom * 100)}%: back to 100%`}
          onClick={() => zoomTo(1)}
        >
          {Math.round(zoom * 100)}%
        </button>
        <span className="muted small lineage-count" aria-live="polite">
          {countText(view)}
          {busy ? " · loading…" : ""}
        </span>
        <span className="muted small">Click a node to load its next step; arrow keys move between nodes.</span>
      </div>
      <section className="lineage-scroll" ref={scroller} onScroll={onScroll} aria-label="Lineage graph">
        <svg
          className="lineage-svg"
          width={layout.width * zoom}
          height={layout.height * zoom}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
        >
          <title>{`Lineage graph: ${countText(view)}; ${shown.nodes.length} on screen`}</title>
          <defs>
            <marker
              id="lg-arrow"
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="6"
              markerHeight="6"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" className="lg-arrow" />
            </marker>
          </defs>
          <g>
            {shown.edges.map((e) => (
              <path
                key={e.key}
                d={edgePathOf(e.points)}
                className={`lg-edge lg-origin-${originClass(e.origin)}${path?.edges.has(e.key) ? " on-path" : path ? " off-path" : ""}`}
                markerEnd="url(#lg-arrow)"
              >
                <title>{`${nodeLabel(e.from).title} → ${nodeLabel(e.to).title} (${e.origin})`}</title>
              </path>
            ))}
          </g>
          <g>
            {shown.nodes.map((n) => {
              const label = nodeLabel(n.id);
              const more = stepsToAsk(view, n.id).length > 0;
              const chars = Math.max(4, Math.floor((n.width - 30) / 7.4));
              const cls = [
                "lg-node",
                n.id === focus ? "focus" : "",
                n.id === selected ? "selected" : "",
                onPath(n.id) ? "on-path" : path ? "off-path" : "",
              ].join(" ");
              return (
                // biome-ignore lint/a11y/useSemanticElements: an SVG group acts as the button; HTML buttons cannot live in SVG
                <g
                  key={n.id}
                  data-node={n.id}
                  className={cls}
                  transform={`translate(${n.x},${n.y})`}
                  role="button"
                  tabIndex={n.id === active ? 0 : -1}
                  aria-pressed={n.id === selected}
                  aria-label={`${label.title}, ${kindNames[n.kind]}, ${label.sub}, ${layerText(n.layer)}${more ? ", more to load" : ""}`}
                  onClick={() => activate(n.id)}
                  onKeyDown={(e) => onKey(e, n.id)}
                  onFocus={() => setActive(n.id)}
                >
                  <rect className={`lg-box lg-${n.kind}`} width={n.width} height={n.height} rx={6} />
                  {labels &&
                    (n.kind === "column" ? (
                      <text x={10} y={n.height / 2 + 4.5} className="lg-title">
                        {clip(label.title, chars)}
                      </text>
                    ) : (
                      <>
                        <text x={10} y={18} className="lg-title">
                          {clip(label.title, chars)}
                        </text>
                        <text x={10} y={34} className="lg-sub">
                          {clip(label.sub, chars + 4)}
                        </text>
                      </>
                    ))}
                  {more && labels && (
                    <text x={n.width - 16} y={n.height / 2 + 5} className="lg-more">
                      +
                    </text>
                  )}
                  <title>{n.id}</title>
                </g>
              );
            })}
          </g>
        </svg>
      </section>
    </div>
  );
}

function hasColumns(view: LineageView, portId: string): boolean {
  const prefix = `column:${portId.slice("port:".length)}/`;
  for (const id of view.nodes.keys()) if (id.startsWith(prefix)) return true;
  return false;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

function LineageSide({
  view,
  selected,
  productId,
  path,
  busy,
  select,
  expand,
  showColumns,
}: {
  view: LineageView;
  selected: string;
  productId: string;
  path: { nodes: Set<string>; edges: Set<string> } | undefined;
  busy: boolean;
  select: (id: string) => void;
  expand: (id: string) => void;
  showColumns: (id: string) => void;
}) {
  const node = view.nodes.get(selected);
  const into = useMemo(() => [...view.edges.values()].filter((e) => e.to === selected), [view, selected]);
  const outOf = useMemo(() => [...view.edges.values()].filter((e) => e.from === selected), [view, selected]);
  if (!node) return <aside className="lineage-side card">Select a node.</aside>;
  const label = nodeLabel(node.id);
  const owner = productOf(node.id);
  const more = stepsToAsk(view, node.id);
  const column = node.kind === "column";
  return (
    <aside className="lineage-side card" aria-label="Selected node" aria-live="polite">
      <h3>{label.title}</h3>
      <p className="muted small">
        {kindNames[node.kind]} · {layerText(node.layer)}
      </p>
      <p className="mono small lineage-id">{node.id}</p>
      {owner && owner !== productId && (
        <p>
          <Link href={`/products/${encodeURIComponent(owner)}#lineage`}>Open {owner}</Link>
        </p>
      )}
      {view.truncated.has(node.id) && (
        <p className="lineage-truncated small">More not shown: the platform cut this node's answer at 500 nodes.</p>
      )}
      <div className="lineage-actions">
        {more.length > 0 && (
          <button type="button" className="button" disabled={busy} onClick={() => expand(node.id)}>
            {column ? "Load its column path" : "Load its next step"}
          </button>
        )}
        {node.kind === "port" && !view.columnsShown.has(node.id) && (
          <button type="button" className="button" disabled={busy} onClick={() => showColumns(node.id)}>
            Show its columns
          </button>
        )}
      </div>
      {column && path && (
        <p className="small">
          Column path: {path.nodes.size} column{path.nodes.size === 1 ? "" : "s"} highlighted, {path.edges.size} edge
          {path.edges.size === 1 ? "" : "s"}.
        </p>
      )}
      <EdgeList title={column ? "Comes from" : "Upstream"} edges={into} end="from" select={select} />
      <EdgeList title={column ? "Feeds" : "Downstream"} edges={outOf} end="to" select={select} />
      {node.kind === "port" && view.columnsShown.has(node.id) && (
        <p className="muted small">
          {hasColumns(view, node.id)
            ? "Its columns are listed under it, from its contract's schema."
            : "Its contract declares no columns (or it has no contract)."}
        </p>
      )}
    </aside>
  );
}

function EdgeList({
  title,
  edges,
  end,
  select,
}: {
  title: string;
  edges: ViewEdge[];
  end: "from" | "to";
  select: (id: string) => void;
}) {
  // One row per node at the other end: the same link from two origins (declared SQL and the
  // pipeline's run) is one fact seen twice, not two.
  const groups = useMemo(() => {
    const by = new Map<string, ViewEdge[]>();
    for (const e of edges) by.set(e[end], [...(by.get(e[end]) ?? []), e]);
    return [...by.entries()];
  }, [edges, end]);
  const rows = useFold(groups, 12, "nodes");
  return (
    <section className="lineage-edges">
      <h4>{title}</h4>
      {groups.length === 0 ? (
        <p className="muted small">None loaded.</p>
      ) : (
        <ul className="plain">
          {rows.shown.map(([other, list]) => {
            const words = [...new Set(list.flatMap(transformationsOf))];
            return (
              <li key={other} className="lineage-edge">
                <button type="button" className="button link" onClick={() => select(other)}>
                  {nodeLabel(other).title}
                </button>{" "}
                {list.map((e) => (
                  <span key={e.origin} className={`lg-origin-tag lg-origin-${originClass(e.origin)}`}>
                    {e.origin}
                  </span>
                ))}
                <div className="muted small">{nodeLabel(other).sub}</div>
                {words.length > 0 && (
                  <ul className="tags lineage-transforms" aria-label="Transformations">
                    {words.map((w) => (
                      <li key={w} className="tag">
                        {w}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {rows.toggle}
    </section>
  );
}

/** What the picture shows, as text: every node by layer, every edge, for a screen reader or a search. */
function LineageList({
  view,
  layout,
  select,
}: {
  view: LineageView;
  layout: LineageLayout;
  select: (id: string) => void;
}) {
  const nodes = useFold(layout.nodes, 100, "nodes");
  const edges = useFold(layout.edges, 100, "edges");
  return (
    <details className="lineage-list">
      <summary>As a list: {countText(view)}</summary>
      <div className="lineage-list-body">
        <section>
          <h4>Nodes</h4>
          <ul className="plain">
            {nodes.shown.map((n) => (
              <li key={n.id}>
                <button type="button" className="button link" onClick={() => select(n.id)}>
                  {nodeLabel(n.id).title}
                </button>{" "}
                <span className="muted small">
                  {kindNames[n.kind]}, {nodeLabel(n.id).sub}, {layerText(n.layer)}
                </span>
              </li>
            ))}
          </ul>
          {nodes.toggle}
        </section>
        <section>
          <h4>Edges</h4>
          <ul className="plain">
            {edges.shown.map((e) => (
              <li key={e.key}>
                {nodeLabel(e.from).title} → {nodeLabel(e.to).title}{" "}
                <span className="muted small">
                  {e.origin}
                  {transformationsOf(e).length > 0 ? ` · ${transformationsOf(e).join(", ")}` : ""}
                </span>
              </li>
            ))}
          </ul>
          {edges.toggle}
        </section>
      </div>
    </details>
  );
}
