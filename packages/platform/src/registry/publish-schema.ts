import { z } from "@hono/zod-openapi";
import type { Issue } from "@quanta/core";
import { ProductSummarySchema } from "./product-schema.js";

/** Core's `Issue` (core has no zod): `satisfies` fails to compile when the two stop matching. */
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
  .openapi("Issue") satisfies z.ZodType<Issue>;

export const PublishResultSchema = z
  .object({
    product: ProductSummarySchema,
    created: z.boolean().openapi({ description: "false when this exact version was already published" }),
    contracts: z.array(z.object({ id: z.string(), version: z.string(), created: z.boolean() })),
    /** Lint warnings and infos: published anyway, worth showing. */
    warnings: z.array(IssueSchema),
  })
  .openapi("PublishResult");
