import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { InputError, UnsupportedMediaTypeError } from "@quanta/core";
import { consumeFormats } from "@quanta/core/engines";
import type { Context } from "hono";
import { ConsumeJsonSchema } from "../../harness/consume-schema.js";
import { DiscoverySchema } from "../../harness/discovery-schema.js";
import { GovernanceSchema } from "../../harness/governance-schema.js";
import type { ConsumeStream, Harness } from "../../harness/harness.js";
import { IngestResultSchema } from "../../harness/ingest/ingest-result.js";
import { formatOfFile, mediaTypes } from "../../harness/ingest/read-upload.js";
import { controlActions } from "../../harness/lifecycle.js";
import { LifecycleSchema, ProductConfigSchema } from "../../harness/lifecycle-schema.js";
import { ObservationSchema } from "../../harness/observation-schema.js";
import { principalOf } from "../auth-middleware.js";
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

export const ControlRequestSchema = z
  .object({
    action: z.enum(controlActions),
    config: ProductConfigSchema.optional().openapi({ description: "Only with `configure`: the settings to change" }),
  })
  .strict()
  .refine((r) => r.action === "configure" || r.config === undefined, {
    message: "config is only accepted with the configure action",
    path: ["config"],
  })
  .openapi("ControlRequest");

export const IngestRequestSchema = z
  .object({
    port: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The input port (or the `port` query parameter)" }),
    dataset: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The contract's dataset, when it has several" }),
    records: z.array(z.unknown()).openapi({ description: "The records, one object per row, keyed by property name" }),
  })
  .strict()
  .openapi("IngestRequest");

const IngestQuery = z
  .object({
    port: z.string().min(1).max(200).optional(),
    dataset: z.string().min(1).max(200).optional(),
  })
  .strict();

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
    "Runs in a sandboxed DuckDB that sees only the port's datasets, with the reader's masking and row filters built into them. DuckDB writes the whole result before the first byte is sent, so any query error (including the time limit) is a 4xx; the result is then streamed: JSON as `{columns, rows, rowCount, truncated}`, CSV with a header row, Parquet as a file, Arrow as an IPC stream (record batches of up to 65,536 rows).",
  request: {
    params: ProductParams,
    body: { required: true, content: { "application/json": { schema: ConsumeRequestSchema } } },
  },
  responses: {
    200: {
      description: "The rows, streamed",
      headers: {
        Deprecation: {
          description: "After the product's end of support (RFC 9745): when support ended, as @seconds",
          schema: { type: "string", example: "@1893456000" },
        },
        Sunset: {
          description: "After end of support, when the product has an end of life (RFC 8594)",
          schema: { type: "string", example: "Wed, 01 Jan 2031 12:00:00 GMT" },
        },
      },
      content: {
        "application/json": { schema: ConsumeJsonSchema },
        "text/csv": { schema: z.string() },
        "application/vnd.apache.parquet": { schema: z.string().openapi({ format: "binary" }) },
        "application/vnd.apache.arrow.stream": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    400: bad,
    404: missing,
    409: errorContent("The product does not serve reads (draft or stopped)"),
    413: errorContent("The body is larger than the server accepts"),
    422: errorContent("The port's data cannot be read (no local server, unreadable file)"),
    410: errorContent("The product (or port) reached its end of life: a tombstone, no longer served"),
    423: errorContent("The product is paused"),
  },
});

