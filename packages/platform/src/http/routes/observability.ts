import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "@quanta/core";
import { findPort } from "../../harness/port-data.js";
import { authorize } from "../../identity/authorize.js";
import type { Principal } from "../../identity/principal.js";
import { productRef } from "../../identity/publish-target.js";
import { IncidentService, maxWindowDays, seesValues } from "../../observability/incident-service.js";
import { incidentKinds, incidentSeverities } from "../../observability/incidents.js";
import { MeasurementStore, maxSeriesPoints, ownerOnlyMetrics } from "../../observability/measurement-store.js";
import { profileForReader } from "../../observability/measurements.js";
import type { Database } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const tags = ["Observability"];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { required, content: { "application/json": { schema } } },
});

const name = z.string().min(1).max(200);
const ProductParams = z.object({ id: name });
const IncidentParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,18}$/, { message: "must be an incident id: a whole number, as GET /api/incidents lists them" })
    .openapi({ example: "42" }),
});

const PointSchema = z.object({ at: z.string(), runId: z.number().int(), value: z.number().nullable() });
const SeriesSchema = z.object({
  port: z.string(),
  dataset: z.string().nullable().openapi({ description: "null: the port as a whole (freshnessSeconds)" }),
  column: z.string().nullable().openapi({ description: "null: the dataset as a whole (rowCount, a check's value)" }),
  metric: z.string().openapi({
    description:
      "rowCount, batchRows, freshnessSeconds; per column nullRate, distinct, min, max, mean; check:<check id> for each check's value",
  }),
  points: z.array(PointSchema),
});
const MeasurementsSchema = z.object({ productId: z.string(), series: z.array(SeriesSchema) }).openapi("Measurements");

const ColumnProfileSchema = z.object({
  name: z.string(),
  type: z.string(),
  nulls: z.number().nullable(),
  nullRate: z.number().nullable(),
  distinct: z.number().nullable(),
  distinctApproximate: z.boolean(),
  min: z.union([z.string(), z.number()]).nullable(),
  max: z.union([z.string(), z.number()]).nullable(),
  mean: z.number().nullable(),
  top: z.array(z.object({ value: z.string(), count: z.number() })).nullable(),
});
const ProfileSchema = z
  .object({
    productId: z.string(),
    ports: z.array(
      z.object({
        port: z.string(),
        runId: z.number().int(),
        at: z.string(),
        status: z.string(),
        datasets: z.array(
          z.object({
            dataset: z.string(),
            rows: z.number().nullable(),
            columns: z.array(ColumnProfileSchema),
            reason: z.string().optional(),
          }),
        ),
      }),
    ),
  })
  .openapi("ProductProfile");

const IncidentSchema = z
  .object({
    id: z.number().int(),
    productId: z.string(),
    port: z.string().nullable(),
    kind: z.enum(incidentKinds),
    key: z.string(),
    severity: z.enum(incidentSeverities),
    state: z.enum(["open", "acknowledged", "resolved"]),
    title: z.string(),
    detail: z.record(z.string(), z.unknown()),
    startedAt: z.string(),
    detectedAt: z.string(),
    notifiedAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable().openapi({ description: "`quanta` when it resolved itself" }),
    occurrences: z.number().int(),
    lastSeenAt: z.string(),
    ttdSeconds: z.number().nullable().openapi({ description: "Time to detect: from the fault's start to detection" }),
    ttnSeconds: z.number().nullable().openapi({ description: "Time to notify: from detection to a webhook taking it" }),
    ttrSeconds: z.number().nullable().openapi({ description: "Time to repair: from detection to resolution" }),
  })
  .openapi("Incident");
const IncidentDetailSchema = IncidentSchema.extend({
  timeline: z.array(
    z.object({ at: z.string(), type: z.string(), actor: z.string().nullable(), text: z.string().nullable() }),
  ),
}).openapi("IncidentDetail");
const IncidentListSchema = z
  .object({ incidents: z.array(IncidentSchema), total: z.number().int() })
  .openapi("IncidentList");

const StatSchema = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), mean: z.number().nullable() });
const ServiceLevelsSchema = z
  .object({
    productId: z.string(),
    windowDays: z.number().int(),
    incidents: z.number().int(),
    ttd: StatSchema,
    ttn: StatSchema,
    ttr: StatSchema,
  })
  .openapi("IncidentServiceLevels");

