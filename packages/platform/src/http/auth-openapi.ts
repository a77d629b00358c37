import type { MiddlewareHandler } from "hono";

/** Who may call the registry and harness operations, as the OpenAPI document states it (ADR 0013). */
export const operationAccess: Record<string, "public" | "signed-in" | "authorized"> = {
  "get /api/health": "public",
  "get /api/products": "public",
  "get /api/facets": "public",
  "get /api/products/{id}": "public",
  "get /api/products/{id}/contracts": "public",
  "get /api/products/{id}/contracts/{contractId}/versions": "public",
  "get /api/products/{id}/contracts/{contractId}/versions/{version}": "public",
  "get /api/products/{id}/discover": "public",
  "post /api/products": "authorized",
  "post /api/products/{id}/consume": "signed-in",
  "post /api/products/{id}/ingest": "authorized",
  "get /api/products/{id}/observe": "signed-in",
  "get /api/products/{id}/govern": "signed-in",
  "get /api/products/{id}/control": "signed-in",
  "post /api/products/{id}/control": "authorized",
};

const errorRef = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

type Doc = { paths?: Record<string, Record<string, { security?: unknown; responses?: Record<string, unknown> }>> };

/** Adds each known operation's security requirement and its 401/403 answers to the document. */
export function withAccess(doc: Doc): Doc {
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const access = operationAccess[`${method} ${path}`];
      if (!access || op.security) continue;
      if (access === "public") {
        op.security = [{}, { bearer: [] }];
        continue;
      }
      op.security = [{ bearer: [] }];
      op.responses ??= {};
      op.responses["401"] ??= errorRef("No credential, or one that does not hold (expired, revoked, forged)");
      if (access === "authorized") op.responses["403"] ??= errorRef("Signed in, but not the owner team (or an admin)");
    }
  }
  return doc;
}

/** Post-processes `/api/openapi.json` (registered before the document route). */
export const openApiAccess: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status !== 200) return;
  const doc = withAccess((await c.res.json()) as Doc);
  const headers = new Headers(c.res.headers);
  headers.delete("content-length");
  c.res = new Response(JSON.stringify(doc), { status: 200, headers });
};
