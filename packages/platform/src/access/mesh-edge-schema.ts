import { z } from "@hono/zod-openapi";

/**
 * A mesh edge: a product's output port read by a consumer team (and that team's products), either
 * under an active agreement (`kind: "agreement"`) or because another product declares an input port
 * on the port's contract (`kind: "input-port"`: the data flows there whether or not an agreement was
 * signed; `agreementId` is then empty and `inputPort` names the reader's port).
 */
export const MeshEdgeSchema = z
  .object({
    kind: z.enum(["agreement", "input-port"]).openapi({
      description:
        "`agreement`: a team reads the port under an active agreement; `input-port`: a product declares an input port on the port's contract",
    }),
    agreementId: z.string().openapi({ description: "Empty on `input-port` edges" }),
    productId: z.string(),
    port: z.string(),
    /** The team reading: the agreement's consumer team, or the reading product's team ("" when it has none). */
    consumerTeam: z.string(),
    /** Products the data flows to: the consumer team's products, or the one product reading through its input port. */
    consumerProducts: z.array(z.string()),
    inputPort: z.string().optional().openapi({ description: "The reader's input port, on `input-port` edges" }),
    purpose: z.string(),
    since: z.string().nullable(),
  })
  .openapi("MeshEdge");
