import { InputError } from "@quanta/core";
import { createRemoteJWKSet, decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from "jose";
import { type GlobalRole, globalRoles, type TeamMembership } from "./principal.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

/** Where the claims a principal needs are found in the ID/access token (dotted paths allowed). */
export interface OidcClaims {
  /** The login name (default `email`, then `preferred_username`, then `sub`). */
  username: string;
  name: string;
  email: string;
  /** A list of team ids; `team:owner` makes its holder an owner, a bare `team` a member. */
  teams: string;
  /** A list of global roles (admin, governance, consumer); other values are ignored. */
  roles: string;
}

export interface OidcConfig {
  /** The issuer URL exactly as the tokens' `iss` says; discovery is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The audience tokens must be for (`aud`), usually the client id Quanta was registered with. */
  audience: string;
  /** The marketplace's public client id: set, the sign-in page offers OIDC sign-in (Authorization Code + PKCE). */
  clientId?: string | undefined;
  /** Scopes the marketplace asks for (default `openid profile email`). */
  scopes?: readonly string[] | undefined;
  claims?: Partial<OidcClaims> | undefined;
  /** Accepted signature algorithms (default: the asymmetric ones; never `none` or HMAC). */
  algorithms?: readonly string[] | undefined;
  /** Clock skew tolerated on exp/nbf, in seconds (default 30). */
  clockToleranceSec?: number | undefined;
}

export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  username: string;
  displayName: string | undefined;
  email: string | undefined;
  /** The issuer vouches for the e-mail: `email_verified` is true (absent or anything else: not). */
  emailVerified: boolean;
  /**
   * The username may link this identity to an existing account of that name: it is a verified
   * e-mail, or it comes from a username claim the operator configured (QUANTA_OIDC_USERNAME_CLAIM,
   * not the e-mail). An unverified e-mail, `preferred_username` or `sub` never takes over an account.
   */
  linkable: boolean;
  roles: GlobalRole[];
  teams: TeamMembership[];
}

const defaultClaims: OidcClaims = { username: "email", name: "name", email: "email", teams: "groups", roles: "roles" };
const asymmetric = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];
/** A failed discovery is retried after this long, so a restarting identity provider is picked up. */
const retryDiscoveryMs = 10_000;

/** Reads the OIDC settings from the environment; undefined when QUANTA_OIDC_ISSUER is unset. */
export function oidcConfigFromEnv(env: Record<string, string | undefined>): OidcConfig | undefined {
  const issuer = env.QUANTA_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const clientId = env.QUANTA_OIDC_CLIENT_ID?.trim() || undefined;
  // An ID token's audience is the client it was issued to: the client id is the natural default.
  const audience = env.QUANTA_OIDC_AUDIENCE?.trim() || clientId;
  if (!audience)
    throw new InputError(
      "QUANTA_OIDC_ISSUER is set but neither QUANTA_OIDC_AUDIENCE nor QUANTA_OIDC_CLIENT_ID is; set the client id tokens are issued for",
    );
  const scopes = env.QUANTA_OIDC_SCOPES?.split(/[\s,]+/).filter(Boolean);
  const claim = (name: string) => env[`QUANTA_OIDC_${name}_CLAIM`]?.trim() || undefined;
  const claims: Partial<OidcClaims> = {};
  for (const [key, name] of [
    ["username", "USERNAME"],
    ["name", "NAME"],
    ["email", "EMAIL"],
    ["teams", "TEAMS"],
    ["roles", "ROLES"],
  ] as const) {
    const value = claim(name);
    if (value) claims[key] = value;
  }
  return {
    issuer,
    audience,
    claims,
    ...(clientId ? { clientId } : {}),
    ...(scopes?.length ? { scopes } : {}),
  };
}

const at = (payload: JWTPayload, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), payload);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
const list = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === "string")
    : typeof v === "string"
      ? v.split(/[\s,]+/).filter(Boolean)
      : [];
const when = (seconds: unknown) =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "an unknown time";

