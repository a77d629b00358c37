import type { Agreement } from "../api/types.js";

/** The states in which the platform refuses another request for the same team and port (409). */
const openStates = new Set(["requested", "active", "terminating"]);

/**
 * Per port of `productId`, the team's open request or agreement: a port listed here cannot be
 * asked for again until it ends, so the request form shows it instead of offering it.
 */
export function openRequests(items: readonly Agreement[], productId: string, team: string): Map<string, Agreement> {
  const open = new Map<string, Agreement>();
  for (const a of items) {
    if (a.productId !== productId || a.consumerTeam !== team || !openStates.has(a.state)) continue;
    // Newest first from the API, but do not rely on it: keep the latest request.
    const seen = open.get(a.port);
    if (!seen || seen.requestedAt < a.requestedAt) open.set(a.port, a);
  }
  return open;
}
