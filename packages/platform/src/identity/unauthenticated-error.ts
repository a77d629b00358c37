import { QuantaError } from "@quanta/core";

/**
 * The caller did not prove who they are, or the proof does not hold (forged, expired, revoked,
 * wrong audience): HTTP 401 with the reason. A known caller lacking a right is `NotAllowedError` (403).
 */
export class UnauthenticatedError extends QuantaError {}
