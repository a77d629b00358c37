import { Link } from "../router.js";

export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="state state-empty">
      <h1>Page not found</h1>
      <p className="muted">
        There is no page at <code>{path}</code>. <Link href="/">Search the data products</Link>.
      </p>
    </div>
  );
}
