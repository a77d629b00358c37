import { type DependencyList, useEffect, useState } from "react";
import { ApiError, isAbort } from "./api-error.js";

export type Loadable<T> = { status: "loading" } | { status: "ok"; data: T } | { status: "error"; error: ApiError };

/**
 * Runs `load` when `deps` change and cancels the request in flight when they change again or the
 * component goes away, so a slow old answer never overwrites a newer one. `keepData` keeps showing
 * the last answer while the next loads (a refresh of the same thing, not a new thing).
 */
export function useApi<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: { keepData?: boolean } = {},
): Loadable<T> {
  const [state, setState] = useState<Loadable<T>>({ status: "loading" });
  const keepData = options.keepData === true;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => (s.status === "loading" || (keepData && s.status === "ok") ? s : { status: "loading" }));
    load(ctl.signal).then(
      (data) => {
        if (!ctl.signal.aborted) setState({ status: "ok", data });
      },
      (e: unknown) => {
        if (ctl.signal.aborted || isAbort(e)) return;
        setState({ status: "error", error: toApiError(e) });
      },
    );
    return () => ctl.abort();
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on
  }, deps);
  return state;
}

export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "client", e instanceof Error ? e.message : String(e));
}
