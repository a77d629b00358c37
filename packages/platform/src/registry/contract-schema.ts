import { z } from "@hono/zod-openapi";

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
