import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { consumeFormats } from "../../harness/consume/consume-query.js";
import type { Harness } from "../../harness/harness.js";
import { HarnessError } from "../../harness/harness-error.js";
import { controlActions, lifecycleStates } from "../../harness/lifecycle.js";
import { parseSchedule } from "../../jobs/schedule.js";
import { errorBody } from "../error-response.js";
import { errorContent } from "../schemas.js";

const ProductParams = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" }, example: "climate.temperature" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const bad = errorContent("The request is malformed (path, body, JSON) or refused (SQL outside the port, limits)");
const missing = errorContent("No such product or port");

const Member = z.object({
  username: z.string(),
  displayName: z.string().nullable(),
  role: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
const Port = z.object({
  direction: z.enum(["input", "output", "management"]),
  name: z.string(),
  type: z.string().nullable(),
  version: z.string().nullable(),
  contractId: z.string().nullable(),
  description: z.string().nullable(),
});

export const DiscoverySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    status: z.string(),
    domain: z.string().nullable(),
    summary: z.string(),
    tags: z.array(z.string()),
    description: z.object({
      purpose: z.string().nullable(),
      usage: z.string().nullable(),
      limitations: z.string().nullable(),
    }),
    lifecycle: z.object({ state: z.string(), servesReads: z.boolean() }),
    ports: z.array(Port),
    contracts: z.array(
      z.object({
        id: z.string(),
        name: z.string().nullable(),
        version: z.string(),
        status: z.string().nullable(),
        publishedAt: z.string(),
        ports: z.array(z.string()).openapi({ description: "Output ports serving this contract" }),
        datasets: z.array(
          z.object({
            name: z.string(),
            description: z.string().nullable(),
            properties: z.array(
              z.object({
                name: z.string(),
                businessName: z.string().nullable(),
                description: z.string().nullable(),
                logicalType: z.string().nullable(),
                physicalType: z.string().nullable(),
                required: z.boolean(),
                primaryKey: z.boolean(),
                classification: z.string().nullable(),
              }),
            ),
          }),
        ),
        sla: z.array(
          z.object({
            property: z.string(),
            value: z.unknown(),
            unit: z.string().nullable(),
            element: z.string().nullable(),
          }),
        ),
      }),
    ),
    glossary: z.array(z.object({ term: z.string(), definition: z.string().nullable(), url: z.string().nullable() })),
    owners: z.object({
      team: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      members: z.array(Member).openapi({ description: "Who holds which role now" }),
      history: z.array(Member).openapi({ description: "Every period anyone held a role, oldest first" }),
    }),
    links: z.array(z.object({ rel: z.string(), url: z.string(), description: z.string().nullable() })),
    interfaces: z.record(z.string(), z.string()),
  })
  .openapi("Discovery");

export const ConsumeRequestSchema = z
  .object({
    port: z.string().min(1).max(200).openapi({ example: "daily-temperature" }),
    sql: z.string().max(100_000).optional().openapi({
      description:
        "One SELECT over the port's datasets (views named after the contract's schema objects); default: all rows of the only dataset",
      example: "SELECT station_id, avg(mean_temperature_c) AS mean FROM daily_temperature GROUP BY station_id",
    }),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: "Most rows returned (default 10,000; the server's maximum applies)" }),
    format: z.enum(consumeFormats as [string, ...string[]]).default("json"),
  })
  .strict()
  .openapi("ConsumeRequest");

