import type { MiddlewareHandler } from "hono";
import { type Action, authorize, decide } from "../identity/authorize.js";
import { productRef } from "../identity/publish-target.js";
import type { Queryable } from "../storage/database.js";

/** The harness interfaces (method + interface) → the action authorized before the handler runs. */
export const harnessActions: Record<string, Action> = {
  "GET discover": "catalog.read",
  "POST consume": "product.consume",
  "POST ingest": "product.ingest",
  "GET observe": "product.observe",
  "GET govern": "product.govern",
  "GET control": "product.state",
  "POST control": "product.control",
};

/**
 * Authorization of `/api/products/{id}/{interface}`, in one place for all six interfaces. An unknown
 * product is left to the handler (404) once the caller is signed in where that is needed. Observe
 * answers everyone signed in, but who-read-what (per-consumer usage) only to the owner team,
 * governance and admins: others get the totals.
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
    if (!ref) {
      if (!principal) authorize(undefined, action, { id, ownerTeam: null } as never);
      return next();
    }
    authorize(principal, action, ref as never);
    await next();
    if (action === "product.observe" && c.res.status === 200 && decide(principal, "product.usage", ref) !== true) {
      const body = (await c.res.json()) as { usage?: { byConsumer?: unknown[]; recent?: unknown[] } };
      if (body.usage) {
        body.usage.byConsumer = [];
        body.usage.recent = [];
      }
      const headers = new Headers(c.res.headers);
      headers.delete("content-length");
      c.res = new Response(JSON.stringify(body), { status: 200, headers });
    }
  };
}
