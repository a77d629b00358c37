import type { Principal } from "./principal.js";

/**
 * Turns a bearer credential into a principal, or throws `UnauthenticatedError` with the reason
 * (unknown, expired, revoked, forged, wrong audience...). Never returns a partial principal.
 */
export interface Authenticator {
  authenticate(credential: string): Promise<Principal>;
  /** Forget anything cached about `credential` (called after the caller's own writes). */
  forget?(credential: string): void;
}
