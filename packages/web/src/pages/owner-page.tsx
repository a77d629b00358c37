import { useState } from "react";
import { api } from "../api/api-client.js";
import type { Me, ProductSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { useMe } from "../api/use-me.js";
import { StatusBadge } from "../components/badges.js";
import { ControlPanel } from "../components/control-panel.js";
import { OwnerAgreements } from "../components/owner-agreements.js";
import { OwnerHealth } from "../components/owner-health.js";
import { OwnerPipelineRuns } from "../components/owner-pipeline-runs.js";
import { ApiProblem, Empty, Loading } from "../components/states.js";
import { hrefWith, Link, navigate, useLocation } from "../router.js";

/** The API's page size; a team with more products than this is told so. */
const teamPage = 100;

interface TeamProducts {
  team: string;
  role: string;
  items: ProductSummary[];
  total: number;
}

/**
 * The owner view: the signed-in user's teams' products, and per product what needs the team:
 * requests to decide, agreements, usage, failing checks, policy violations and the control panel.
 */
export function OwnerPage() {
  const me = useMe();
  return (
    <div className="page owner-page">
      <h1>Your data products</h1>
      {me.status === "loading" && <Loading label="Checking who you are" />}
      {me.status === "error" && <ApiProblem error={me.error} what="who you are" api="GET /api/me" />}
      {me.status === "ok" && !me.data && (
        <p>
          <Link href={hrefWith("/sign-in", { next: "/owner" })}>Sign in</Link> to see the products your teams own,
          decide on access requests and control the products.
        </p>
      )}
      {me.status === "ok" && me.data && me.data.teams.length === 0 && (
        <Empty title="You are in no team">
          The owner view lists the products of your teams. An admin or an owner of a team makes you a member (
          <code>PUT /api/teams/&#123;id&#125;/members/&#123;user&#125;</code>); being listed in a product's ODPS{" "}
          <code>team</code> section does not.
        </Empty>
      )}
      {me.status === "ok" && me.data && me.data.teams.length > 0 && <OwnedProducts me={me.data} />}
    </div>
  );
}

function OwnedProducts({ me }: { me: Me }) {
  const { query } = useLocation();
  // Bumped on every access decision, so the counts in the list follow.
  const [version, setVersion] = useState(0);
  const teams = useApi(
    (signal) =>
      Promise.all(
        me.teams.map(async (t): Promise<TeamProducts> => {
          const page = await api.products({ team: t.team, limit: teamPage }, signal);
          return { team: t.team, role: t.role, items: page.items, total: page.total };
        }),
      ),
    [me.userId, me.teams.map((t) => t.team).join(",")],
  );
  // One call for every open request of the user's teams (either side): the counts beside each product.
  const pending = useApi((signal) => api.agreementsInState("requested", signal), [me.userId, version]);
  if (teams.status === "loading") return <Loading label="Loading your teams' products" />;
  if (teams.status === "error")
    return <ApiProblem error={teams.error} what="your teams' products" api="GET /api/products?team=" />;
  const all = teams.data.flatMap((t) => t.items.map((p) => ({ product: p, role: t.role })));
  if (all.length === 0) {
    return (
      <Empty title="Your teams own no data products yet">
        Your teams: {me.teams.map((t) => `${t.team} (${t.role})`).join(", ")}. Publish one with{" "}
        <code>quanta publish</code>.
      </Empty>
    );
  }
  const pendingBy = new Map<string, number>();
  if (pending.status === "ok") {
    for (const a of pending.data.items) pendingBy.set(a.productId, (pendingBy.get(a.productId) ?? 0) + 1);
  }
  const wanted = query.get("product");
  const selected = all.find((x) => x.product.id === wanted) ?? all[0];
  if (!selected) return null;
  return (
    <div className="owner-layout">
      <nav aria-label="Your teams' products" className="owner-nav">
        {teams.data.map((t) => (
          <div key={t.team}>
            <h2 className="owner-team">
              {t.team} <span className="muted small">{t.role}</span>
            </h2>
            {t.items.length === 0 ? (
              <p className="muted small">No products.</p>
            ) : (
              <ul className="plain">
                {t.items.map((p) => {
                  const count = pendingBy.get(p.id) ?? 0;
                  return (
                    <li key={p.id}>
                      <Link
                        href={hrefWith("/owner", { product: p.id })}
                        className="owner-nav-item"
                        aria-current={p.id === selected.product.id ? "page" : undefined}
                        aria-label={`${p.name} (${p.id})${count > 0 ? `, ${count} pending access requests` : ""}`}
                        onClick={(e) => {
                          // Switching products is not a page of its own for the back button.
                          e.preventDefault();
                          navigate(hrefWith("/owner", { product: p.id }), { replace: true });
                        }}
                      >
                        <span className="owner-nav-name">{p.name}</span>
                        <span className="mono small muted">{p.id}</span>
                        {count > 0 && (
                          <span className="count-badge" title={`${count} pending access requests`}>
                            {count}
                          </span>
                        )}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            )}
            {t.total > t.items.length && (
              <p className="muted small">
                The first {t.items.length} of {t.total}; <Link href={hrefWith("/", { team: t.team })}>search</Link> for
                the rest.
              </p>
            )}
          </div>
        ))}
      </nav>
      <OwnerProductPanel
        key={selected.product.id}
        product={selected.product}
        role={selected.role}
        version={version}
        onChanged={() => setVersion((v) => v + 1)}
      />
    </div>
  );
}

function OwnerProductPanel({
  product,
  role,
  version,
  onChanged,
}: {
  product: ProductSummary;
  role: string;
  version: number;
  onChanged: () => void;
}) {
  // Bumped on start and resume, which test the contracts right away (in the background).
  const [testsStarted, setTestsStarted] = useState(0);
  return (
    <article className="owner-product" aria-labelledby="owner-product-title">
      <header className="owner-product-head">
        <h2 id="owner-product-title">
          <Link href={`/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
        </h2>
        <p className="muted small">
          <span className="mono">{product.id}</span> v{product.version} · ODPS status{" "}
          <StatusBadge status={product.status} /> · team {product.team} (you: {role})
        </p>
      </header>
      <section aria-labelledby={`control-${product.id}`} className="owner-section">
        <h3 id={`control-${product.id}`}>Control panel</h3>
        <ControlPanel
          productId={product.id}
          canControl={role === "owner"}
          onChanged={(life, action) => {
            if ((action === "start" || action === "resume") && life.runsTests) setTestsStarted((n) => n + 1);
          }}
        />
      </section>
      <OwnerAgreements productId={product.id} version={version} onChanged={onChanged} />
      <OwnerHealth productId={product.id} testsStarted={testsStarted} />
      <OwnerPipelineRuns productId={product.id} />
    </article>
  );
}
