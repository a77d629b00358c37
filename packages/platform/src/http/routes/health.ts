import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Registry } from "../../registry/registry.js";
import { HealthSchema } from "../schemas.js";

const route = createRoute({
  method: "get",
  path: "/api/health",
  operationId: "health",
  summary: "Whether the server and its metadata store answer",
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "The metadata store does not answer",
      content: { "application/json": { schema: HealthSchema } },
    },
  },
});

export function registerHealth(app: OpenAPIHono, registry: Registry, version: string): void {
  const { db } = registry;
  app.openapi(route, async (c) => {
    const ok = await db.query("SELECT 1").then(
      () => true,
      () => false,
    );
    const search = registry.searchReady ? ("ready" as const) : ("starting" as const);
    return ok
      ? c.json({ status: "ok" as const, version, storage: db.driver, search }, 200)
      : c.json({ status: "unavailable" as const, version, storage: db.driver, search }, 503);
  });
}
