import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "not-found" }),
      message: z.string().openapi({ example: 'no data product "climate.nothing"' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  400: {
    description: "The request is malformed (query, body, JSON)",
    content: { "application/json": { schema: ErrorSchema } },
  },
} as const;

export const errorContent = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorSchema } },
});

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "starting", "unavailable"]),
    version: z.string(),
    storage: z.enum(["pglite", "postgres"]),
    search: z.enum(["ready", "starting"]).openapi({
      description:
        "`ready` once this process has read the catalogue into its search index (searches before then wait for it): a readiness signal for replicas behind a load balancer",
    }),
  })
  .openapi("Health");

/** Limits that keep one request small; the body limit of the app is above their sum. */
export const publishLimits = { files: 200, pathLength: 512, fileBytes: 2 * 1024 * 1024 } as const;

export const PublishRequestSchema = z
  .object({
    files: z
      .array(
        z
          .object({
            path: z
              .string()
              .min(1)
              .max(publishLimits.pathLength)
              .refine((p) => !p.startsWith("/") && !p.split(/[\\/]/).includes(".."), {
                message: "must be a relative path inside the product folder",
              })
              .openapi({ example: "weather-station-readings.odps.yaml" }),
            text: z.string().max(publishLimits.fileBytes),
          })
          .strict(),
      )
      .min(1)
      .max(publishLimits.files),
    publishedBy: z.string().max(200).optional().openapi({
      description: "Ignored: a version records the signed-in user who published it",
      deprecated: true,
    }),
    expectedVersion: z.string().max(100).nullable().optional().openapi({
      description: "The current version this publish builds on (null: the product must be new); otherwise 409",
    }),
  })
  .strict()
  .openapi("PublishRequest");

export const RefusedSchema = ErrorSchema.openapi("Refused", {
  description: "`details.issues` lists every lint issue (file, line, column) that stopped the publish",
});
