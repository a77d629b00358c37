import { z } from "@hono/zod-openapi";
import { MemberPeriodSchema } from "../identity/team-schema.js";
import { PortFields } from "../registry/product-schema.js";

const DiscoveredPropertySchema = z.object({
  name: z.string(),
  businessName: z.string().nullable(),
  description: z.string().nullable(),
  logicalType: z.string().nullable(),
  physicalType: z.string().nullable(),
  required: z.boolean(),
  primaryKey: z.boolean(),
  classification: z.string().nullable(),
});

const DiscoveredContractSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  version: z.string(),
  status: z.string().nullable(),
  publishedAt: z.string(),
  ports: z.array(z.string()).openapi({ description: "Output ports serving this contract" }),
  datasets: z.array(
    z.object({
      name: z.string(),
      description: z.string().nullable(),
      properties: z.array(DiscoveredPropertySchema),
    }),
  ),
  sla: z.array(
    z.object({
      property: z.string(),
      value: z.unknown(),
      unit: z.string().nullable(),
      element: z.string().nullable(),
    }),
  ),
});

/** What the discover interface answers: everything a consumer needs to decide whether and how to use a product. */
/** A version of a port's data in the storage Quanta owns, as a consumer sees it. */
const DataVersionSchema = z.object({
  version: z.number().int(),
  state: z.string().openapi({ description: "current or superseded" }),
  source: z
    .string()
    .openapi({ description: "publish (uploaded with the product), ingest (a batch appended), pipeline" }),
  at: z.string().openapi({ description: "When it became current" }),
  rows: z.number(),
  bytes: z.number(),
});

const DiscoveredPortSchema = PortFields.extend({
  data: z
    .object({ current: DataVersionSchema.nullable(), history: z.array(DataVersionSchema) })
    .optional()
    .openapi({
      description:
        "The port's data in the storage Quanta owns: the version reads are served from, and the latest 20 (newest first)",
    }),
});

export const DiscoverySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    version: z.string(),
    status: z.string(),
    domain: z.string().nullable(),
    summary: z.string(),
    tags: z.array(z.string()),
    description: z.object({
      purpose: z.string().nullable(),
      usage: z.string().nullable(),
      limitations: z.string().nullable(),
    }),
    lifecycle: z.object({ state: z.string(), servesReads: z.boolean() }),
    ports: z.array(DiscoveredPortSchema),
    contracts: z.array(DiscoveredContractSchema),
    glossary: z.array(z.object({ term: z.string(), definition: z.string().nullable(), url: z.string().nullable() })),
    owners: z.object({
      team: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
      members: z.array(MemberPeriodSchema).openapi({ description: "Who holds which role now" }),
      history: z.array(MemberPeriodSchema).openapi({ description: "Every period anyone held a role, oldest first" }),
    }),
    links: z.array(z.object({ rel: z.string(), url: z.string(), description: z.string().nullable() })),
    interfaces: z.record(z.string(), z.string()),
  })
  .openapi("Discovery");
