/**
 * Exceptions are for callers and bugs; problems in documents are `Issue`s.
 * The HTTP server and the CLI each map these names to a status / exit code in one place.
 */
export interface QuantaErrorOptions extends ErrorOptions {
  /** A stable, machine-readable reason (`product-stopped`, `query-timeout`); the class's default when absent. */
  code?: string | undefined;
  /** Facts a caller acts on (the id of the existing request, the states allowed), sent with the message. */
  details?: Record<string, unknown> | undefined;
}

export class QuantaError extends Error {
  readonly code: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(message: string, options?: QuantaErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = options?.code;
    this.details = options?.details;
  }
}

/** The caller gave something unusable (bad argument, unreadable file, wrong kind of document). */
export class InputError extends QuantaError {}
export class NotFoundError extends QuantaError {}
export class NotAllowedError extends QuantaError {}
export class ConflictError extends QuantaError {}
/** Well-formed, but not what the operation can take (a document refused, a key reused with another body). */
export class UnprocessableError extends QuantaError {}
/** The resource cannot take the request in its state (a paused product, a locked version). */
export class LockedError extends QuantaError {}
/** The resource was here and is gone for good (a data product past its end of life). */
export class GoneError extends QuantaError {}
/** More than the server takes in one request (rows, bytes). */
export class TooLargeError extends QuantaError {}
/** A body in a format the operation does not read. */
export class UnsupportedMediaTypeError extends QuantaError {}
/** The work ran out of its time limit and was stopped. */
export class TimeoutError extends QuantaError {}
/** The server cannot serve now (stopping, starting); try again or another replica. */
export class UnavailableError extends QuantaError {}

/** The data engine failed; carries the SQL that ran. */
export class EngineError extends QuantaError {
  readonly sql: string | undefined;
  constructor(message: string, options?: QuantaErrorOptions & { sql?: string }) {
    super(message, options);
    this.sql = options?.sql;
  }
}

export function isQuantaError(e: unknown): e is QuantaError {
  return e instanceof QuantaError;
}
