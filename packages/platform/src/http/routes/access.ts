import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type Agreement, AgreementSchema, agreementStates } from "../../access/agreement.js";
import type { AgreementGrants } from "../../access/agreement-grants.js";
import { AgreementService } from "../../access/agreement-service.js";
import { MeshEdgeSchema } from "../../access/mesh-edge-schema.js";
import { authorize } from "../../identity/authorize.js";
import type { Database } from "../../storage/database.js";
import type { WebhookAddressPolicy } from "../../webhooks/webhook-address.js";
import { RegisteredWebhookSchema, WebhookSchema } from "../../webhooks/webhook-schema.js";
import { WebhookService } from "../../webhooks/webhook-service.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { required, content: { "application/json": { schema } } },
});
const guarded = {
  400: errorContent("The request is malformed"),
  401: errorContent("No credential, or one that does not hold"),
  403: errorContent("Signed in, but not allowed (e.g. a consumer approving its own request)"),
  404: errorContent("No such product, port, team or agreement"),
} as const;
const tags = ["Access"];
const name = z.string().min(1).max(200);

const AccessRequestSchema = z
  .object({
    productId: name,
    port: name,
    consumerTeam: name.openapi({ description: "The team that will read (you must be a member)" }),
    purpose: z.string().trim().min(3).max(2000).openapi({ example: "Monthly revenue reporting for finance" }),
    columns: z
      .array(name)
      .max(200)
      .optional()
      .openapi({ description: "Sensitive columns asked for unmasked (otherwise they are masked)" }),
  })
  .strict()
  .openapi("AccessRequest");

const DecisionSchema = z
  .object({
    reason: z.string().max(2000).optional(),
    columns: z
      .array(name)
      .max(200)
      .optional()
      .openapi({ description: "Approve only: grant a subset of the requested columns" }),
  })
  .strict();

export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const TeamParams = z.object({ id: name.openapi({ param: { name: "id", in: "path" } }) });
const HookParams = TeamParams.extend({
  webhookId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "webhookId", in: "path" } }),
});

const requestRoute = createRoute({
  method: "post",
  path: "/api/access-requests",
  operationId: "requestAccess",
  tags,
  summary: "Request access to an output port for a consumer team, with a purpose",
  description:
    "Creates an agreement in state `requested`, or `active` at once when the port approves by itself (`accessApproval: auto`). A second request for the same team and port while one is open is a 409 with the existing id in `details.existingId`.",
  request: body(AccessRequestSchema),
  responses: {
    201: json(AgreementSchema, "The request (or the auto-approved agreement)"),
    ...guarded,
    409: errorContent("An open request or agreement exists for this team and port; details.existingId names it"),
  },
});

const actions = ["approve", "reject"] as const;
const decideRoutes = actions.map((action) =>
  createRoute({
    method: "post",
    path: `/api/access-requests/{id}/${action}`,
    operationId: `${action}AccessRequest`,
    tags,
    summary: `${action === "approve" ? "Approve" : "Reject"} an access request (the owner team; never the consumer itself)`,
    request: { params: IdParams, ...body(DecisionSchema, false) },
    responses: {
      200: json(AgreementSchema, "The agreement after the decision"),
      ...guarded,
      409: errorContent("The request is not open any more; details.allowed lists what is"),
    },
  }),
);

const terminateRoute = createRoute({
  method: "post",
  path: "/api/agreements/{id}/terminate",
  operationId: "terminateAgreement",
  tags,
  summary: "Terminate an agreement (either side): terminating until the contract's notice period ends",
  request: { params: IdParams, ...body(z.object({ reason: z.string().max(2000).optional() }).strict(), false) },
  responses: {
    200: json(AgreementSchema, "terminating (or terminated for an open request)"),
    ...guarded,
    409: errorContent("Already ending or ended"),
  },
});

const acceptRoute = createRoute({
  method: "post",
  path: "/api/agreements/{id}/accept-version",
  operationId: "acceptAgreementVersion",
  tags,
  summary: "Move an agreement to the new major contract version before its notice period ends (the consumer)",
  request: { params: IdParams },
  responses: {
    200: json(AgreementSchema, "The agreement, reading the new version"),
    ...guarded,
    409: errorContent("No pending version"),
  },
});

const getRoute = createRoute({
  method: "get",
  path: "/api/agreements/{id}",
  operationId: "getAgreement",
  tags,
  summary: "One agreement (either side, governance, admins)",
  request: { params: IdParams },
  responses: { 200: json(AgreementSchema, "The agreement"), ...guarded },
});

