import { api } from "./api-client.js";
import { ApiError } from "./api-error.js";
import type { ProductDetail } from "./types.js";

// Product details already fetched in this page session: the map and the input-port links ask for
// the same products again and again. Entries live until the page reloads (a published version
// shows on the next visit).
const cache = new Map<string, Promise<ProductDetail | undefined>>();

/** A product's detail, or undefined when there is no such product (404). Other errors throw. */
export function cachedProduct(id: string): Promise<ProductDetail | undefined> {
  let p = cache.get(id);
  if (!p) {
    p = api.product(id).catch((e: unknown) => {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return undefined;
      cache.delete(id);
      throw e;
    });
    cache.set(id, p);
  }
  return p;
}

export function forgetProduct(id: string): void {
  cache.delete(id);
}