const guarded = {
  400: errorContent("The request is malformed"),
  401: errorContent("Not signed in"),
  404: errorContent("No such product, port or incident"),
} as const;

const measurementsRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/measurements",
  operationId: "productMeasurements",
  tags,
  summary: "The product's measurements over time: one series per port, dataset, column and metric (signed in)",
  description:
    "Every number the contract test runs measured: row counts, ingest batch sizes, the age of the newest data, each column's null rate and distinct count, each check's value. Points oldest first, each with its run; at most `limit` per series (the newest). Min, max and mean of columns quote the data: only the owner team and admins get them. See docs/incidents.md.",
  request: {
    params: ProductParams,
    query: z.object({
      port: name.optional(),
      metric: name.optional().openapi({ example: "rowCount" }),
      column: name.optional(),
      since: z
        .union([z.string().datetime({ offset: true }), z.string().date()])
        .optional()
        .openapi({ description: "ISO 8601 time or date, UTC (default: 30 days ago)", example: "2026-12-01T00:00:00Z" }),
      limit: z.coerce.number().int().min(1).max(maxSeriesPoints).optional().openapi({ description: "default 200" }),
    }),
  },
  responses: { 200: json(MeasurementsSchema, "The series"), ...guarded },
});

const profileRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/profile",
  operationId: "productProfile",
  tags,
  summary: "The latest profile of each output port's datasets, with the run that computed it (signed in)",
  description:
    "Row count and, per column, nulls, distinct values, min, max, mean and the most frequent values, from the last contract test run that profiled the port. Min, max, mean and top values quote the data: only the owner team and admins get them.",
  request: { params: ProductParams, query: z.object({ port: name.optional() }) },
  responses: { 200: json(ProfileSchema, "The latest profiles"), ...guarded },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/incidents",
  operationId: "listIncidents",
  tags,
  summary: "Incidents, newest first (signed in)",
  description:
    "Filter by product, owner team, state (`active`: open or acknowledged) and kind. Sample values a failed check quotes are shown to the owner team only.",
  request: {
    query: z.object({
      product: name.optional(),
      team: name.optional(),
      state: z.enum(["open", "acknowledged", "resolved", "active"]).optional(),
      kind: z.enum(incidentKinds).optional(),
      limit: z.coerce.number().int().min(1).max(200).optional().openapi({ description: "default 50" }),
      offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
    }),
  },
  responses: {
    200: json(IncidentListSchema, "One page of incidents and how many match"),
    400: guarded[400],
    401: guarded[401],
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/incidents/{id}",
  operationId: "getIncident",
  tags,
  summary: "One incident with its timeline (signed in)",
  request: { params: IncidentParams },
  responses: { 200: json(IncidentDetailSchema, "The incident"), ...guarded },
});

const handled = {
  ...guarded,
  403: errorContent("Not in the product's owner team, nor governance or an admin"),
} as const;

const acknowledgeRoute = createRoute({
  method: "post",
  path: "/api/incidents/{id}/acknowledge",
  operationId: "acknowledgeIncident",
  tags,
  summary: "Take an incident on (the owner team, governance or an admin)",
  description: "An incident acknowledged already, or resolved, stays as it is.",
  request: { params: IncidentParams, ...body(z.object({}).strict(), false) },
  responses: { 200: json(IncidentSchema, "The incident"), ...handled },
});

const commentRoute = createRoute({
  method: "post",
  path: "/api/incidents/{id}/comments",
  operationId: "commentIncident",
  tags,
  summary: "Add a comment to an incident's timeline (the owner team, governance or an admin)",
  request: {
    params: IncidentParams,
    ...body(z.object({ text: z.string().trim().min(1).max(4000) }).strict()),
  },
  responses: { 200: json(IncidentSchema, "The incident"), ...handled },
});

const resolveRoute = createRoute({
  method: "post",
  path: "/api/incidents/{id}/resolve",
  operationId: "resolveIncident",
  tags,
  summary: "Resolve an incident by hand, with a note (the owner team, governance or an admin)",
  description:
    "Quanta resolves incidents itself when the data is healthy again; this is for what it cannot see. A fault seen again within the cooldown reopens the same incident.",
  request: {
    params: IncidentParams,
    ...body(z.object({ note: z.string().trim().min(1).max(4000).optional() }).strict(), false),
  },
  responses: { 200: json(IncidentSchema, "The incident"), ...handled },
});

const serviceLevelsRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/service-levels",
  operationId: "productIncidentServiceLevels",
  tags,
  summary: "Time to detect, notify and repair the product's incidents: p50, p95, mean in seconds (signed in)",
  description: "Over the incidents detected in the last `window` days (default 30).",
  request: {
    params: ProductParams,
    query: z.object({ window: z.coerce.number().int().min(1).max(maxWindowDays).optional() }),
  },
  responses: { 200: json(ServiceLevelsSchema, "The service levels"), ...guarded },
});

const incidentId = (id: string): number => {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n < 1) throw new NotFoundError(`no incident ${id}`);
  return n;
};

/** Measurements, profiles and incidents (issue 17, ADR 0038). */
export function registerObservability(app: OpenAPIHono, db: Database): void {
  const store = new MeasurementStore(db);
  const incidents = new IncidentService(db);

  /** Who may read the product (404 after the check, so an anonymous caller learns nothing). */
  const observed = async (principal: Principal | undefined, id: string) => {
    const ref = await productRef(db, id);
    authorize(principal, "product.observe", ref ?? { id, ownerTeam: null });
    if (!ref) throw new NotFoundError(`no data product "${id}"`);
    return ref;
  };

  app.openapi(measurementsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    const principal = principalOf(c);
    const ref = await observed(principal, id);
    if (q.port !== undefined) await findPort(db, id, q.port, ["output"]);
    const since = q.since ? new Date(q.since) : new Date(Date.now() - 30 * 86_400_000);
    let series = await store.series(id, {
      port: q.port,
      metric: q.metric,
      column: q.column,
      since,
      limit: q.limit ?? 200,
    });
    if (!seesValues(principal, ref.ownerTeam)) series = series.filter((s) => !ownerOnlyMetrics.has(s.metric));
    return c.json({ productId: id, series }, 200);
  });

  app.openapi(profileRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { port } = c.req.valid("query");
    const principal = principalOf(c);
    const ref = await observed(principal, id);
    if (port !== undefined) await findPort(db, id, port, ["output"]);
    const values = seesValues(principal, ref.ownerTeam);
    const ports = (await store.latestProfiles(id, port)).map((o) => ({
      port: o.port,
      runId: o.runId,
      at: o.at,
      status: o.status,
      datasets: (o.profiles ?? []).map((d) => (values ? d : profileForReader(d))),
    }));
    return c.json({ productId: id, ports }, 200);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const principal = principalOf(c);
    // Any signed-in user, as the catalog: what is wrong with a product is no secret, its data is.
    authorize(principal, "product.observe", { id: "*", ownerTeam: null });
    const page = await incidents.list(
      {
        product: q.product,
        team: q.team,
        state: q.state,
        kind: q.kind,
        limit: q.limit ?? 50,
        offset: q.offset ?? 0,
      },
      principal,
    );
    return c.json(page, 200);
  });

  app.openapi(getRoute, async (c) => {
    const principal = principalOf(c);
    authorize(principal, "product.observe", { id: "*", ownerTeam: null });
    return c.json(await incidents.get(incidentId(c.req.valid("param").id), principal), 200);
  });

  app.openapi(acknowledgeRoute, async (c) =>
    c.json(await incidents.acknowledge(incidentId(c.req.valid("param").id), principalOf(c)), 200),
  );

  app.openapi(commentRoute, async (c) =>
    c.json(await incidents.comment(incidentId(c.req.valid("param").id), principalOf(c), c.req.valid("json").text), 200),
  );

  app.openapi(resolveRoute, async (c) => {
    const note = (c.req.valid("json") as { note?: string } | undefined)?.note;
    return c.json(await incidents.resolve(incidentId(c.req.valid("param").id), principalOf(c), note), 200);
  });

  app.openapi(serviceLevelsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { window } = c.req.valid("query");
    await observed(principalOf(c), id);
    return c.json(await incidents.serviceLevels(id, window ?? 30), 200);
  });
}
