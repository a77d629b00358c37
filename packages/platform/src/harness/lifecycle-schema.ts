import { z } from "@hono/zod-openapi";
import { parseSchedule } from "../jobs/schedule.js";
import { ObservabilitySettingsSchema } from "../observability/observability-settings.js";
import { controlActions, lifecycleStates } from "./lifecycle.js";

/** Settings a product owner changes with `configure`. */
export const ProductConfigSchema = z
  .object({
    /** Overrides the contract SLA's test schedule: a 5-field cron or `<n> <unit>` (e.g. `6 h`). */
    testSchedule: z
      .string()
      .max(100)
      .refine((s) => !("error" in parseSchedule(s)), {
        message: "must be a 5-field cron (UTC) or an interval such as `6 h`, at least 1 minute",
      })
      .optional()
      .openapi({ example: "0 */6 * * *" }),
    /** Largest `limit` a consume of this product may ask for (at most the server's). */
    maxRows: z.number().int().min(1).optional(),
    /** Detection settings per output port (`observability.ports.<port>.volumeSensitivity|minHistory`). */
    observability: ObservabilitySettingsSchema.optional(),
  })
  .strict();

/** What the control interface answers: the product's state, its configuration and the actions it allows. */
export const LifecycleSchema = z
  .object({
    productId: z.string(),
    state: z.enum(lifecycleStates),
    config: ProductConfigSchema,
    servesReads: z.boolean(),
    runsTests: z.boolean(),
    allowedActions: z.array(z.enum(controlActions)),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi("Lifecycle");
