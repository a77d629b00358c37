import { useEffect, useRef, useState } from "react";
import { api } from "../api/api-client.js";
import type { ApiError } from "../api/api-error.js";
import type { ProductSummary } from "../api/types.js";
import { toApiError, useApi } from "../api/use-api.js";
import { ProductCard } from "../components/product-card.js";
import { Empty, ErrorState, Loading } from "../components/states.js";
import { type FacetKey, facetLabels, facetValues } from "../lib/facets.js";
import { hrefWith, navigate, useLocation } from "../router.js";

const pageSize = 24;
const facetKeys = Object.keys(facetLabels) as FacetKey[];

export function SearchPage() {
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const filters = Object.fromEntries(facetKeys.map((k) => [k, query.get(k) ?? undefined])) as Record<
    FacetKey,
    string | undefined
  >;
  const [text, setText] = useState(q);
  // Pages after the first, fetched by offset when asked for; a new search starts over.
  const [more, setMore] = useState<{ key: string; items: ProductSummary[]; loading: boolean; error?: ApiError }>({
    key: "",
    items: [],
    loading: false,
  });
  // Filters start folded on phones, where they would push the results below the fold.
  const [filtersOpen, setFiltersOpen] = useState(() => !window.matchMedia("(max-width: 760px)").matches);
  const inputRef = useRef<HTMLInputElement>(null);

  // The box follows the URL when it changes from outside (back button, a tag link).
  useEffect(() => setText(q), [q]);
  useEffect(() => inputRef.current?.focus(), []);

  const go = (next: Partial<Record<FacetKey | "q", string | undefined>>, replace = false) => {
    navigate(hrefWith("/", { q, ...filters, ...next }), { replace });
  };

  // Debounced: the URL (and so the request) follows the box 150 ms after the last key.
  useEffect(() => {
    if (text === q) return;
    const t = setTimeout(() => go({ q: text.trim() ? text : undefined }, true), 150);
    return () => clearTimeout(t);
  });

  const key = JSON.stringify([q, filters]);
  const criteria = { q: q.trim() || undefined, ...filters };
  const results = useApi((signal) => api.products({ ...criteria, limit: pageSize }, signal), [key]);
  // The facet counts follow the search, after its first results: the list is what the user came for.
  const [resultsShown, setResultsShown] = useState(false);
  const catalogue = useApi(
    (signal) => (resultsShown ? api.facets(criteria, signal) : new Promise<never>(() => {})),
    [resultsShown, key],
  );
  const [shown, setShown] = useState<{ items: ProductSummary[]; total: number } | undefined>();
  useEffect(() => {
    if (results.status === "ok") {
      setShown(results.data);
      setResultsShown(true);
    }
  }, [results]);

  const facets = catalogue.status === "ok" ? facetValues(catalogue.data, filters) : undefined;
  const extra = more.key === key ? more.items : [];
  const items = shown ? [...shown.items, ...extra.filter((p) => !shown.items.some((x) => x.id === p.id))] : [];
  const loadMore = () => {
    if (!shown) return;
    const offset = items.length;
    setMore({ key, items: extra, loading: true });
    api.products({ ...criteria, limit: pageSize, offset }).then(
      (page) => setMore((m) => (m.key === key ? { key, items: [...m.items, ...page.items], loading: false } : m)),
      (e: unknown) => setMore((m) => (m.key === key ? { ...m, loading: false, error: toApiError(e) } : m)),
    );
  };
  const active = facetKeys.filter((k) => filters[k]);

  return (
    <div className="search-page">
      <search>
        <form
          className="search-box"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: text.trim() ? text : undefined });
          }}
        >
          <label htmlFor="search" className="visually-hidden">
            Search data products
          </label>
          <input
            id="search"
            ref={inputRef}
            type="search"
            placeholder="Search data products: names, terms, columns, tags…"
            value={text}
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="button primary">
            Search
          </button>
        </form>
      </search>

      <div className="search-layout">
        <aside className="facets" aria-label="Filters">
          <details open={filtersOpen} onToggle={(e) => setFiltersOpen(e.currentTarget.open)}>
            <summary className="facets-summary">Filters{active.length > 0 ? ` (${active.length})` : ""}</summary>
            {catalogue.status === "error" && <ErrorState error={catalogue.error} title="Filters unavailable" />}
            {facetKeys.map((k) => {
              const list = facets?.[k] ?? [];
              const selected = filters[k];
              return (
                <fieldset key={k} className="facet">
                  <legend>{facetLabels[k]}</legend>
                  {catalogue.status === "loading" && <span className="muted small">…</span>}
                  {catalogue.status === "ok" && list.length === 0 && <span className="muted small">none</span>}
                  <ul>
                    {list.slice(0, 12).map((v) => (
                      <li key={v.value}>
                        <button
                          type="button"
                          className="facet-value"
                          aria-pressed={selected === v.value}
                          onClick={() => go({ [k]: selected === v.value ? undefined : v.value })}
                        >
                          <span>{v.value}</span>
                          {v.count > 0 && <span className="count">{v.count}</span>}
                        </button>
                      </li>
                    ))}
                  </ul>
                </fieldset>
              );
            })}
          </details>
        </aside>

        <section className="results" aria-labelledby="results-title">
          <div className="results-head">
            <h2 id="results-title" aria-live="polite">
              {shown ? `${shown.total} data product${shown.total === 1 ? "" : "s"}` : "Data products"}
              {q.trim() && <span className="muted"> for “{q.trim()}”</span>}
            </h2>
            {active.length > 0 && (
              <ul className="active-filters" aria-label="Active filters">
                {active.map((k) => (
                  <li key={k}>
                    <button type="button" className="chip" onClick={() => go({ [k]: undefined })}>
                      {facetLabels[k]}: {filters[k]} <span aria-hidden="true">×</span>
                      <span className="visually-hidden"> (remove filter)</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
          {results.status === "error" && <ErrorState error={results.error} title="Search failed" />}
          {results.status === "loading" && !shown && <Loading label="Searching" />}
          {shown && shown.items.length === 0 && results.status !== "error" && (
            <Empty title="No data product matches">
              Try fewer words or remove a filter.
              {active.length > 0 && (
                <button type="button" className="button link" onClick={() => navigate(hrefWith("/", { q }))}>
                  Clear filters
                </button>
              )}
            </Empty>
          )}
          {shown && shown.items.length > 0 && (
            <>
              <div
                className={`card-grid${results.status === "loading" ? " stale" : ""}`}
                aria-busy={results.status === "loading"}
              >
                {items.map((p) => (
                  <ProductCard key={p.id} product={p} />
                ))}
              </div>
              {more.error && <ErrorState error={more.error} title="Cannot load more" />}
              {items.length < shown.total && (
                <button type="button" className="button more" onClick={loadMore} disabled={more.loading}>
                  {more.loading ? "Loading…" : `Show more (${shown.total - items.length} more)`}
                </button>
              )}
            </>
          )}
        </section>
      </div>
    </div>
  );
}
