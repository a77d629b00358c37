import { z } from "@hono/zod-openapi";
import { ContractSummarySchema } from "./contract-schema.js";

/**
 * A port of the current version. Unnamed here: discover inlines its ports in the OpenAPI document,
 * the registry's answers refer to the named `Port` below.
 */
export const PortFields = z.object({
  direction: z.enum(["input", "output", "management"]),
  name: z.string(),
  type: z.string().nullable(),
  version: z.string().nullable(),
  contractId: z.string().nullable(),
  description: z.string().nullable(),
});
export const PortSchema = PortFields.openapi("Port");

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

/** One published version of a product, in its history. */
export const ProductVersionSchema = z.object({
  version: z.string(),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
});

export const ProductDetailSchema = ProductSummarySchema.extend({
  ports: z.array(PortSchema),
  contracts: z.array(ContractSummarySchema),
  versions: z.array(ProductVersionSchema),
  document: z.record(z.string(), z.unknown()).openapi({ description: "The ODPS document of the current version" }),
}).openapi("ProductDetail");
