/** The live event streams (SSE) this process serves, so shutting down can end them at once. */
const open = new Set<AbortController>();

/** Live streams one process serves at most: each holds a connection and polls the store. */
export const maxLiveStreams = 500;

/** A new stream's controller, or undefined when the process serves as many as it may. */
export function openLiveStream(): AbortController | undefined {
  if (open.size >= maxLiveStreams) return undefined;
  const c = new AbortController();
  open.add(c);
  c.signal.addEventListener("abort", () => open.delete(c), { once: true });
  return c;
}

export function liveStreamCount(): number {
  return open.size;
}

/** Ends every live stream (server shutdown): each writes nothing more and closes its response. */
export function closeLiveStreams(): void {
  for (const c of [...open]) c.abort();
}
