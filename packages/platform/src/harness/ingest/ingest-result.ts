import { z } from "@hono/zod-openapi";

/** What an ingest request answers (and an idempotency key stores). */
export const IngestResultSchema = z
  .object({
    batchId: z.number(),
    port: z.string(),
    dataset: z.string(),
    contractId: z.string(),
    contractVersion: z.string(),
    format: z.string(),
    received: z.number(),
    accepted: z.number(),
    quarantined: z.number().openapi({ description: "accepted + quarantined = received, always" }),
    /** The first quarantined rows with their reasons (row numbers count from 1). */
    quarantine: z.array(z.object({ row: z.number(), reasons: z.array(z.string()) })),
    /**
     * The version of the port this batch made current (its files: the previous version's and this
     * batch's); null when no row was accepted, so the port kept its version. Absent in results
     * stored before port versions.
     */
    version: z.number().int().nullable().optional().openapi({
      description:
        "The version of the port this batch made current (the previous version's files and this batch's); null when no row was accepted",
    }),
  })
  .openapi("IngestResult");
export type IngestResult = z.infer<typeof IngestResultSchema>;
