/** A failed API call: the platform's error code and message, or a network failure (status 0). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The platform's `error.details` (e.g. `allowed` actions of a refused transition). */
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** True for an aborted fetch: a newer request replaced it, which is not an error to show. */
export const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === "AbortError";
