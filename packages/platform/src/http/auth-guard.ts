import type { MiddlewareHandler } from "hono";
import { authorize, type ProductRef } from "../identity/authorize.js";
import { productRef } from "../identity/publish-target.js";
import type { Queryable } from "../storage/database.js";

/** The harness interfaces (method + interface) → the action authorized before the handler runs. */
type ProductAction = "product.ingest" | "product.observe" | "product.govern" | "product.state" | "product.control";

export const harnessActions: Record<string, ProductAction | "catalog.read"> = {
  "GET discover": "catalog.read",
  "POST ingest": "product.ingest",
  "GET observe": "product.observe",
  "GET govern": "product.govern",
  "GET control": "product.state",
  "POST control": "product.control",
};

/**
 * Authorization of `/api/products/{id}/{interface}`, in one place for all six interfaces. An unknown
 * product is left to the handler (404) once the caller is signed in where that is needed. Consume
 * is authorized where the read is planned (access/read-access.ts `planRead`), once, with its audit.
 */
export function harnessGuard(db: Queryable): MiddlewareHandler {
  return async (c, next) => {
    // Hono answers HEAD with the GET route's handler: it takes GET's authorization too.
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const action = harnessActions[`${method} ${c.req.param("iface")}`];
    const id = c.req.param("id");
    if (!action || !id) return next();
    const principal = c.get("principal");
    const ref = await productRef(db, id);
    const check = (r: ProductRef) =>
      action === "catalog.read" ? authorize(principal, action, undefined) : authorize(principal, action, r);
    if (!ref) {
      if (!principal) check({ id, ownerTeam: null });
      return next();
    }
    check(ref);
    await next();
  };
}