const ConsumeAcrossSchema = z
  .object({
    ports: z
      .array(
        z
          .object({
            product: z.string().min(1).max(200).openapi({ example: "climate.temperature" }),
            port: z.string().min(1).max(200).openapi({ example: "daily-temperature" }),
            as: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/)
              .optional()
              .openapi({
                description: "The schema the port's datasets are read from in the SQL (default: the port's name)",
              }),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    sql: z.string().min(1).max(100_000).openapi({
      description: "One SELECT over the ports' datasets, each named `<port or as>.<dataset>`",
      example:
        'SELECT t.station_id, t.mean_temperature_c, p.precipitation_mm FROM "daily-temperature".daily_temperature t JOIN "daily-precipitation".daily_precipitation p USING (station_id, day)',
    }),
    limit: ConsumeRequestSchema.shape.limit,
    format: ConsumeRequestSchema.shape.format,
  })
  .strict()
  .openapi("ConsumeAcrossRequest");

const consumeAcrossRoute = createRoute({
  method: "post",
  path: "/api/consume",
  operationId: "consumeAcross",
  tags,
  summary: "Consume across ports: one read-only SQL query joining output ports of one or more products",
  description:
    "Each port is read under the caller's own right to it (owner team, agreement or public port) and served with that agreement's masks and row filters; each read is audited on its product. Port `p`'s dataset `d` is `p.d` in the SQL (or `as.d`). The ports are joined in a sandboxed DuckDB; a port served by a database server would need DuckDB's postgres_scanner there and is refused with a 422.",
  request: { body: { required: true, content: { "application/json": { schema: ConsumeAcrossSchema } } } },
  responses: {
    ...consumeRoute.responses,
    403: errorContent("The caller may not read one of the ports"),
  },
});

const ingestRoute = createRoute({
  method: "post",
  path: "/api/products/{id}/ingest",
  operationId: "ingestProduct",
  tags,
  summary: "Ingest: records or a file for one of the product's input ports, validated against its contract",
  description:
    "JSON `{port, records}`, or a file with `?port=`: CSV (header row), NDJSON or Parquet as the body with its content type, or multipart/form-data with fields `port`, `dataset` and `file`. Each record is validated against the contract the input port names (types, required, logicalTypeOptions, valid values, patterns): valid rows are stored, invalid ones quarantined with their reasons, atomically. With an `Idempotency-Key` header, a retry of the same request answers the first result (header `Idempotent-Replayed: true`) and stores nothing twice.",
  middleware: [
    async (c, next) => {
      const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
      if (type !== "application/json" && type !== "multipart/form-data" && !mediaTypes[type]) {
        throw new UnsupportedMediaTypeError(
          `ingest reads ${[...Object.keys(mediaTypes), "multipart/form-data"].join(", ")} (got "${type || "no content type"}")`,
        );
      }
      await next();
    },
  ] as const,
  request: {
    params: ProductParams,
    query: IngestQuery,
    headers: z.object({
      "idempotency-key": z.string().optional().openapi({
        description:
          "Any 1–255 visible ASCII characters, new for each new request (a UUID): keys are per product, port and principal",
      }),
    }),
    body: {
      required: false,
      content: {
        ...Object.fromEntries(
          Object.entries(mediaTypes)
            .filter(([type]) => type !== "application/json")
            .map(([type, format]) => [
              type,
              { schema: format === "parquet" ? z.string().openapi({ format: "binary" }) : z.string() },
            ]),
        ),
        "application/json": { schema: IngestRequestSchema },
        "multipart/form-data": {
          schema: z.object({
            port: z.string().optional(),
            dataset: z.string().optional(),
            file: z.any().openapi({ type: "string", format: "binary" }),
          }),
        },
      },
    },
  },
  responses: {
    201: json(
      IngestResultSchema,
      "Stored: the counts, and the first quarantined rows with their reasons (or, for a retried Idempotency-Key, the first request's result)",
    ),
    400: errorContent(
      "Not readable: not the format it claims, a record that is not an object or is nested too deep, an invalid Idempotency-Key",
    ),
    404: missing,
    409: errorContent("The product is stopped"),
    413: errorContent("The body or the number of records is larger than the server accepts"),
    415: errorContent("The content type is not one ingest reads"),
    422: errorContent(
      "The file's columns do not match the contract, or the Idempotency-Key was used for a different request (nothing stored)",
    ),
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

/** Who is asking, as usage and events record it: the signed-in principal, else an anonymous caller. */
export function consumerOf(c: Context): string {
  return principalOf(c)?.name ?? "anonymous";
}

type IngestBody = { port?: string | undefined; dataset?: string | undefined; records: unknown[] };

/** Ingest reads JSON records, a raw file body (CSV, NDJSON, Parquet) or a multipart upload. */
async function ingest(
  c: Context,
  harness: Harness,
  id: string,
  query: { port?: string | undefined; dataset?: string | undefined },
  json: () => IngestBody,
) {
  const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const actor = consumerOf(c);
  const idempotencyKey = c.req.header("idempotency-key");
  const need = (port: string | undefined) => {
    if (!port) throw new InputError("name the input port: `port` in the body or the query", { code: "port-required" });
    return port;
  };
  const run = async (request: Omit<Parameters<Harness["ingest"]>[1], "idempotencyKey">) => {
    const { replayed, ...result } = await harness.ingest(id, { ...request, idempotencyKey }, actor);
    if (replayed) c.header("idempotent-replayed", "true");
    return c.json(result, 201);
  };
  if (type === "application/json") {
    const body = json();
    return run({
      port: need(body.port ?? query.port),
      dataset: body.dataset ?? query.dataset,
      upload: { format: "json", mode: "strict", records: body.records },
    });
  }
  if (type === "multipart/form-data") {
    const form = await c.req.parseBody().catch(() => {
      throw new InputError("the multipart body cannot be read", { code: "invalid-file" });
    });
    const file = form.file;
    if (!(file instanceof File))
      throw new InputError("send the data as the multipart field `file`", { code: "file-required" });
    const format = formatOfFile(file.name, file.type);
    if (!format) {
      throw new UnsupportedMediaTypeError(
        `cannot tell the format of "${file.name}" (${file.type || "no type"}); use .csv, .ndjson, .json or .parquet`,
        { code: "unsupported-media-type" },
      );
    }
    const field = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    return run({
      port: need(field(form.port) ?? query.port),
      dataset: field(form.dataset) ?? query.dataset,
      upload: { format, bytes: new Uint8Array(await file.arrayBuffer()) },
    });
  }
  const format = mediaTypes[type];
  if (!format) {
    throw new UnsupportedMediaTypeError(
      `ingest reads ${[...Object.keys(mediaTypes), "multipart/form-data"].join(", ")} (got "${type || "no content type"}")`,
      { code: "unsupported-media-type" },
    );
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  return run({ port: need(query.port), dataset: query.dataset, upload: { format, bytes } });
}

export function registerHarness(app: OpenAPIHono, harness: Harness): void {
  app.openapi(discoverRoute, async (c) => c.json(await harness.discover(c.req.valid("param").id), 200));
  app.openapi(consumeRoute, async (c) => {
    const body = c.req.valid("json");
    const stream = await harness.consume(
      c.req.valid("param").id,
      { port: body.port, sql: body.sql, limit: body.limit, format: body.format as "json" },
      principalOf(c),
    );
    return streamed(stream, body.format, body.port);
  });
  app.openapi(consumeAcrossRoute, async (c) => {
    const body = c.req.valid("json");
    const stream = await harness.consumeAcross(
      {
        ports: body.ports.map((p) => ({ productId: p.product, port: p.port, as: p.as })),
        sql: body.sql,
        limit: body.limit,
        format: body.format as "json",
      },
      principalOf(c),
    );
    return streamed(stream, body.format, "result");
  });
  app.openapi(ingestRoute, (c) =>
    ingest(c, harness, c.req.valid("param").id, c.req.valid("query"), () => c.req.valid("json") as IngestBody),
  );
  app.openapi(observeRoute, async (c) => c.json(await harness.observe(c.req.valid("param").id, principalOf(c)), 200));
  app.openapi(governRoute, async (c) => c.json(await harness.govern(c.req.valid("param").id), 200));
  app.openapi(stateRoute, async (c) => c.json(await harness.state(c.req.valid("param").id), 200));
  app.openapi(controlRoute, async (c) => {
    const body = c.req.valid("json");
    const life = await harness.control(
      c.req.valid("param").id,
      body.action as (typeof controlActions)[number],
      body.config,
      consumerOf(c),
    );
    return c.json(life, 200);
  });
}

/** A consume answer as HTTP: streamed, never cached, CSV and Parquet as a download named after `name`. */
function streamed(stream: ConsumeStream, format: string, name: string): Response {
  return new Response(stream.body, {
    status: 200,
    headers: {
      "content-type": stream.contentType,
      "cache-control": "no-store",
      ...stream.headers,
      "x-quanta-columns": encodeURIComponent(stream.columns.map((col) => col.name).join(",")).slice(0, 4000),
      ...(format === "parquet" || format === "csv"
        ? { "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}.${format}"` }
        : {}),
    },
  });
}
