import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { AgreementConnectionSchema } from "../../access/agreement-connection-schema.js";
import type { AgreementGrants } from "../../access/agreement-grants.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";
import { IdParams } from "./access.js";

const responses = {
  200: { description: "Connection details", content: { "application/json": { schema: AgreementConnectionSchema } } },
  400: errorContent("The request is malformed"),
  401: errorContent("No credential, or one that does not hold"),
  403: errorContent("Not a member of the agreement's consumer team"),
  404: errorContent("No such agreement"),
  409: errorContent(
    "The agreement is not active, its port's data is not in a store that holds grants, or the grant is not ready yet",
  ),
} as const;

const getConnection = createRoute({
  method: "get",
  path: "/api/agreements/{id}/connection",
  operationId: "getAgreementConnection",
  tags: ["Access"],
  summary: "Connect to the store directly: host, database, the agreement's role and its views",
  description:
    "For a port served by PostgreSQL, an active agreement is a real database permission: a role of its own and one view per dataset, masked and filtered exactly as consume serves it. The first fetch issues the role's password and shows it once.",
  request: { params: IdParams },
  responses,
});

const newPassword = createRoute({
  method: "post",
  path: "/api/agreements/{id}/connection",
  operationId: "renewAgreementPassword",
  tags: ["Access"],
  summary: "Issue a new password for the agreement's role (the old one stops working), shown once",
  request: { params: IdParams },
  responses,
});

export function registerAgreementConnection(app: OpenAPIHono, grants: AgreementGrants): void {
  // An answer may hold the role's one-time password: no cache (a browser's, a proxy's) may keep it.
  app.openapi(getConnection, async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await grants.connection(c.req.valid("param").id, principalOf(c)), 200);
  });
  app.openapi(newPassword, async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await grants.connection(c.req.valid("param").id, principalOf(c), { newPassword: true }), 200);
  });
}
