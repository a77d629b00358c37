/** Statuses the harness answers beyond the registry's error classes (time limits, locked products). */
export type HarnessStatus = 400 | 404 | 408 | 409 | 413 | 415 | 422 | 423;

/**
 * A refusal of a harness request with its own status and code, answered in the one error shape
 * by the harness routes (the registry's InputError/NotFoundError/ConflictError still go through
 * the app's error handler).
 */
export class HarnessError extends Error {
  constructor(
    readonly status: HarnessStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "HarnessError";
  }
}
