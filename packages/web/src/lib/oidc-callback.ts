import { unverifiedClaims } from "./pkce.js";

/** What the sign-in page keeps in this tab between leaving for the issuer and coming back. */
export interface PendingSignIn {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  redirectUri: string;
  state: string;
  nonce: string;
  verifier: string;
  bearer: "id_token" | "access_token";
  /** Where to go once signed in (a path of this site). */
  next: string;
}

export type CallbackCheck =
  | { ok: true; code: string }
  | { ok: false; title: string; message: string; code: "issuer-error" | "no-sign-in" | "state-mismatch" | "no-code" };

/**
 * Reads the issuer's answer on /auth/callback against the sign-in this tab started: an error the
 * issuer returned, no sign-in started here, a `state` that is not ours (a forged or replayed answer),
 * or the code to exchange.
 */
export function checkCallback(query: URLSearchParams, pending: PendingSignIn | undefined): CallbackCheck {
  const error = query.get("error");
  if (error) {
    const description = query.get("error_description");
    return {
      ok: false,
      code: "issuer-error",
      title: "The identity provider did not sign you in",
      message: `${error}${description ? `: ${description}` : ""}`,
    };
  }
  if (!pending) {
    return {
      ok: false,
      code: "no-sign-in",
      title: "No sign-in was started in this tab",
      message:
        "this answer of the identity provider belongs to no sign-in of this tab (or was used already); start again",
    };
  }
  if (query.get("state") !== pending.state) {
    return {
      ok: false,
      code: "state-mismatch",
      title: "The sign-in answer is not for this sign-in",
      message: "its state does not match the one this tab sent (state mismatch); start again",
    };
  }
  const code = query.get("code");
  if (!code) {
    return {
      ok: false,
      code: "no-code",
      title: "The identity provider sent no code",
      message: "the answer has no code",
    };
  }
  return { ok: true, code };
}

/** Why the ID token is not for this sign-in (its nonce differs), or undefined when it is. */
export function nonceProblem(idToken: string | undefined, nonce: string): string | undefined {
  if (!idToken) return "the identity provider returned no ID token";
  const claims = unverifiedClaims(idToken);
  if (!claims) return "the ID token is not a readable JWT";
  return claims.nonce === nonce ? undefined : "the ID token's nonce is not this sign-in's (a replayed token)";
}
