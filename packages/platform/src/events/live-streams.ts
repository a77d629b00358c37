/** The live event streams (SSE) this process serves, so shutting down can end them at once. */
const open = new Set<AbortController>();

/** Live streams one process serves at most: each holds a connection and polls the store. */
export const maxLiveStreams = 500;

/** Live streams one caller (a user) has open at most, so one token cannot take every slot. */
export const maxLiveStreamsPerCaller = 5;
const perCaller = new Map<string, number>();

/**
 * A new stream's controller, or undefined when the process serves as many as it may, or `caller`
 * has `maxLiveStreamsPerCaller` open already (`liveStreamCountOf` tells which).
 */
export function openLiveStream(caller?: string): AbortController | undefined {
  if (open.size >= maxLiveStreams) return undefined;
  if (caller !== undefined && liveStreamCountOf(caller) >= maxLiveStreamsPerCaller) return undefined;
  const c = new AbortController();
  open.add(c);
  if (caller !== undefined) perCaller.set(caller, liveStreamCountOf(caller) + 1);
  c.signal.addEventListener(
    "abort",
    () => {
      open.delete(c);
      if (caller === undefined) return;
      const n = liveStreamCountOf(caller) - 1;
      if (n > 0) perCaller.set(caller, n);
      else perCaller.delete(caller);
    },
    { once: true },
  );
  return c;
}

export function liveStreamCountOf(caller: string): number {
  return perCaller.get(caller) ?? 0;
}

export function liveStreamCount(): number {
  return open.size;
}

/** Ends every live stream (server shutdown): each writes nothing more and closes its response. */
export function closeLiveStreams(): void {
  for (const c of [...open]) c.abort();
}
