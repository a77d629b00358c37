import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface TestOidcIssuerOptions {
  /** The one public client it knows (no secret). */
  clientId: string;
  /** The `aud` of its access tokens (its ID tokens are for the client id). Default: the client id. */
  apiAudience?: string;
  /** The user every authorization request is approved for. */
  user?: { sub: string; email: string; name: string; roles?: string[]; groups?: string[] };
}

export interface TestOidcIssuer {
  issuer: string;
  /** Redirect URIs `/authorize` accepts (the tests add theirs once the app's port is known). */
  redirectUris: string[];
  /** When set, `/authorize` answers the client with this error instead of a code (a user who says no). */
  denyWith: string | undefined;
  /** What `/token` refused, newest last (the tests read the reason). */
  refusals: string[];
  close(): Promise<void>;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string | undefined;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

/**
 * A small OpenID Connect issuer on loopback, for tests: discovery, JWKS, `/authorize` that approves
 * a fixed user at once (redirecting back with a code), and `/token` for public clients that checks
 * the PKCE verifier (S256) and returns a signed ID token (RS256) for the client. CORS is open, as an
 * issuer that serves browser apps has it for these endpoints.
 */
export async function startTestOidcIssuer(options: TestOidcIssuerOptions): Promise<TestOidcIssuer> {
  const keys = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "test-1", alg: "RS256", use: "sig" };
  const user = options.user ?? { sub: "subject-rin", email: "rin@example.com", name: "Rin Tanaka" };
  const grants = new Map<string, Grant>();
  const sign = (claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: "test-1" })
      .setIssuer(self.issuer)
      .setAudience(audience)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(keys.privateKey);

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  const authorize = (url: URL, res: ServerResponse) => {
    const p = url.searchParams;
    const redirectUri = p.get("redirect_uri") ?? "";
    // An unknown client or redirect URI is never redirected to (RFC 6749 §4.1.2.1).
    if (p.get("client_id") !== options.clientId || !self.redirectUris.includes(redirectUri)) {
      return json(res, 400, { error: "invalid_request", error_description: "unknown client or redirect_uri" });
    }
    const back = new URL(redirectUri);
    const state = p.get("state");
    if (state) back.searchParams.set("state", state);
    const challenge = p.get("code_challenge");
    if (self.denyWith) {
      back.searchParams.set("error", self.denyWith);
      back.searchParams.set("error_description", "The test user declined");
    } else if (p.get("response_type") !== "code" || p.get("code_challenge_method") !== "S256" || !challenge) {
      back.searchParams.set("error", "invalid_request");
      back.searchParams.set("error_description", "a code request with an S256 code challenge is required");
    } else {
      const code = randomBytes(24).toString("base64url");
      grants.set(code, { clientId: options.clientId, redirectUri, challenge, nonce: p.get("nonce") ?? undefined });
      back.searchParams.set("code", code);
    }
    res.writeHead(302, { location: back.toString() });
    res.end();
  };
  const token = async (req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const form = new URLSearchParams(text);
    const code = form.get("code") ?? "";
    const grant = grants.get(code);
    grants.delete(code); // a code is good once, whatever happens
    const refuse = (error: string, description: string) => {
      self.refusals.push(`${error}: ${description}`);
      json(res, 400, { error, error_description: description });
    };
    if (form.get("grant_type") !== "authorization_code")
      return refuse("unsupported_grant_type", "authorization_code only");
    if (!grant) return refuse("invalid_grant", "unknown or used code");
    if (form.get("client_id") !== grant.clientId) return refuse("invalid_client", "the code is for another client");
    if (form.get("redirect_uri") !== grant.redirectUri) return refuse("invalid_grant", "redirect_uri differs");
    if (s256(form.get("code_verifier") ?? "") !== grant.challenge) {
      return refuse("invalid_grant", "the PKCE code verifier does not match the code challenge");
    }
    const claims = { email: user.email, name: user.name, roles: user.roles ?? [], groups: user.groups ?? [] };
    json(res, 200, {
      token_type: "Bearer",
      expires_in: 600,
      id_token: await sign({ ...claims, ...(grant.nonce ? { nonce: grant.nonce } : {}) }, grant.clientId),
      access_token: await sign(claims, options.apiAudience ?? grant.clientId),
    });
  };

  const server = createServer((req, res) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type, accept");
    const url = new URL(req.url ?? "/", self.issuer);
    const route = `${req.method} ${url.pathname}`;
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      res.end();
    } else if (route === "GET /.well-known/openid-configuration") {
      json(res, 200, {
        issuer: self.issuer,
        authorization_endpoint: `${self.issuer}/authorize`,
        token_endpoint: `${self.issuer}/token`,
        jwks_uri: `${self.issuer}/jwks`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    } else if (route === "GET /jwks") json(res, 200, { keys: [jwk] });
    else if (route === "GET /authorize") authorize(url, res);
    else if (route === "POST /token") void token(req, res).catch((e: unknown) => json(res, 500, { error: String(e) }));
    else json(res, 404, { error: "not_found" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const self: TestOidcIssuer = {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    redirectUris: [],
    denyWith: undefined,
    refusals: [],
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return self;
}
