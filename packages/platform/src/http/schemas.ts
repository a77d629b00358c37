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

const IssueSchema = z
  .object({
    code: z.string(),
    severity: z.enum(["error", "warning", "info"]),
    message: z.string(),
    file: z.string(),
    line: z.number(),
    column: z.number(),
    path: z.string(),
  })
  .openapi("Issue");

export const ProductSummarySchema = z
  .object({
    id: z.string().openapi({ example: "climate.weather-station-readings" }),
    name: z.string(),
    version: z.string(),
    status: z.string(),
    domain: z.string().nullable(),
    team: z.string().nullable(),
    summary: z.string(),
    tags: z.array(z.string()),
    updatedAt: z.string(),
    score: z.number().optional().openapi({ description: "Relevance when `q` was given; higher is better" }),
  })
  .openapi("ProductSummary");

export const ProductListSchema = z
  .object({ items: z.array(ProductSummarySchema), total: z.number().int() })
  .openapi("ProductList");

const FacetValuesSchema = z.array(z.object({ value: z.string(), count: z.number().int() }));
export const FacetsSchema = z
  .object({ domain: FacetValuesSchema, team: FacetValuesSchema, tag: FacetValuesSchema, status: FacetValuesSchema })
  .openapi("Facets");

const PortSchema = z
  .object({
    direction: z.enum(["input", "output", "management"]),
    name: z.string(),
    type: z.string().nullable(),
    version: z.string().nullable(),
    contractId: z.string().nullable(),
    description: z.string().nullable(),
  })
  .openapi("Port");

export const ContractSummarySchema = z
  .object({
    id: z.string(),
    productId: z.string(),
    name: z.string().nullable(),
    version: z.string(),
    status: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi("ContractSummary");

export const ProductDetailSchema = ProductSummarySchema.extend({
  ports: z.array(PortSchema),
  contracts: z.array(ContractSummarySchema),
  versions: z.array(z.object({ version: z.string(), publishedAt: z.string(), publishedBy: z.string().nullable() })),
  document: z.record(z.string(), z.unknown()).openapi({ description: "The ODPS document of the current version" }),
}).openapi("ProductDetail");

export const ContractVersionSummarySchema = z
  .object({
    contractId: z.string(),
    version: z.string(),
    productVersion: z.string(),
    sha256: z.string(),
    publishedAt: z.string(),
  })
  .openapi("ContractVersionSummary");

export const ContractVersionSchema = ContractVersionSummarySchema.extend({
  file: z.string(),
  source: z.string().openapi({ description: "The contract file exactly as published" }),
  document: z.record(z.string(), z.unknown()),
}).openapi("ContractVersion");

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

export const PublishResultSchema = z
  .object({
    product: ProductSummarySchema,
    created: z.boolean().openapi({ description: "false when this exact version was already published" }),
    contracts: z.array(z.object({ id: z.string(), version: z.string(), created: z.boolean() })),
    warnings: z.array(IssueSchema),
  })
  .openapi("PublishResult");

export const RefusedSchema = ErrorSchema.openapi("Refused", {
  description: "`details.issues` lists every lint issue (file, line, column) that stopped the publish",
});
