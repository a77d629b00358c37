import type { JobQueue } from "../jobs/job-queue.js";
import type { JobHandler } from "../jobs/worker.js";
import type { Lake } from "../lake/lake.js";
import type { Database } from "../storage/database.js";
import type { DataLocator } from "./data-locator.js";

/** What a background part of the platform is given: the store, the queue, where data lies. */
export interface BackgroundContext {
  db: Database;
  queue: JobQueue;
  locator: DataLocator;
  lake: Lake;
  /** Wakes this process's idle workers (after an enqueue). */
  poke: () => void;
  /** Problems worth an operator's eye. */
  log: (line: string) => void;
}

/**
 * A feature's share of the background work (SLO probes, lifecycle dates, event delivery): the job
 * kinds it handles, and what it starts and stops beside the worker. Every replica runs every part,
 * so a part's periodic work must be safe to run N times at once (idempotent job keys, row locks).
 */
export interface BackgroundPart {
  handlers?: Record<string, JobHandler>;
  /** Called once the worker runs (never on a replica that runs no jobs). */
  start?(): void;
  stop?(): Promise<void>;
}
