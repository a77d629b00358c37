import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { authorize } from "../../identity/authorize.js";
import { exportOpenLineage } from "../../lineage/openlineage-export.js";
import type { OpenLineageIntake } from "../../lineage/openlineage-intake.js";
import type { Database } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const tags = ["Lineage"];

const IntakeResultSchema = z
  .object({
    accepted: z.number().int(),
    edges: z.number().int(),
    events: z.array(
      z.object({
        runId: z.string(),
        job: z.string(),
        eventType: z.string().nullable(),
        inputs: z.array(z.string()),
        outputs: z.array(z.string()),
      }),
    ),
  })
  .openapi("OpenLineageIntake");

const ExportSchema = z
  .object({
    items: z.array(
      z.object({ source: z.enum(["pipeline", "received"]), at: z.string(), event: z.record(z.string(), z.unknown()) }),
    ),
    next: z.string().nullable(),
  })
  .openapi("OpenLineageExport");

const postRoute = createRoute({
  method: "post",
  path: "/api/lineage",
  operationId: "postLineage",
  tags,
  summary: "Take in OpenLineage RunEvents: one, or a JSON array (all or nothing)",
  description:
    "The body is one OpenLineage 1.x/2.x RunEvent, or a JSON array of them (at most 500, 1 MiB). Each is validated against the official schemas (the RunEvent, then every known facet); the first invalid one refuses the whole batch with its index, JSON path and reason. Datasets map to Quanta ports through the servers of the current contracts (postgres host/port/database/schema + table, absolute file paths, s3 locations); others stay `dataset:` nodes. Needs an API token with the `write` scope; a port named as an output needs its owner team or an admin (403, audited). A job naming a dataset as both its input and output (422), and column lineage naming a column its port's contract does not declare (422), are refused.",
  responses: {
    200: { description: "Stored", content: { "application/json": { schema: IntakeResultSchema } } },
    400: errorContent("Not JSON, not a valid RunEvent (index, path, reason), nested too deep, or an empty batch"),
    401: errorContent("No credential"),
    403: errorContent("Not an API token with the write scope, or an output port of another team"),
    413: errorContent("Body or batch too large"),
    422: errorContent("A cycle, or a column the port's contract does not declare"),
  },
});

const exportRoute = createRoute({
  method: "get",
  path: "/api/lineage/openlineage",
  operationId: "exportOpenLineage",
  tags,
  summary: "Every stored OpenLineage run event (pipeline runs and received), newest last, paged",
  request: {
    query: z.object({
      since: z.string().optional().openapi({ example: "2026-12-01T00:00:00Z" }),
      after: z.string().optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional(),
    }),
  },
  responses: {
    200: {
      description: "A page; `next` is the `after` of the next one",
      content: { "application/json": { schema: ExportSchema } },
    },
    400: errorContent("since is not a time, or after is not a cursor"),
    401: errorContent("No credential"),
  },
});

/** OpenLineage in and out (ADR 0034): POST /api/lineage and its export. */
export function registerLineageIntake(app: OpenAPIHono, db: Database, intake: OpenLineageIntake): void {
  app.openapi(postRoute, async (c) => c.json(await intake.receive(principalOf(c), await c.req.text()), 200));
  app.openapi(exportRoute, async (c) => {
    authorize(principalOf(c), "lineage.export", undefined);
    const { since, after, limit } = c.req.valid("query");
    return c.json(await exportOpenLineage(db, { since, after, limit: limit ?? 100 }), 200);
  });
}
