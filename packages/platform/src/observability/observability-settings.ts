import { z } from "@hono/zod-openapi";

/** Bounds of a port's volume settings: minHistory at most the points one judgement reads. */
export const volumeLimits = { maxSensitivity: 100, maxMinHistory: 500, maxPorts: 100 } as const;

/** One output port's detection settings. */
export const PortObservabilitySchema = z
  .object({
    /** How far from the median, in scaled MADs, a row count must be to be an anomaly (default 3.5). */
    volumeSensitivity: z.number().positive().max(volumeLimits.maxSensitivity).optional().openapi({ example: 5 }),
    /** Runs of history needed before volume is judged at all (default 7). */
    minHistory: z.number().int().min(1).max(volumeLimits.maxMinHistory).optional().openapi({ example: 14 }),
  })
  .strict();

/**
 * The `observability` part of a product's `configure` settings (ADR 0038): per output port.
 * `configure` replaces the whole `observability` object, as it does every top-level setting.
 */
export const ObservabilitySettingsSchema = z
  .object({
    ports: z
      .record(z.string().min(1).max(200), PortObservabilitySchema)
      .refine((ports) => Object.keys(ports).length <= volumeLimits.maxPorts, {
        message: `at most ${volumeLimits.maxPorts} ports`,
      })
      .optional(),
  })
  .strict();
