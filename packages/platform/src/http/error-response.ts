import type { z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { sqlState } from "../storage/database.js";
import type { ErrorSchema } from "./schemas.js";

/** The one shape of every error the API returns. */
export type ErrorBody = z.infer<typeof ErrorSchema>;

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 410 | 413 | 415 | 422 | 423 | 500 | 503;

interface Mapping {
  status: ErrorStatus;
  /** The code when the error names none of its own. */
  code: string;
}

/**
 * Error class name → HTTP status and default error code: the only place exceptions become
 * statuses. Subclasses fall back to their nearest mapped ancestor (RefusedError → 422).
 */
const byErrorName: Record<string, Mapping> = {
  InputError: { status: 400, code: "invalid-input" },
  UnauthenticatedError: { status: 401, code: "unauthenticated" },
  NotAllowedError: { status: 403, code: "not-allowed" },
  NotFoundError: { status: 404, code: "not-found" },
  TimeoutError: { status: 408, code: "timeout" },
  ConflictError: { status: 409, code: "conflict" },
  GoneError: { status: 410, code: "gone" },
  TooLargeError: { status: 413, code: "payload-too-large" },
  UnsupportedMediaTypeError: { status: 415, code: "unsupported-media-type" },
  UnprocessableError: { status: 422, code: "unprocessable" },
  LockedError: { status: 423, code: "locked" },
  UnavailableError: { status: 503, code: "unavailable" },
};

/** Statuses Hono itself raises (malformed JSON, body limit) → error code. */
const byHttpStatus: Record<number, Mapping> = {
  400: { status: 400, code: "bad-request" },
  404: { status: 404, code: "not-found" },
  405: { status: 405, code: "method-not-allowed" },
  413: { status: 413, code: "payload-too-large" },
  415: { status: 415, code: "unsupported-media-type" },
};

const internal: Mapping = { status: 500, code: "internal" };

/**
 * SQLSTATE classes that mean the value sent cannot be stored or compared (a NUL character, a
 * number out of range, an over-long search), not a fault of the server: a backstop behind the zod
 * schemas so such input is a 400, never a 500.
 */
const byStateClass: Record<string, string> = {
  "22": "the request holds a value the store cannot take (a NUL character, a number out of range, bad encoding)",
  "54": "the request is too complex to answer (for example a search text with too many words)",
};

function mappingFor(error: Error): Mapping | undefined {
  for (
    let proto = Object.getPrototypeOf(error);
    proto && proto !== Error.prototype;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    const m = name ? byErrorName[name] : undefined;
    if (m) return m;
  }
  return undefined;
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns anything thrown into a status and the error shape; unknown errors hide their message. */
export function errorResponse(e: unknown): { status: Mapping["status"]; body: ErrorBody } {
  if (e instanceof HTTPException) {
    const m = byHttpStatus[e.status] ?? (e.status < 500 ? byHttpStatus[400] : internal) ?? internal;
    const message = e.status === 413 ? "request body is larger than the server accepts" : e.message || m.code;
    return { status: m.status, body: errorBody(m.code, message) };
  }
  const state = sqlState(e);
  const data = state ? byStateClass[state.slice(0, 2)] : undefined;
  if (data) return { status: 400, body: errorBody("invalid-input", data) };
  if (e instanceof Error) {
    const m = mappingFor(e);
    if (m) {
      const { code, details, issues } = e as { code?: unknown; details?: Record<string, unknown>; issues?: unknown };
      const extra = details || issues ? { ...details, ...(issues ? { issues } : {}) } : undefined;
      return { status: m.status, body: errorBody(typeof code === "string" ? code : m.code, e.message, extra) };
    }
  }
  return { status: 500, body: errorBody(internal.code, "internal error; the server log has the details") };
}

/** zod validation failures of a request (params, query, body) → 400 with each problem. */
export function validationBody(error: ZodError, target: string): ErrorBody {
  const issues = error.issues.map((i) => ({
    path: [target, ...i.path.map(String)].join("."),
    code: i.code,
    message: i.message,
  }));
  const message = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  return errorBody("invalid-request", message, { issues });
}
