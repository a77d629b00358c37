import { z } from "@hono/zod-openapi";
import { TestRunSchema } from "../jobs/test-run-schema.js";

export const UsageByConsumerSchema = z.object({
  consumer: z.string(),
  reads: z.number(),
  rows: z.number(),
  bytes: z.number(),
});

/** A check's result as observe and an upload answer it. */
export const CheckSummarySchema = z.object({
  checkId: z.string(),
  dataset: z.string().nullable(),
  status: z.string(),
  value: z.unknown(),
  threshold: z.unknown(),
  reason: z.string().nullable(),
});

const PortSliSchema = z.object({
  port: z.string(),
  contractId: z.string(),
  /**
   * Age of the newest data as the last test measured it, against the SLA's freshness objective.
   * `unknown` when nothing was measured (no run yet, the data could not be read, no rows): then
   * `ageSeconds` and `met` are null and `reason` says why; an age is never invented.
   */
  freshness: z.object({
    objective: z.string().nullable(),
    status: z.enum(["met", "missed", "unknown"]).openapi({
      description:
        "`unknown` when nothing was measured (no run yet, unreadable data): then ageSeconds and met are null",
    }),
    ageSeconds: z.number().nullable(),
    met: z.boolean().nullable(),
    measuredAt: z.string().nullable(),
    reason: z.string().nullable().openapi({ description: "Why the freshness is unknown" }),
  }),
  /** Share of test runs in the window that could read the data (not `error`). */
  availability: z.object({
    objective: z.number().nullable(),
    windowDays: z.number(),
    runs: z.number(),
    readable: z.number(),
    ratio: z.number().nullable(),
  }),
  /** Share of finished test runs in the window that passed (or only warned). */
  quality: z.object({ runs: z.number(), passed: z.number(), ratio: z.number().nullable() }),
  lastRun: z
    .object({ id: z.number(), status: z.string(), startedAt: z.string(), finishedAt: z.string().nullable() })
    .nullable(),
});

/** A port version as observe lists it (every state, with why one failed). */
export const VersionSummarySchema = z.object({
  version: z.number().int(),
  state: z.enum(["staged", "current", "superseded", "failed", "expired"]),
  source: z.enum(["publish", "ingest", "pipeline", "rollback", "retention"]),
  createdAt: z.string(),
  currentAt: z.string().nullable(),
  createdBy: z.string().nullable(),
  rows: z.number(),
  bytes: z.number(),
  datasets: z.array(
    z.object({ name: z.string(), format: z.string(), files: z.number(), rows: z.number(), bytes: z.number() }),
  ),
  reason: z.string().nullable(),
});

/** What the observe interface answers: who read what, how the contract tests went, and the SLIs they add up to. */
export const ObservationSchema = z
  .object({
    productId: z.string(),
    lifecycle: z.object({ state: z.string(), servesReads: z.boolean(), runsTests: z.boolean() }),
    usage: z.object({
      total: z.object({ reads: z.number(), rows: z.number(), bytes: z.number() }),
      byConsumer: z.array(UsageByConsumerSchema),
      recent: z.array(
        z.object({
          at: z.string(),
          consumer: z.string(),
          port: z.string().nullable(),
          action: z.string(),
          rows: z.number(),
          bytes: z.number(),
          durationMs: z.number(),
        }),
      ),
    }),
    tests: z.object({
      latest: z.array(TestRunSchema.extend({ port: z.string().nullable(), checks: z.array(CheckSummarySchema) })),
      history: z.array(TestRunSchema),
    }),
    slis: z.array(PortSliSchema),
    ingest: z.object({
      batches: z.array(
        z.object({
          id: z.number(),
          at: z.string(),
          port: z.string(),
          dataset: z.string(),
          received: z.number(),
          accepted: z.number(),
          quarantined: z.number(),
          version: z.number().nullable().optional().openapi({ description: "The port version the batch made current" }),
        }),
      ),
      quarantinedRows: z.number(),
    }),
    data: z
      .array(
        z.object({
          port: z.string(),
          direction: z.string(),
          current: VersionSummarySchema.nullable(),
          history: z.array(VersionSummarySchema).openapi({ description: "The latest 20 versions, newest first" }),
        }),
      )
      .optional()
      .openapi({ description: "Each port's versions in the storage Quanta owns" }),
  })
  .openapi("Observation");
