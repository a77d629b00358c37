import { api } from "./api-client.js";
import type { Governance } from "./types.js";

// Certification and quality for the product cards: the list endpoint does not return them, so each
// card that scrolls into view asks govern once (signed in only: govern needs a user). A few at a
// time, so a long result list cannot crowd out the requests the user is waiting for; answers are
// kept for a minute (certification changes on publish, policy change or a test run, not per second).

const maxInFlight = 4;
const keepMs = 60_000;

let inFlight = 0;
const queue: (() => void)[] = [];
const cache = new Map<string, { at: number; token: string; result: Promise<Governance> }>();

function slot<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = () => {
      inFlight++;
      work()
        .then(resolve, reject)
        .finally(() => {
          inFlight--;
          queue.shift()?.();
        });
    };
    if (inFlight < maxInFlight) start();
    else queue.push(start);
  });
}

/** The product's governance for the signed-in `token`, shared by every card showing it. */
export function cachedGovernance(productId: string, token: string): Promise<Governance> {
  const hit = cache.get(productId);
  if (hit && hit.token === token && Date.now() - hit.at < keepMs) return hit.result;
  const result = slot(() => api.govern(productId));
  const entry = { at: Date.now(), token, result };
  cache.set(productId, entry);
  // A failure is not kept: the next time the card shows, it asks again.
  result.catch(() => {
    if (cache.get(productId) === entry) cache.delete(productId);
  });
  return result;
}
