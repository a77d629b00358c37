import type { Context, MiddlewareHandler } from "hono";
import type { Authenticator } from "../identity/authenticator.js";
import type { Principal } from "../identity/principal.js";
import { UnauthenticatedError } from "../identity/unauthenticated-error.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Who is asking; undefined when the request carries no credential (anonymous). */
    principal: Principal | undefined;
  }
}

/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750): the reason as its description when a
 * credential was sent and refused; a bare challenge when there was none (as the RFC asks).
 */
export function bearerChallenge(reason: string, credentialSent = true): string {
  if (!credentialSent) return 'Bearer realm="quanta"';
  // Header values are Latin-1: the hint's ellipsis and any non-ASCII name become plain ASCII.
  const description = reason
    .replace(/…/g, "...")
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 300);
  return `Bearer realm="quanta", error="invalid_token", error_description="${description}"`;
}

/**
 * Authentication, once per request: `Authorization: Bearer <token>` becomes `c.get("principal")`.
 * No header = anonymous (the routes' authorization decides whether that is enough). A credential
 * that does not hold is refused here with its reason, even on public routes: a caller who meant to
 * sign in must learn that it did not work, not silently read as anonymous.
 */
export function authMiddleware(authenticator: Authenticator): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (header === undefined) {
      c.set("principal", undefined);
      return next();
    }
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw new UnauthenticatedError('send the credential as "Authorization: Bearer <token>"');
    }
    const credential = match[1];
    c.set("principal", await authenticator.authenticate(credential));
    await next();
    // A caller's own change (publishing a new team, a grant) shows in their next request at once.
    if (c.req.method !== "GET" && c.req.method !== "HEAD") authenticator.forget?.(credential);
  };
}

export const principalOf = (c: Context): Principal | undefined => c.get("principal");
