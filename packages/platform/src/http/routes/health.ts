import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../../storage/database.js";
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

export function registerHealth(app: OpenAPIHono, db: Database, version: string): void {
  app.openapi(route, async (c) => {
    const ok = await db.query("SELECT 1").then(
      () => true,
      () => false,
    );
    return ok
      ? c.json({ status: "ok" as const, version, storage: db.driver }, 200)
      : c.json({ status: "unavailable" as const, version, storage: db.driver }, 503);
  });
}