/** jose's error codes → the sentence the caller reads. */
const reasons: Record<string, (e: errors.JOSEError, payload: JWTPayload | undefined, config: OidcConfig) => string> = {
  ERR_JWT_EXPIRED: (_e, p) => `the token expired at ${when(p?.exp)}`,
  ERR_JWT_CLAIM_VALIDATION_FAILED: (e, p, config) => {
    const claim = (e as errors.JWTClaimValidationFailed).claim;
    if (claim === "nbf") return `the token is not valid before ${when(p?.nbf)}`;
    if (claim === "aud") return `the token is for audience ${JSON.stringify(p?.aud ?? null)}, not ${config.audience}`;
    if (claim === "iss") return `the token was issued by ${JSON.stringify(p?.iss ?? null)}, not ${config.issuer}`;
    if (claim === "iat") return "the token's issued-at time is in the future";
    return `the token's ${claim} claim is not acceptable: ${(e as errors.JWTClaimValidationFailed).reason}`;
  },
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: () =>
    "the token's signature does not verify with the issuer's key (forged or altered)",
  ERR_JWKS_NO_MATCHING_KEY: () => "no key of the issuer's JWKS matches the token's key id (kid)",
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: () => "several keys of the issuer's JWKS match the token; it needs a key id (kid)",
  ERR_JOSE_ALG_NOT_ALLOWED: (_e, _p, config) =>
    `the token's signature algorithm is not accepted (accepted: ${(config.algorithms ?? asymmetric).join(", ")})`,
  ERR_JOSE_NOT_SUPPORTED: () => "the token's algorithm or key type is not supported",
  ERR_JWS_INVALID: () => "the token is not a well-formed signed JWT",
  ERR_JWT_INVALID: () => "the token's claims are not a well-formed JWT payload",
  ERR_JWKS_INVALID: (_e, _p, config) => `the JWKS of ${config.issuer} is not a valid key set`,
  ERR_JWKS_TIMEOUT: (_e, _p, config) => `the JWKS of ${config.issuer} did not answer in time`,
};

/**
 * Verifies OpenID Connect bearer tokens (JWTs) against the configured issuer: signature with a key
 * of the issuer's JWKS (found through its discovery document, cached, refetched for a new kid),
 * `iss`, `aud`, `exp`, `nbf`; then maps the claims to a username, roles and teams.
 */
export class OidcVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private failedAt = 0;
  private failure = "";
  private readonly claims: OidcClaims;

  constructor(readonly config: OidcConfig) {
    this.claims = { ...defaultClaims, ...config.claims };
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new UnauthenticatedError("the bearer token is neither a Quanta API token (qnt_…) nor a JWT");
    }
    if (!header.alg || header.alg.toLowerCase() === "none") {
      throw new UnauthenticatedError("the token is unsigned (alg: none); only signed tokens are accepted");
    }
    const jwks = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [...(this.config.algorithms ?? asymmetric)],
        clockTolerance: this.config.clockToleranceSec ?? 30,
        requiredClaims: ["sub", "exp"],
      }));
    } catch (e) {
      if (e instanceof errors.JOSEError) {
        const claims = (e as { payload?: JWTPayload }).payload ?? unverifiedPayload(token);
        const reason = reasons[e.code]?.(e, claims, this.config) ?? `the token does not verify (${e.code})`;
        throw new UnauthenticatedError(reason);
      }
      throw new UnauthenticatedError(`the token does not verify: ${(e as Error).message}`);
    }
    const subject = text(payload.sub) as string;
    const claimed = text(at(payload, this.claims.username));
    const username = claimed ?? text(payload.preferred_username) ?? subject;
    const email = text(at(payload, this.claims.email));
    // Some issuers (Cognito) send the boolean as a string.
    const emailVerified = payload.email_verified === true || payload.email_verified === "true";
    // A username claim other than the e-mail is one the operator chose to trust as the login name.
    const fromEmail = this.claims.username === this.claims.email || this.claims.username === "email";
    const linkable = claimed !== undefined && (!fromEmail || emailVerified);
    const roles = list(at(payload, this.claims.roles)).filter((r): r is GlobalRole =>
      (globalRoles as readonly string[]).includes(r),
    );
    const teams = list(at(payload, this.claims.teams)).flatMap((g): TeamMembership[] => {
      const [team, role] = g.split(":");
      if (!team) return [];
      return [{ team, role: role === "owner" ? "owner" : "member" }];
    });
    return {
      issuer: this.config.issuer,
      subject,
      username,
      displayName: text(at(payload, this.claims.name)),
      email,
      emailVerified,
      linkable,
      roles,
      teams,
    };
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    if (Date.now() - this.failedAt < retryDiscoveryMs) throw new UnauthenticatedError(this.failure);
    const url = `${this.config.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== this.config.issuer) {
        throw new Error(`it names issuer ${JSON.stringify(doc.issuer)}, not ${this.config.issuer}`);
      }
      if (typeof doc.jwks_uri !== "string") throw new Error("it has no jwks_uri");
      this.jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
      return this.jwks;
    } catch (e) {
      this.failedAt = Date.now();
      this.failure = `cannot verify OpenID Connect tokens: the discovery document ${url} is not usable (${(e as Error).message})`;
      throw new UnauthenticatedError(this.failure);
    }
  }
}

function unverifiedPayload(token: string): JWTPayload | undefined {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as JWTPayload;
  } catch {
    return undefined;
  }
}
