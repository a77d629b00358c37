import { useRef } from "react";
import type { ProductSummary } from "../api/types.js";
import { Link } from "../router.js";
import { StatusBadge, Tag } from "./badges.js";
import { CardHealth } from "./card-health.js";

export function ProductCard({ product }: { product: ProductSummary }) {
  const ref = useRef<HTMLElement>(null);
  return (
    <article ref={ref} className="card product-card" aria-labelledby={`p-${product.id}`}>
      <header className="card-head">
        <h3 id={`p-${product.id}`}>
          <Link href={`/products/${encodeURIComponent(product.id)}`}>{product.name}</Link>
        </h3>
        <StatusBadge status={product.status} />
      </header>
      <p className="card-id mono">
        {product.id} <span className="muted">v{product.version}</span>
      </p>
      <CardHealth productId={product.id} cardRef={ref} />
      <p className="card-summary">{product.summary || <span className="muted">No summary.</span>}</p>
      <dl className="card-facts">
        <div>
          <dt>Domain</dt>
          <dd>{product.domain ?? "—"}</dd>
        </div>
        <div>
          <dt>Owner</dt>
          <dd>{product.team ?? "—"}</dd>
        </div>
      </dl>
      {product.tags.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {product.tags.map((t) => (
            <li key={t}>
              <Tag>{t}</Tag>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
