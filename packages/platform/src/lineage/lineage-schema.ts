import { z } from "@hono/zod-openapi";

export const lineageDirections = ["upstream", "downstream"] as const;
export const lineageOrigins = ["declared", "pipeline", "agreement", "openlineage"] as const;

export const LineageNodeSchema = z
  .object({
    id: z.string().openapi({ example: "column:climate.temperature/daily-temperature/daily_temperature.mean_c" }),
    kind: z.enum(["product", "port", "column", "job", "dataset", "team"]),
    /** Hops from the asked node (0: the node itself). */
    depth: z.number().int(),
  })
  .openapi("LineageNode");

export const LineageEdgeSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    origin: z.enum(lineageOrigins),
    details: z.record(z.string(), z.unknown()),
    firstSeen: z.string(),
    lastSeen: z.string(),
  })
  .openapi("LineageEdge");

export const LineageGraphSchema = z
  .object({
    /** The asked node, resolved to its name in the graph. */
    node: z.string(),
    direction: z.enum(lineageDirections),
    depth: z.number().int(),
    nodes: z.array(LineageNodeSchema),
    edges: z.array(LineageEdgeSchema),
    /** More nodes were reachable within the depth than the answer holds. */
    truncated: z.boolean(),
  })
  .openapi("LineageGraph");

export type LineageGraph = z.infer<typeof LineageGraphSchema>;
