import { z } from "@hono/zod-openapi";

/** A consume answer as JSON: the columns, the rows as objects, and whether the limit cut them. */
export const ConsumeJsonSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
    rows: z.array(z.record(z.string(), z.unknown())),
    rowCount: z.number(),
    truncated: z.boolean(),
  })
  .openapi("ConsumeResult");
