import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { authorize } from "../../identity/authorize.js";
import { impactOf } from "../../lineage/impact.js";
import { ImpactRequestSchema, ImpactSchema } from "../../lineage/impact-schema.js";
import type { Queryable } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const impactRoute = createRoute({
  method: "post",
  path: "/api/lineage/impact",
  operationId: "lineageImpact",
  tags: ["Lineage"],
  summary: "Everything downstream a change to products, ports or columns would hurt (signed in)",
  description:
    "Each target is a `product`, a `contract` (the output port serving it), a `port` of a product, or a `column` (with its `dataset` when the port serves several). Walked downstream through the lineage graph to `depth` hops (default 10): a column follows column edges only, a port or product the declared ones. Answers the products and ports built from the targets, the derived columns with their transformations, the teams hurt (owners of those products, holders of agreements on those ports and on the targets' own) with their owners, and the outside jobs and datasets reached.",
  request: {
    body: { content: { "application/json": { schema: ImpactRequestSchema } }, required: true },
  },
  responses: {
    200: { description: "What the change would hurt", content: { "application/json": { schema: ImpactSchema } } },
    400: errorContent("A malformed target or depth"),
    401: errorContent("Not signed in"),
    404: errorContent("A target names a product, contract, port, dataset or column the registry does not hold"),
  },
});

/** Impact analysis over the lineage graph (issue 16). */
export function registerLineageImpact(app: OpenAPIHono, db: Queryable): void {
  app.openapi(impactRoute, async (c) => {
    authorize(principalOf(c), "lineage.read", undefined);
    const { targets, depth } = c.req.valid("json");
    return c.json(await impactOf(db, targets, depth), 200);
  });
}
