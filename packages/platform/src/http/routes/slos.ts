import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "@quanta/core";
import { authorize } from "../../identity/authorize.js";
import { productRef } from "../../identity/publish-target.js";
import { meshHealth } from "../../observability/slo/mesh-health.js";
import { maxWindowDays, productSlos, sloProperties } from "../../observability/slo/slo-service.js";
import type { Database } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const tags = ["Observability"];
const status = z.enum(["met", "at-risk", "breached", "unknown"]);
const rate = z.number().nullable();

const ObjectiveSchema = z.object({
  port: z.string(),
  property: z.enum(sloProperties),
  objective: z.string(),
  target: z.number().openapi({ description: "The share of good events the objective asks, 0..1" }),
  sli: z.number().nullable().openapi({ description: "Good events over all events in the window, 0..1" }),
  good: z.number().int(),
  total: z.number().int(),
  unit: z.enum(["runs", "minutes", "probes", "reads", "updates"]),
  budget: z.object({
    allowed: z.number(),
    spent: z.number(),
    remaining: z.number().nullable().openapi({ description: "Share of the budget left (negative: overspent)" }),
  }),
  burnRate: z.object({ "1h": rate, "6h": rate, "24h": rate }),
  status,
  reason: z.string().nullable(),
  driver: z.string().nullable(),
});

const SlosSchema = z
  .object({ productId: z.string(), windowDays: z.number().int(), objectives: z.array(ObjectiveSchema) })
  .openapi("ProductSlos");

const severity = z.enum(["critical", "high", "medium", "low"]);
const MeshHealthSchema = z
  .object({
    at: z.string(),
    domains: z.array(
      z.object({
        domain: z.string(),
        healthy: z.number().int(),
        degraded: z.number().int(),
        failing: z.number().int(),
        products: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            domain: z.string(),
            team: z.string().nullable(),
            status: z.enum(["healthy", "degraded", "failing", "unknown"]),
            openIncidents: z.number().int(),
            worstSeverity: severity.nullable(),
            breachedSlos: z.number().int(),
            reasons: z.array(z.string()),
          }),
        ),
      }),
    ),
  })
  .openapi("MeshHealth");

const slosRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/slos",
  operationId: "productSlos",
  tags,
  summary: "The product's service level objectives: SLIs, error budgets and burn rates (signed in)",
  description:
    "One objective per SLA property of each output port's contract (freshness, latency, availability, frequency, throughput, errorRate) and the pass rate of its contract tests, over a rolling window (`window` days, default 30). Burn rates over 1, 6 and 24 hours: 1 spends the budget exactly over the window. See ADR 0039.",
  request: {
    params: z.object({ id: z.string().min(1).max(200) }),
    query: z.object({ window: z.coerce.number().int().min(1).max(maxWindowDays).optional() }),
  },
  responses: {
    200: { description: "The objectives", content: { "application/json": { schema: SlosSchema } } },
    400: errorContent("A malformed window"),
    401: errorContent("Not signed in"),
    404: errorContent("No such product"),
  },
});

const meshRoute = createRoute({
  method: "get",
  path: "/api/mesh/health",
  operationId: "meshHealth",
  tags,
  summary: "The mesh's health per domain, worst first (signed in)",
  description:
    "Each product healthy, degraded or failing from its open incidents, its SLOs and its last contract tests (unknown when nothing measured it), rolled up per domain.",
  responses: {
    200: { description: "The mesh's health", content: { "application/json": { schema: MeshHealthSchema } } },
    401: errorContent("Not signed in"),
  },
});

/**
 * How long one reading of the mesh's health is served: it evaluates every product's SLOs (a few
 * queries per port), so any signed-in user asking in a loop costs the store one reading per period.
 */
export const meshHealthCacheMs = 5000;

/** SLOs, error budgets and the mesh's health (issue 17). */
export function registerSlos(app: OpenAPIHono, db: Database): void {
  let health: { at: number; reading: ReturnType<typeof meshHealth> } | undefined;
  const cachedHealth = () => {
    if (!health || Date.now() - health.at >= meshHealthCacheMs) {
      const reading = meshHealth(db);
      health = { at: Date.now(), reading };
      // A failed reading is not kept: the next request tries again.
      reading.catch(() => {
        if (health?.reading === reading) health = undefined;
      });
    }
    return health.reading;
  };
  app.openapi(slosRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { window } = c.req.valid("query");
    const principal = principalOf(c);
    const ref = await productRef(db, id);
    authorize(principal, "product.observe", ref ?? { id, ownerTeam: null });
    if (!ref) throw new NotFoundError(`no data product "${id}"`);
    return c.json(await productSlos(db, id, window === undefined ? {} : { windowDays: window }), 200);
  });
  app.openapi(meshRoute, async (c) => {
    // Any signed-in user: the catalog is readable to all, so every product's health is theirs to see.
    authorize(principalOf(c), "product.observe", { id: "*", ownerTeam: null });
    return c.json(await cachedHealth(), 200);
  });
}
