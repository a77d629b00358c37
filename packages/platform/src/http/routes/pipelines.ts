import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  PipelineLogLineSchema,
  PipelineRunDetailSchema,
  PipelineRunParamsSchema,
  PipelineRunSchema,
} from "../../pipelines/pipeline-run-schema.js";
import type { PipelineService } from "../../pipelines/pipeline-service.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const tags = ["Pipelines"];
const guarded = {
  401: errorContent("No credential, or one that does not hold"),
  403: errorContent("Signed in, but not allowed"),
  404: errorContent("No such product or run"),
} as const;

const ProductParams = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "climate.temperature" }),
});
const RunParams = ProductParams.extend({
  runId: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "runId", in: "path" }, example: 1 }),
});

const runRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/pipeline/runs",
  operationId: "runPipeline",
  tags,
  summary: "Queue a run of the product's pipeline (owner team or admin)",
  description:
    "The run is a job of the shared queue: one run per product at a time (409 names the one in progress). Each input port is read under the owner team's agreement, the output is written to a staged version, tested against its contract, and made current only when the tests pass. With a body `{from, to}` the run is a backfill: SQL steps see the dates as {{from}} and {{to}}, and each output's new version is the previous one outside that range (of its partition column) plus the run's rows.",
  request: {
    params: ProductParams,
    body: { required: false, content: { "application/json": { schema: PipelineRunParamsSchema } } },
  },
  responses: {
    202: json(PipelineRunSchema, "Queued"),
    ...guarded,
    409: errorContent("A run of this product is already queued or running"),
    422: errorContent(
      "The product's current version has no pipeline, or a backfill's range or partition column is missing",
    ),
  },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/pipeline/runs",
  operationId: "listPipelineRuns",
  tags,
  summary: "The product's pipeline runs, newest first",
  request: {
    params: ProductParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
  },
  responses: { 200: json(z.object({ items: z.array(PipelineRunSchema) }), "Newest first"), ...guarded },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/pipeline/runs/{runId}",
  operationId: "getPipelineRun",
  tags,
  summary: "One run: its outputs, versions, tests and every step with its SQL, timing and rows",
  request: { params: RunParams },
  responses: { 200: json(PipelineRunDetailSchema, "The run"), ...guarded },
});

const logsRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/pipeline/runs/{runId}/logs",
  operationId: "getPipelineRunLogs",
  tags,
  summary: "A run's log lines, oldest first; `after` follows them",
  request: { params: RunParams, query: z.object({ after: z.coerce.number().int().min(0).optional() }) },
  responses: {
    200: json(z.object({ run: PipelineRunSchema, lines: z.array(PipelineLogLineSchema) }), "Log lines"),
    ...guarded,
  },
});

const cancelRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/pipeline/runs/{runId}/cancel",
  operationId: "cancelPipelineRun",
  tags,
  summary: "Cancel a queued or running run (owner team or admin; audited)",
  description:
    "A queued run (waiting for a worker or for its next attempt) ends `cancelled` at once. A running one is flagged: the worker running it, on whichever replica, interrupts its build within a second, discards the staged version (it never becomes current) and ends the run `cancelled`, with `cancelledBy`. Asking again is harmless.",
  request: { params: RunParams },
  responses: {
    200: json(
      PipelineRunSchema,
      "The run: `cancelled`, or still `running` with `cancelledBy` set until its worker stopped",
    ),
    ...guarded,
    409: errorContent("The run has ended already"),
  },
});

const rollbackRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/pipeline/rollback",
  operationId: "rollbackPort",
  tags,
  summary: "Make an earlier version of an output port current again (owner team or admin; audited)",
  request: {
    params: ProductParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ port: z.string().min(1), version: z.number().int().positive() }).strict(),
        },
      },
    },
  },
  responses: {
    200: json(
      z
        .object({
          productId: z.string(),
          port: z.string(),
          version: z.number().int(),
          restored: z.number().int(),
          previous: z.number().int().nullable(),
        })
        .openapi("Rollback"),
      "The new current version, serving the restored version's files",
    ),
    ...guarded,
    409: errorContent("That version never was current (failed, staged) or is current already"),
  },
});

/** Pipelines (ADR 0029): runs through the job queue, their records and logs, cancellation and rollback. */
export function registerPipelines(app: OpenAPIHono, pipelines: PipelineService): void {
  app.openapi(runRoute, async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : undefined;
    return c.json(await pipelines.requestRun(c.req.valid("param").id, principalOf(c), "manual", body), 202);
  });
  app.openapi(listRoute, async (c) =>
    c.json({ items: await pipelines.runs(c.req.valid("param").id, principalOf(c), c.req.valid("query").limit) }, 200),
  );
  app.openapi(getRoute, async (c) => {
    const { id, runId } = c.req.valid("param");
    return c.json(await pipelines.run(id, runId, principalOf(c)), 200);
  });
  app.openapi(logsRoute, async (c) => {
    const { id, runId } = c.req.valid("param");
    return c.json(await pipelines.logs(id, runId, principalOf(c), c.req.valid("query").after ?? 0), 200);
  });
  app.openapi(cancelRoute, async (c) => {
    const { id, runId } = c.req.valid("param");
    return c.json(await pipelines.cancel(id, runId, principalOf(c)), 200);
  });
  app.openapi(rollbackRoute, async (c) => {
    const { port, version } = c.req.valid("json");
    return c.json(await pipelines.rollback(c.req.valid("param").id, port, version, principalOf(c)), 200);
  });
}
