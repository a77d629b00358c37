import { checkCallback, nonceProblem, type PendingSignIn } from "../lib/oidc-callback.js";
import { randomUrlSafe, s256Challenge } from "../lib/pkce.js";
import { api } from "./api-client.js";
import { ApiError } from "./api-error.js";
import { setSessionToken } from "./session.js";

// OpenID Connect sign-in: Authorization Code flow with PKCE (S256) as a public client (no secret).
// The page goes to the issuer, comes back on /auth/callback with a code, exchanges it at the token
// endpoint, and then uses the token the platform accepts exactly like a pasted API token.

export interface OidcSignIn {
  issuer: string;
  clientId: string;
  scopes: string[];
  bearer: "id_token" | "access_token";
}

const pendingKey = "quanta.oidc.pending";
export const callbackPath = "/auth/callback";

/** The platform's sign-in methods; asked without the tab's token (a stale one must not hide them). */
export async function loadAuthConfig(signal?: AbortSignal): Promise<{ oidc: OidcSignIn | null }> {
  const res = await fetch("/api/auth/config", { signal, headers: { accept: "application/json" } });
  // An older platform has no such route: it offers token sign-in only.
  if (res.status === 404) return { oidc: null };
  if (!res.ok) throw new ApiError(res.status, "http", `the platform answered ${res.status} for its sign-in methods`);
  return (await res.json()) as { oidc: OidcSignIn | null };
}

interface Discovery {
  issuer?: unknown;
  authorization_endpoint?: unknown;
  token_endpoint?: unknown;
}

async function discover(issuer: string): Promise<{ authorization: string; token: string }> {
  const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  let doc: Discovery;
  try {
    const res = await fetch(url, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as Discovery;
  } catch (e) {
    throw new ApiError(
      0,
      "issuer-unreachable",
      `cannot reach the identity provider at ${url} (${(e as Error).message})`,
    );
  }
  if (doc.issuer !== issuer) {
    throw new ApiError(
      0,
      "issuer-mismatch",
      `the discovery document names issuer ${JSON.stringify(doc.issuer)}, not ${issuer}`,
    );
  }
  if (typeof doc.authorization_endpoint !== "string" || typeof doc.token_endpoint !== "string") {
    throw new ApiError(0, "issuer-incomplete", `the discovery document ${url} has no authorization or token endpoint`);
  }
  return { authorization: doc.authorization_endpoint, token: doc.token_endpoint };
}

/** Starts the sign-in: keeps the verifier, state and nonce in this tab, then leaves for the issuer. */
export async function beginOidcSignIn(config: OidcSignIn, next: string): Promise<void> {
  const endpoints = await discover(config.issuer);
  const pending: PendingSignIn = {
    issuer: config.issuer,
    clientId: config.clientId,
    tokenEndpoint: endpoints.token,
    redirectUri: `${window.location.origin}${callbackPath}`,
    state: randomUrlSafe(),
    nonce: randomUrlSafe(),
    verifier: randomUrlSafe(),
    bearer: config.bearer,
    next,
  };
  const url = new URL(endpoints.authorization);
  for (const [k, v] of Object.entries({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: pending.redirectUri,
    scope: config.scopes.join(" "),
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256Challenge(pending.verifier),
    code_challenge_method: "S256",
  }))
    url.searchParams.set(k, v);
  window.sessionStorage.setItem(pendingKey, JSON.stringify(pending));
  window.location.assign(url.toString());
}

function takePending(): PendingSignIn | undefined {
  const text = window.sessionStorage.getItem(pendingKey);
  // One answer per sign-in: a reload or a replayed callback URL finds nothing.
  window.sessionStorage.removeItem(pendingKey);
  try {
    return text ? (JSON.parse(text) as PendingSignIn) : undefined;
  } catch {
    return undefined;
  }
}

/** Finishes the sign-in on /auth/callback; resolves to the path to go to, signed in. */
export async function completeOidcSignIn(query: URLSearchParams): Promise<string> {
  const pending = takePending();
  const check = checkCallback(query, pending);
  if (!check.ok) throw new ApiError(0, check.code, `${check.title}: ${check.message}`);
  const p = pending as PendingSignIn;
  let tokens: { id_token?: string; access_token?: string; error?: string; error_description?: string };
  let status: number;
  try {
    const res = await fetch(p.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: check.code,
        redirect_uri: p.redirectUri,
        client_id: p.clientId,
        code_verifier: p.verifier,
      }),
    });
    status = res.status;
    tokens = (await res.json()) as typeof tokens;
  } catch (e) {
    throw new ApiError(
      0,
      "issuer-unreachable",
      `cannot reach the token endpoint ${p.tokenEndpoint} (${(e as Error).message})`,
    );
  }
  if (status !== 200 || tokens.error) {
    const reason = `${tokens.error ?? `HTTP ${status}`}${tokens.error_description ? `: ${tokens.error_description}` : ""}`;
    throw new ApiError(status, "token-refused", `The identity provider refused the code: ${reason}`);
  }
  const wrongNonce = nonceProblem(tokens.id_token, p.nonce);
  if (wrongNonce) throw new ApiError(0, "nonce-mismatch", `The sign-in answer is not for this sign-in: ${wrongNonce}`);
  const bearer = tokens[p.bearer];
  if (!bearer) throw new ApiError(0, "no-token", `the identity provider returned no ${p.bearer.replace("_", " ")}`);
  // The platform checks signature, issuer and audience: the same check as a pasted token.
  await api.me(undefined, bearer);
  setSessionToken(bearer);
  return p.next.startsWith("/") && !p.next.startsWith("//") ? p.next : "/";
}
