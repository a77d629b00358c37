import type { DataLocator } from "../harness/data-locator.js";
import type { Job } from "../jobs/job-queue.js";
import { type JobHandler, RetryJob } from "../jobs/worker.js";
import type { Database } from "../storage/database.js";
import type { PipelineRunPayload } from "./pipeline-service.js";
import {
  defaultPipelineRunLimits,
  type PipelineRunLimits,
  type PipelineRunOutcome,
  runPipeline,
} from "./run-pipeline.js";

/** Runs the job's pipeline run; throws RetryJob (the queue tries it again after the backoff) for `retrying`. */
export async function runPipelineJob(
  db: Database,
  locator: DataLocator,
  job: Job,
  limits: PipelineRunLimits = defaultPipelineRunLimits,
  signal?: AbortSignal,
): Promise<PipelineRunOutcome> {
  const { runId, productId } = job.payload as unknown as PipelineRunPayload;
  const outcome = await runPipeline(db, locator, runId, productId, limits, signal);
  if (outcome.status === "retrying")
    throw new RetryJob(`attempt failed, tried again: ${outcome.reason}`, outcome.retryInMs ?? 30_000);
  return outcome;
}

/**
 * The handler of job `pipeline-run`: runs the pipeline once; an attempt that failed for a
 * transient reason with tries left goes back to the queue after the pipeline's backoff (its run is
 * `queued` again, the attempt on record). A worker that dies mid-run leaves the job to its lease:
 * another worker takes it, and the run records that attempt as the worker's death.
 */
export function pipelineRunHandler(
  db: Database,
  locator: DataLocator,
  limits: PipelineRunLimits = defaultPipelineRunLimits,
): JobHandler {
  return (job, signal) => runPipelineJob(db, locator, job, limits, signal);
}
