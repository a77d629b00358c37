import { z } from "@hono/zod-openapi";
import { maxLineageDepth } from "./lineage-service.js";

/** A name of a product, port, dataset or column as the registry spells them: no spaces, no `/` or `:`. */
const part = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only");

/**
 * What a change touches: a product, one of its output ports (by name, or by the contract it
 * serves), or a dataset's column on that port.
 */
export const ImpactTargetSchema = z
  .object({
    product: part.optional().openapi({ example: "climate.weather-station-readings" }),
    contract: part.optional().openapi({ example: "climate.weather-station-readings.readings" }),
    port: part.optional().openapi({ example: "readings" }),
    dataset: part.optional().openapi({ example: "readings" }),
    column: part.optional().openapi({ example: "temperature_c" }),
  })
  .strict()
  .refine((t) => t.product !== undefined || t.contract !== undefined, { message: "give a product or a contract" })
  .refine((t) => t.dataset === undefined || t.column !== undefined, { message: "a dataset goes with a column" })
  .openapi("ImpactTarget");

export const maxImpactTargets = 200;

export const ImpactRequestSchema = z
  .object({
    targets: z.array(ImpactTargetSchema).min(1).max(maxImpactTargets),
    depth: z.number().int().min(1).max(maxLineageDepth).default(maxLineageDepth),
  })
  .strict()
  .openapi("ImpactRequest");

export const ImpactSchema = z
  .object({
    /** The targets, resolved to their node names. */
    targets: z.array(z.string()),
    /** Products built from the targets (hops from them), with their owner team. */
    products: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        team: z.string().nullable(),
        owners: z.array(z.string()),
        depth: z.number().int(),
      }),
    ),
    /** Output ports affected: the targets' own (depth 0: their readers are hurt first) and those downstream. */
    ports: z.array(z.object({ product: z.string(), port: z.string(), depth: z.number().int() })),
    /** Columns derived from a target column, with what was done to it on the way. */
    columns: z.array(
      z.object({
        product: z.string(),
        port: z.string(),
        dataset: z.string(),
        column: z.string(),
        depth: z.number().int(),
        transformations: z.array(z.string()),
      }),
    ),
    /** Teams hurt: owners of affected products, and holders of agreements on affected ports. */
    teams: z.array(z.object({ team: z.string(), owners: z.array(z.string()), reasons: z.array(z.string()) })),
    /** Nodes outside Quanta (`job:`, `dataset:`) reached. */
    external: z.array(z.string()),
    /** More was reachable than the answer holds. */
    truncated: z.boolean(),
  })
  .openapi("Impact");

export type ImpactTarget = z.input<typeof ImpactTargetSchema>;
export type Impact = z.infer<typeof ImpactSchema>;
