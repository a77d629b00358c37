import { lazy, Suspense } from "react";
import { Loading } from "./states.js";

// The graph view is its own chunk: a reader who never opens the lineage never downloads it.
const LineageGraphView = lazy(() => import("./lineage-graph-view.js"));

export function LineageSection({ productId }: { productId: string }) {
  return (
    <Suspense fallback={<Loading label="Loading the lineage view" />}>
      <LineageGraphView productId={productId} />
    </Suspense>
  );
}
