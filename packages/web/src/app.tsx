import { lazy, Suspense, useEffect } from "react";
import { useMe } from "./api/use-me.js";
import { Loading } from "./components/states.js";
import { UserMenu } from "./components/user-menu.js";
import { AuthCallbackPage } from "./pages/auth-callback-page.js";
import { NotFoundPage } from "./pages/not-found-page.js";
import { ProductPage } from "./pages/product-page.js";
import { SearchPage } from "./pages/search-page.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { Link, matchPath, useLocation } from "./router.js";

// The map is its own chunk: the search page (the first view) does not wait for it.
const GovernancePage = lazy(() => import("./pages/governance-page.js").then((m) => ({ default: m.GovernancePage })));
const MeshMapPage = lazy(() => import("./pages/mesh-map-page.js").then((m) => ({ default: m.MeshMapPage })));
const OwnerPage = lazy(() => import("./pages/owner-page.js").then((m) => ({ default: m.OwnerPage })));
const IncidentsPage = lazy(() => import("./pages/incidents-page.js").then((m) => ({ default: m.IncidentsPage })));
const IncidentPage = lazy(() => import("./pages/incidents-page.js").then((m) => ({ default: m.IncidentPage })));
const MeshHealthPage = lazy(() => import("./pages/mesh-health-page.js").then((m) => ({ default: m.MeshHealthPage })));

interface Route {
  pattern: string;
  title: (params: Record<string, string>) => string;
  render: (params: Record<string, string>) => React.ReactNode;
}

const routes: Route[] = [
  { pattern: "/", title: () => "Search", render: () => <SearchPage /> },
  {
    pattern: "/products/:id",
    title: (p) => p.id ?? "Data product",
    render: (p) => <ProductPage key={p.id} id={p.id ?? ""} />,
  },
  { pattern: "/map", title: () => "Mesh map", render: () => <MeshMapPage /> },
  { pattern: "/governance", title: () => "Governance", render: () => <GovernancePage /> },
  { pattern: "/health", title: () => "Mesh health", render: () => <MeshHealthPage /> },
  { pattern: "/incidents", title: () => "Incidents", render: () => <IncidentsPage /> },
  {
    pattern: "/incidents/:id",
    title: (p) => `Incident ${p.id ?? ""}`,
    render: (p) => <IncidentPage key={p.id} id={p.id ?? ""} />,
  },
  { pattern: "/owner", title: () => "Your data products", render: () => <OwnerPage /> },
  { pattern: "/sign-in", title: () => "Sign in", render: () => <SignInPage /> },
  { pattern: "/auth/callback", title: () => "Signing in", render: () => <AuthCallbackPage /> },
];

const baseNav = [
  { href: "/", label: "Search" },
  { href: "/map", label: "Mesh map" },
  { href: "/health", label: "Mesh health" },
  { href: "/incidents", label: "Incidents" },
  { href: "/governance", label: "Governance" },
];
/** Shown to a signed-in member or owner of a team: the products that team runs. */
const ownerNav = { href: "/owner", label: "Your products" };

export function App() {
  const { path } = useLocation();
  const me = useMe();
  const inTeam = me.status === "ok" && (me.data?.teams.length ?? 0) > 0;
  const nav = inTeam ? [...baseNav, ownerNav] : baseNav;
  let page: React.ReactNode = <NotFoundPage path={path} />;
  let title = "Not found";
  for (const r of routes) {
    const params = matchPath(r.pattern, path);
    if (params) {
      page = r.render(params);
      title = r.title(params);
      break;
    }
  }
  useEffect(() => {
    document.title = `${title} · Quanta marketplace`;
  }, [title]);
  const section = nav.find((n) => n.href !== "/" && path.startsWith(n.href))?.href ?? (path === "/" ? "/" : undefined);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Quanta marketplace, home">
          <svg viewBox="0 0 16 16" width="22" height="22" aria-hidden="true">
            <rect width="16" height="16" rx="4" fill="currentColor" />
            <circle cx="8" cy="8" r="3.5" fill="var(--surface)" />
          </svg>
          <span>
            Quanta <span className="brand-sub">marketplace</span>
          </span>
        </Link>
        <nav aria-label="Main">
          <ul>
            {nav.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={section === n.href ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
            <li>
              <a href="/api/docs">API</a>
            </li>
          </ul>
        </nav>
        <UserMenu />
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
    </>
  );
}