const listRoute = createRoute({
  method: "get",
  path: "/api/agreements",
  operationId: "listAgreements",
  tags,
  summary: "Agreements and requests per product and per consumer team (the ones you may see)",
  request: {
    query: z
      .object({ productId: name.optional(), consumerTeam: name.optional(), state: z.enum(agreementStates).optional() })
      .strict(),
  },
  responses: { 200: json(z.object({ items: z.array(AgreementSchema) }), "Newest first"), ...guarded },
});

const meshRoute = createRoute({
  method: "get",
  path: "/api/mesh",
  operationId: "meshEdges",
  tags,
  summary: "The edges of the mesh: active agreements (product port → consumer team and its products)",
  responses: { 200: json(z.object({ edges: z.array(MeshEdgeSchema) }), "Every active or terminating agreement") },
});

const hookCreate = createRoute({
  method: "post",
  path: "/api/teams/{id}/webhooks",
  operationId: "registerWebhook",
  tags,
  summary: "Register a webhook for a team: agreement changes and breaking contract changes are POSTed to it",
  request: { params: TeamParams, ...body(z.object({ url: z.string().min(1).max(2000) }).strict()) },
  responses: { 201: json(RegisteredWebhookSchema, "Registered, with its signing secret"), ...guarded },
});
const hookList = createRoute({
  method: "get",
  path: "/api/teams/{id}/webhooks",
  operationId: "listWebhooks",
  tags,
  summary: "A team's webhooks",
  request: { params: TeamParams },
  responses: { 200: json(z.object({ items: z.array(WebhookSchema) }), "The team's webhooks"), ...guarded },
});
const hookDelete = createRoute({
  method: "delete",
  path: "/api/teams/{id}/webhooks/{webhookId}",
  operationId: "removeWebhook",
  tags,
  summary: "Remove a webhook",
  request: { params: HookParams },
  responses: { 204: { description: "Removed" }, ...guarded },
});

/** A ConflictError carrying details (the existing id of a replayed request) keeps them in the body. */
/** Data usage agreements, the mesh they draw and team webhooks (ADR 0014). */
export function registerAccess(
  app: OpenAPIHono,
  db: Database,
  webhookAddresses?: WebhookAddressPolicy,
  grants?: AgreementGrants,
): void {
  const agreements = new AgreementService(db);
  // A decision is a permission in the store too (ADR 0027): brought in line before the answer.
  const granted = async (a: Agreement) => {
    await grants?.sync(a.id);
    return a;
  };
  const webhooks = new WebhookService(db, webhookAddresses);
  app.openapi(requestRoute, async (c) =>
    c.json(await granted(await agreements.request(c.req.valid("json"), principalOf(c))), 201),
  );
  for (const [i, route] of decideRoutes.entries()) {
    const action = actions[i] as (typeof actions)[number];
    app.openapi(route, async (c) =>
      c.json(
        await granted(await agreements.act(c.req.valid("param").id, action, principalOf(c), c.req.valid("json"))),
        200,
      ),
    );
  }
  app.openapi(terminateRoute, async (c) =>
    c.json(
      await granted(await agreements.act(c.req.valid("param").id, "terminate", principalOf(c), c.req.valid("json"))),
      200,
    ),
  );
  app.openapi(acceptRoute, async (c) =>
    c.json(await granted(await agreements.act(c.req.valid("param").id, "accept-version", principalOf(c))), 200),
  );
  app.openapi(getRoute, async (c) => c.json(await agreements.get(c.req.valid("param").id, principalOf(c)), 200));
  app.openapi(listRoute, async (c) =>
    c.json({ items: await agreements.list(c.req.valid("query"), principalOf(c)) }, 200),
  );
  app.openapi(meshRoute, async (c) => {
    authorize(principalOf(c), "catalog.read", undefined);
    return c.json({ edges: await agreements.mesh() }, 200);
  });
  app.openapi(hookCreate, async (c) => {
    const { id: team } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team });
    return c.json(await webhooks.register(team, c.req.valid("json").url, principalOf(c)?.name), 201);
  });
  app.openapi(hookList, async (c) => {
    const { id: team } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team });
    return c.json({ items: await webhooks.list(team) }, 200);
  });
  app.openapi(hookDelete, async (c) => {
    const { id: team, webhookId } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team });
    await webhooks.remove(team, webhookId, principalOf(c)?.name);
    return c.body(null, 204);
  });
}
