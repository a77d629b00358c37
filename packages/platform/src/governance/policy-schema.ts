import { z } from "@hono/zod-openapi";

/** One applied (immutable) version of a policy set. */
export const PolicyVersionSchema = z
  .object({
    /** The mesh-wide policy revision this apply created. */
    revision: z.number(),
    name: z.string(),
    version: z.string(),
    rules: z.number(),
    sha256: z.string(),
    appliedBy: z.string().nullable(),
    appliedAt: z.string(),
  })
  .openapi("PolicyVersion");

const PolicyRuleSchema = z.object({
  id: z.string(),
  description: z.string(),
  severity: z.string(),
  scope: z.union([z.literal("global"), z.object({ domain: z.string() })]),
  levels: z.array(z.string()),
  implementation: z.record(z.string(), z.unknown()),
  source: z.string(),
});

/** The policies in force (Quanta's defaults + the latest version of each applied set) and every applied version. */
export const PolicyListSchema = z.object({
  name: z.string(),
  version: z.string(),
  revision: z.number(),
  rules: z.array(PolicyRuleSchema),
  versions: z.array(PolicyVersionSchema),
});

/** What applying a policy file answers: the version it is now, and how many products were re-evaluated. */
export const PolicyAppliedSchema = z.object({ version: PolicyVersionSchema, evaluated: z.number() });
