import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { NotFoundError } from "@quanta/core";
import type { Harness } from "../../harness/harness.js";
import { consumerSnippets, type SnippetPort } from "../../harness/snippets/consumer-snippets.js";
import { SnippetsSchema } from "../../harness/snippets/snippets-schema.js";
import type { Principal } from "../../identity/principal.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" }, example: "sales.orders" }),
  port: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "port", in: "path" }, example: "orders" }),
});

const route = createRoute({
  method: "get",
  path: "/api/products/{id}/ports/{port}/snippets",
  operationId: "portSnippets",
  tags: ["Harness"],
  summary: "Code that reads the port: curl, Python, TypeScript, DuckDB, SQL, and psql for a database grant",
  description:
    "Every call carries the caller's API token from `$QUANTA_TOKEN` (the code never holds a token) and reads the rows in the shape consume answers: JSON rows are objects keyed by column name. A caller whose team holds an active agreement on a port served from PostgreSQL also gets `psql` for the agreement's own role and view.",
  request: { params: Params },
  responses: {
    200: { description: "The snippets", content: { "application/json": { schema: SnippetsSchema } } },
    400: errorContent("A malformed product id or port"),
    404: errorContent("No such product or output port"),
  },
});

/** The public address the caller used, honouring a reverse proxy's forwarded host and scheme. */
function baseUrlOf(url: string, forwardedHost: string | undefined, forwardedProto: string | undefined): string {
  const own = new URL(url);
  const host = forwardedHost?.split(",")[0]?.trim();
  const proto = forwardedProto?.split(",")[0]?.trim();
  const origin =
    host && /^[\w.-]+(:\d+)?$/.test(host)
      ? `${proto === "https" || proto === "http" ? proto : own.protocol.slice(0, -1)}://${host}`
      : own.origin;
  return origin;
}

async function connectionFor(harness: Harness, principal: Principal | undefined, productId: string, port: string) {
  if (!principal || principal.teams.length === 0) return undefined;
  const { rows } = await harness.db.query<{ id: string }>(
    `SELECT id FROM agreements
     WHERE product_id = $1 AND port = $2 AND state IN ('active', 'terminating') AND consumer_team = ANY($3::text[])
     ORDER BY decided_at DESC NULLS LAST LIMIT 1`,
    [productId, port, principal.teams.map((t) => t.team)],
  );
  const agreementId = rows[0]?.id;
  if (!agreementId) return undefined;
  // A port in a store without grants, or a grant not ready yet, simply has no psql snippet.
  const found = await harness.grants.connection(agreementId, principal, { withoutLogin: true }).catch(() => undefined);
  return found && { ...found, agreementId };
}

/** Consumer code for a port (issue 18): generated here, so the marketplace and the console show the same. */
export function registerSnippets(app: OpenAPIHono, harness: Harness): void {
  app.openapi(route, async (c) => {
    const { id, port } = c.req.valid("param");
    const discovery = await harness.discover(id);
    const output = discovery.ports.find((p) => p.name === port && p.direction === "output");
    if (!output) throw new NotFoundError(`data product "${id}" has no output port "${port}"`);
    const contract =
      discovery.contracts.find((k) => k.id === output.contractId) ??
      discovery.contracts.find((k) => k.ports.includes(port));
    const principal = principalOf(c);
    const input: SnippetPort = {
      baseUrl: baseUrlOf(c.req.url, c.req.header("x-forwarded-host"), c.req.header("x-forwarded-proto")),
      productId: id,
      port,
      datasets: (contract?.datasets ?? []).map((d) => ({ name: d.name, columns: d.properties.map((p) => p.name) })),
    };
    const connection = await connectionFor(harness, principal, id, port);
    if (connection) input.connection = connection;
    return c.json({ productId: id, port, baseUrl: input.baseUrl, snippets: consumerSnippets(input) }, 200);
  });
}
