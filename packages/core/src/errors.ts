/**
 * Exceptions are for callers and bugs; problems in documents are `Issue`s.
 * The HTTP server and the CLI each map these names to a status / exit code in one place.
 */
export class QuantaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller gave something unusable (bad argument, unreadable file, wrong kind of document). */
export class InputError extends QuantaError {}
export class NotFoundError extends QuantaError {}
export class NotAllowedError extends QuantaError {}
export class ConflictError extends QuantaError {}

/** The data engine failed; carries the SQL that ran. */
export class EngineError extends QuantaError {
  readonly sql: string | undefined;
  constructor(message: string, options?: ErrorOptions & { sql?: string }) {
    super(message, options);
    this.sql = options?.sql;
  }
}

export function isQuantaError(e: unknown): e is QuantaError {
  return e instanceof QuantaError;
}
