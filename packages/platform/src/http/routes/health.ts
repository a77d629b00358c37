import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Registry } from "../../registry/registry.js";
import { ping } from "../../storage/database.js";
import { HealthSchema } from "../schemas.js";

const route = createRoute({
  method: "get",
  path: "/api/health",
  operationId: "health",
  tags: ["Platform"],
  summary: "Whether the server and its metadata store answer",
  request: {
    query: z.object({
      ready: z.string().optional().openapi({
        description:
          "Present (`?ready`): a readiness probe, answered 503 with status `starting` until this process has read the catalogue into its search index",
      }),
    }),
  },
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "The metadata store does not answer, or (with `?ready`) search is still starting",
      content: { "application/json": { schema: HealthSchema } },
    },
  },
});

export function registerHealth(app: OpenAPIHono, registry: Registry, version: string): void {
  const { db } = registry;
  app.openapi(route, async (c) => {
    const ok = await ping(db);
    const search = registry.searchReady ? ("ready" as const) : ("starting" as const);
    if (!ok) return c.json({ status: "unavailable" as const, version, storage: db.driver, search }, 503);
    if (c.req.valid("query").ready !== undefined && search === "starting") {
      return c.json({ status: "starting" as const, version, storage: db.driver, search }, 503);
    }
    return c.json({ status: "ok" as const, version, storage: db.driver, search }, 200);
  });
}
