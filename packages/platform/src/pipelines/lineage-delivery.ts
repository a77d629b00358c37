import { JobQueue } from "../jobs/job-queue.js";
import type { JobHandler } from "../jobs/worker.js";
import type { Database, Queryable } from "../storage/database.js";

/** The job kind that sends one OpenLineage event to the configured endpoint (ADR 0029). */
export const lineageDeliveryKind = "lineage-delivery";

/**
 * Queues an event for the endpoint, in the caller's transaction (the event and its delivery are
 * stored together). Retried with the queue's backoff, six attempts.
 */
export async function queueLineageDelivery(db: Database, q: Queryable, event: Record<string, unknown>): Promise<void> {
  await new JobQueue(db).enqueue({ kind: lineageDeliveryKind, payload: { event }, maxAttempts: 6 }, q);
}

/**
 * POSTs the event as JSON to `url` (`QUANTA_OPENLINEAGE_URL`, e.g. Marquez's
 * `http://marquez:5000/api/v1/lineage`); anything but a 2xx is thrown, so the queue retries it.
 */
export function lineageDelivery(url: string, options: { timeoutMs?: number; apiKey?: string } = {}): JobHandler {
  return async (job, signal) => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(job.payload.event),
      signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`the OpenLineage endpoint answered ${res.status}`);
    return { status: res.status };
  };
}
