import { z } from "@hono/zod-openapi";

export const pipelineRunStatuses = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
/** A run that has ended: it changes no more. */
export const endedRunStatuses: readonly PipelineRunStatus[] = ["succeeded", "failed", "cancelled"];
export const pipelineTriggers = ["manual", "schedule", "upstream"] as const;

export const PipelineCheckSchema = z.object({
  checkId: z.string(),
  dataset: z.string().nullable(),
  status: z.string(),
  value: z.unknown(),
  threshold: z.unknown(),
  reason: z.string().nullable(),
});

/** What a run did to one output port. */
export const PipelineOutputResultSchema = z
  .object({
    port: z.string(),
    dataset: z.string().nullable(),
    /** The version the run staged (kept `failed` when its tests failed), null when none was staged. */
    version: z.number().int().nullable(),
    /** Whether that version became the port's current one. */
    published: z.boolean(),
    /** The version current before the run (the one consumers keep when the run fails). */
    previous: z.number().int().nullable(),
    /** Rows of each input read, by `port.dataset` (after the agreement's row filters). */
    rowsIn: z.record(z.string(), z.number()),
    /** Bytes of the input files read; null when an input is a table in a database or a glob (not known). */
    bytesIn: z.number().int().nullable().optional(),
    rowsOut: z.number().int(),
    bytesOut: z.number().int(),
    /** The contract's tests on the staged version. */
    tests: z.object({ status: z.string(), checks: z.array(PipelineCheckSchema) }).nullable(),
    /** The input ports read: the upstream port, the basis and agreement of the read. */
    inputs: z.array(
      z.object({
        port: z.string(),
        product: z.string(),
        upstreamPort: z.string(),
        basis: z.string(),
        agreementId: z.string().nullable(),
        contractVersion: z.string(),
        masked: z.array(z.string()),
        rowFilters: z.array(z.string()),
      }),
    ),
  })
  .openapi("PipelineOutputResult");

export const PipelineStepRecordSchema = z
  .object({
    port: z.string(),
    position: z.number().int(),
    name: z.string(),
    kind: z.enum(["sql", "command"]),
    sql: z.string().nullable(),
    status: z.enum(["passed", "failed", "skipped"]),
    startedAt: z.string().nullable(),
    ms: z.number().int().nullable(),
    rowsOut: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .openapi("PipelineStepRecord");

/** One attempt of a run that ended without finishing the run: it was tried again, or the run ended. */
export const PipelineAttemptSchema = z
  .object({
    attempt: z.number().int(),
    startedAt: z.string().nullable(),
    endedAt: z.string(),
    reason: z.string(),
    /** Whether the failure was transient (an input it could not read, a worker that died). */
    transient: z.boolean(),
    /** When the next attempt is due; null when none follows. */
    retryAt: z.string().nullable(),
  })
  .openapi("PipelineAttempt");

/** A backfill's range: the run replaces these dates (inclusive) of each output's partition column. */
export const PipelineRunParamsSchema = z
  .object({
    from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .openapi({ example: "2024-01-01" }),
    to: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .openapi({ example: "2024-01-31" }),
  })
  .strict()
  .openapi("PipelineRunParams");

export const PipelineRunSchema = z
  .object({
    id: z.number().int(),
    productId: z.string(),
    productVersion: z.string(),
    trigger: z.enum(pipelineTriggers),
    requestedBy: z.string().nullable(),
    status: z.enum(pipelineRunStatuses),
    reason: z.string().nullable(),
    outputs: z.array(PipelineOutputResultSchema),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    /** Who asked to cancel the run (it ends `cancelled` once its worker stopped), else null. */
    cancelledBy: z.string().nullable(),
    cancelRequestedAt: z.string().nullable(),
    /** The attempt running or last run (1 for the first; 0 before it started). */
    attempt: z.number().int(),
    /** The attempts that failed before this one, oldest first. */
    attempts: z.array(PipelineAttemptSchema),
    /** A backfill's range; null for a run over everything. */
    params: PipelineRunParamsSchema.nullable(),
  })
  .openapi("PipelineRun");

export const PipelineRunDetailSchema = PipelineRunSchema.extend({
  steps: z.array(PipelineStepRecordSchema),
}).openapi("PipelineRunDetail");

export const PipelineLogLineSchema = z
  .object({ id: z.number().int(), at: z.string(), level: z.enum(["info", "warning", "error"]), message: z.string() })
  .openapi("PipelineLogLine");

export type PipelineRun = z.infer<typeof PipelineRunSchema>;
export type PipelineRunDetail = z.infer<typeof PipelineRunDetailSchema>;
export type PipelineOutputResult = z.infer<typeof PipelineOutputResultSchema>;
export type PipelineStepRecord = z.infer<typeof PipelineStepRecordSchema>;
export type PipelineLogLine = z.infer<typeof PipelineLogLineSchema>;
export type PipelineTrigger = (typeof pipelineTriggers)[number];
export type PipelineRunStatus = (typeof pipelineRunStatuses)[number];
export type PipelineAttempt = z.infer<typeof PipelineAttemptSchema>;
export type PipelineRunParams = z.infer<typeof PipelineRunParamsSchema>;
