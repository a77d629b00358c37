import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { LineageGraphSchema, lineageDirections } from "../../lineage/lineage-schema.js";
import { type LineageService, maxLineageDepth } from "../../lineage/lineage-service.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const graphRoute = createRoute({
  method: "get",
  path: "/api/lineage",
  operationId: "getLineage",
  tags: ["Lineage"],
  summary: "A node's upstream or downstream in the lineage graph (signed in)",
  description:
    "`node` is `PRODUCT`, `PRODUCT.PORT`, `PRODUCT.PORT.COLUMN` (or `PRODUCT.PORT.DATASET.COLUMN`), resolved against the registry, or a node name (`product:`, `port:`, `column:`, `job:`, `dataset:`). Walked breadth-first to `depth` hops; each edge says where it came from (`declared`, `pipeline`, `agreement`, `openlineage`) and when it was last seen. At most 500 nodes: `truncated` says more were reachable.",
  request: {
    query: z.object({
      node: z.string().min(1).max(500).openapi({ example: "climate.temperature.daily-temperature" }),
      direction: z.enum(lineageDirections).default("downstream"),
      depth: z.coerce.number().int().min(1).max(maxLineageDepth).default(3),
      direct: z.enum(["true", "false"]).default("false").openapi({
        description:
          "`true`: only the columns values are computed from, leaving out those that only decide rows (filters, joins, groupings)",
      }),
    }),
  },
  responses: {
    200: {
      description: "The nodes and edges reached",
      content: { "application/json": { schema: LineageGraphSchema } },
    },
    400: errorContent("A malformed node, direction or depth"),
    401: errorContent("Not signed in"),
    404: errorContent("The node names no product, port or column the registry holds"),
  },
});

/** The lineage graph's reads (ADR 0033). */
export function registerLineage(app: OpenAPIHono, lineage: LineageService): void {
  app.openapi(graphRoute, async (c) => {
    const { node, direction, depth, direct } = c.req.valid("query");
    return c.json(await lineage.graph(principalOf(c), node, direction, depth, { direct: direct === "true" }), 200);
  });
}