const Usage = z.object({ consumer: z.string(), reads: z.number(), rows: z.number(), bytes: z.number() });
const Run = z.object({
  id: z.number(),
  productId: z.string(),
  contractId: z.string(),
  contractVersion: z.string(),
  server: z.string().nullable(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export const ObservationSchema = z
  .object({
    productId: z.string(),
    lifecycle: z.object({ state: z.string(), servesReads: z.boolean(), runsTests: z.boolean() }),
    usage: z.object({
      total: z.object({ reads: z.number(), rows: z.number(), bytes: z.number() }),
      byConsumer: z.array(Usage),
      recent: z.array(
        z.object({
          at: z.string(),
          consumer: z.string(),
          port: z.string().nullable(),
          action: z.string(),
          rows: z.number(),
          bytes: z.number(),
          durationMs: z.number(),
        }),
      ),
    }),
    tests: z.object({
      latest: z.array(
        Run.extend({
          port: z.string().nullable(),
          checks: z.array(
            z.object({
              checkId: z.string(),
              dataset: z.string().nullable(),
              status: z.string(),
              value: z.unknown(),
              threshold: z.unknown(),
              reason: z.string().nullable(),
            }),
          ),
        }),
      ),
      history: z.array(Run),
    }),
    slis: z.array(
      z.object({
        port: z.string(),
        contractId: z.string(),
        freshness: z.object({
          objective: z.string().nullable(),
          ageSeconds: z.number().nullable(),
          met: z.boolean().nullable(),
          measuredAt: z.string().nullable(),
        }),
        availability: z.object({
          objective: z.number().nullable(),
          windowDays: z.number(),
          runs: z.number(),
          readable: z.number(),
          ratio: z.number().nullable(),
        }),
        quality: z.object({ runs: z.number(), passed: z.number(), ratio: z.number().nullable() }),
        lastRun: z
          .object({ id: z.number(), status: z.string(), startedAt: z.string(), finishedAt: z.string().nullable() })
          .nullable(),
      }),
    ),
    ingest: z.object({
      batches: z.array(
        z.object({
          id: z.number(),
          at: z.string(),
          port: z.string(),
          dataset: z.string(),
          received: z.number(),
          accepted: z.number(),
          quarantined: z.number(),
        }),
      ),
      quarantinedRows: z.number(),
    }),
  })
  .openapi("Observation");

export const GovernanceSchema = z
  .object({
    productId: z.string(),
    version: z.string(),
    evaluatedAt: z.string(),
    policyEngine: z.enum(["available", "unavailable"]),
    policies: z.array(
      z.object({ rule: z.string(), severity: z.string(), status: z.string(), message: z.string().nullable() }),
    ),
    certification: z.object({
      level: z.string().nullable(),
      status: z.enum(["certified", "not-certified", "not-evaluated"]),
      reason: z.string(),
    }),
    known: z.object({
      lint: z.object({ errors: z.number(), warnings: z.number(), issues: z.array(z.record(z.string(), z.unknown())) }),
      contractTests: z.array(
        z.object({ contractId: z.string(), status: z.string(), finishedAt: z.string().nullable() }),
      ),
    }),
  })
  .openapi("Governance");

const ConfigSchema = z
  .object({
    testSchedule: z
      .string()
      .max(100)
      .refine((s) => !("error" in parseSchedule(s)), {
        message: "must be a 5-field cron (UTC) or an interval such as `6 h`, at least 1 minute",
      })
      .optional()
      .openapi({ example: "0 */6 * * *" }),
    maxRows: z.number().int().min(1).optional(),
  })
  .strict();

export const ControlRequestSchema = z
  .object({
    action: z.enum(controlActions as [string, ...string[]]),
    config: ConfigSchema.optional().openapi({ description: "Only with `configure`: the settings to change" }),
  })
  .strict()
  .refine((r) => r.action === "configure" || r.config === undefined, {
    message: "config is only accepted with the configure action",
    path: ["config"],
  })
  .openapi("ControlRequest");

export const LifecycleSchema = z
  .object({
    productId: z.string(),
    state: z.enum(lifecycleStates as [string, ...string[]]),
    config: ConfigSchema,
    servesReads: z.boolean(),
    runsTests: z.boolean(),
    allowedActions: z.array(z.string()),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi("Lifecycle");

const tags = ["Harness"];

const discoverRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/discover",
  operationId: "discoverProduct",
  tags,
  summary: "Discover: description, ports, contracts (latest versions), glossary, owners (with history), links",
  request: { params: ProductParams },
  responses: { 200: json(DiscoverySchema, "The product as a consumer sees it"), 400: bad, 404: missing },
});

const consumeRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/consume",
  operationId: "consumeProduct",
  tags,
  summary: "Consume: a read-only SQL query over one output port's datasets, streamed",
  description:
    "Runs in a fresh sandboxed DuckDB that sees only the port's datasets. JSON is streamed as `{columns, rows, rowCount, truncated}` (an `error` member ends a stream cut short); CSV with a header row; Parquet as a file. `arrow` is answered 415.",
  request: {
    params: ProductParams,
    body: { required: true, content: { "application/json": { schema: ConsumeRequestSchema } } },
  },
  responses: {
    200: {
      description: "The rows, streamed",
      content: {
        "application/json": { schema: z.object({}).passthrough() },
        "text/csv": { schema: z.string() },
        "application/vnd.apache.parquet": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    400: bad,
    404: missing,
    409: errorContent("The product does not serve reads (draft or stopped)"),
    413: errorContent("The body is larger than the server accepts"),
    415: errorContent("The format is not available (arrow)"),
    422: errorContent("The port's data cannot be read (no local server, unreadable file)"),
    423: errorContent("The product is paused"),
  },
});

const observeRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/observe",
  operationId: "observeProduct",
  tags,
  summary: "Observe: usage (who read what, how much), contract test results and SLIs",
  request: { params: ProductParams },
  responses: { 200: json(ObservationSchema, "Usage, tests and SLIs"), 400: bad, 404: missing },
});

const governRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/govern",
  operationId: "governProduct",
  tags,
  summary: "Govern: policy results and certification",
  request: { params: ProductParams },
  responses: { 200: json(GovernanceSchema, "Policy results and certification"), 400: bad, 404: missing },
});

const stateRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/control",
  operationId: "productState",
  tags,
  summary: "The product's lifecycle state, configuration and the actions it allows",
  request: { params: ProductParams },
  responses: { 200: json(LifecycleSchema, "The lifecycle"), 400: bad, 404: missing },
});

const controlRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/control",
  operationId: "controlProduct",
  tags,
  summary: "Control: start, stop, pause, resume or configure the product",
  description:
    "Transitions: draft → start → active; active → pause → paused, → stop → stopped; paused → resume → active, → stop → stopped; stopped → start → active; configure in any state. Only active products serve reads and run scheduled contract tests. Every transition is an event.",
  request: {
    params: ProductParams,
    body: { required: true, content: { "application/json": { schema: ControlRequestSchema } } },
  },
  responses: {
    200: json(LifecycleSchema, "The new state"),
    400: bad,
    404: missing,
    409: errorContent("The action is not allowed in the current state; `details.allowed` lists the ones that are"),
  },
});

/** Who is asking; the platform's authentication (when configured) replaces this header. */
export function consumerOf(c: Context): string {
  const name = c.req.header("x-quanta-consumer")?.trim();
  return name && name.length <= 200 ? name : "anonymous";
}

/** Harness refusals carry their own status; everything else goes to the app's error handler. */
async function answer(c: Context, fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HarnessError) return c.json(errorBody(e.code, e.message, e.details), e.status);
    throw e;
  }
}

export function registerHarness(app: OpenAPIHono, harness: Harness): void {
  app.openapi(
    discoverRoute,
    (c) => answer(c, async () => c.json(await harness.discover(c.req.valid("param").id), 200)) as never,
  );
  app.openapi(
    consumeRoute,
    (c) =>
      answer(c, async () => {
        const body = c.req.valid("json");
        const stream = await harness.consume(
          c.req.valid("param").id,
          { port: body.port, sql: body.sql, limit: body.limit, format: body.format as "json" },
          consumerOf(c),
        );
        return new Response(stream.body, {
          status: 200,
          headers: {
            "content-type": stream.contentType,
            "cache-control": "no-store",
            "x-quanta-columns": encodeURIComponent(stream.columns.map((col) => col.name).join(",")).slice(0, 4000),
            ...(body.format === "parquet" || body.format === "csv"
              ? {
                  "content-disposition": `attachment; filename="${body.port.replace(/[^A-Za-z0-9._-]/g, "_")}.${body.format}"`,
                }
              : {}),
          },
        });
      }) as never,
  );
  app.openapi(
    observeRoute,
    (c) => answer(c, async () => c.json(await harness.observe(c.req.valid("param").id), 200)) as never,
  );
  app.openapi(
    governRoute,
    (c) => answer(c, async () => c.json(await harness.govern(c.req.valid("param").id), 200)) as never,
  );
  app.openapi(
    stateRoute,
    (c) => answer(c, async () => c.json(await harness.state(c.req.valid("param").id), 200)) as never,
  );
  app.openapi(
    controlRoute,
    (c) =>
      answer(c, async () => {
        const body = c.req.valid("json");
        const life = await harness.control(
          c.req.valid("param").id,
          body.action as (typeof controlActions)[number],
          body.config,
          consumerOf(c),
        );
        return c.json(life, 200);
      }) as never,
  );
}
