import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { testIdentity } from "./identity-fixtures.js";
import { IdentityStore } from "./identity-store.js";
import { OidcVerifier, oidcConfigFromEnv } from "./oidc-verifier.js";
import { PlatformAuthenticator } from "./platform-authenticator.js";

/** A real OpenID Connect issuer on loopback: discovery document and JWKS, keys generated per run. */
let issuerServer: Server;
let issuer: string;
let key: CryptoKeyPair;
let attacker: CryptoKeyPair;
let jwksHits = 0;
let db: Database;
let app: OpenAPIHono;
const audience = "quanta-test";

beforeAll(async () => {
  key = await generateKeyPair("RS256", { extractable: true });
  attacker = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  issuerServer = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ["RS256"] }));
    } else if (req.url === "/jwks") {
      jwksHits++;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => issuerServer.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  db = await openDatabase({ memory: true });
  const identity = new IdentityStore(db);
  const config = oidcConfigFromEnv({
    QUANTA_OIDC_ISSUER: issuer,
    QUANTA_OIDC_AUDIENCE: audience,
    QUANTA_OIDC_TEAMS_CLAIM: "quanta.teams",
  });
  if (!config) throw new Error("no config");
  app = createApp({
    registry: new Registry(db),
    identity,
    authenticator: new PlatformAuthenticator(identity, new OidcVerifier(config)),
  });
});
afterAll(async () => {
  await db?.close();
  await new Promise((r) => issuerServer?.close(r));
});

const now = () => Math.floor(Date.now() / 1000);
const sign = (
  claims: JWTPayload,
  over: { key?: CryptoKey; kid?: string; iss?: string; aud?: string; sub?: string } = {},
) =>
  new SignJWT({ email: "rin@example.com", name: "Rin", ...claims })
    .setProtectedHeader({ alg: "RS256", kid: over.kid ?? "k1" })
    .setIssuer(over.iss ?? issuer)
    .setAudience(over.aud ?? audience)
    .setSubject(over.sub ?? "subject-rin")
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? now() + 300)
    .sign(over.key ?? key.privateKey);
const me = async (token: string) => {
  const res = await app.request("/api/me", { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const counts = async () =>
  (
    await db.query<{ users: number; events: number }>(
      "SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM events) AS events",
    )
  ).rows[0];
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("OpenID Connect bearer tokens", () => {
  it("refuses bad tokens with the reason and changes nothing", async () => {
    const before = await counts();
    const reason = async (token: string | Promise<string>) => {
      const res = await me(await token);
      expect(res.status).toBe(401);
      return (res.body.error as { message: string }).message;
    };
    const forged = await sign({}, { key: attacker.privateKey });
    expect(await reason(forged)).toBe(
      "the token's signature does not verify with the issuer's key (forged or altered)",
    );
    // Altering a claim of a genuine token breaks its signature too.
    const [h, , s] = (await sign({})).split(".");
    const tampered = `${h}.${b64({ iss: issuer, aud: audience, sub: "subject-rin", email: "admin@example.com", roles: ["admin"], exp: now() + 60 })}.${s}`;
    expect(await reason(tampered)).toMatch(/forged or altered/);
    expect(await reason(sign({ exp: now() - 3600 }))).toMatch(/^the token expired at \d{4}-.*Z$/);
    expect(await reason(sign({ nbf: now() + 3600 }))).toMatch(/^the token is not valid before \d{4}-/);
    expect(await reason(sign({}, { aud: "another-app" }))).toBe(
      `the token is for audience "another-app", not ${audience}`,
    );
    expect(await reason(sign({}, { iss: "https://evil.example" }))).toBe(
      `the token was issued by "https://evil.example", not ${issuer}`,
    );
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64({ iss: issuer, aud: audience, sub: "x", exp: now() + 60 })}.`;
    expect(await reason(unsigned)).toBe("the token is unsigned (alg: none); only signed tokens are accepted");
    expect(await reason(sign({}, { kid: "unknown-kid", key: attacker.privateKey }))).toBe(
      "no key of the issuer's JWKS matches the token's key id (kid)",
    );
    // HMAC signed with the public key as the secret (algorithm confusion) is refused by algorithm.
    const hmac = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject("x")
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode(JSON.stringify(await exportJWK(key.publicKey))));
    expect(await reason(hmac)).toMatch(/^the token's signature algorithm is not accepted \(accepted: RS256/);
    expect(await reason("not-a-jwt")).toBe("the bearer token is neither a Quanta API token (qnt_…) nor a JWT");
    expect(await counts()).toEqual(before);
  });

  it("signs in with a valid token: the user is provisioned once, claims map to roles and teams", async () => {
    const token = await sign({ roles: ["governance", "superuser"], quanta: { teams: ["sales:owner", "marketing"] } });
    const first = await me(token);
    expect(first).toMatchObject({
      status: 200,
      body: {
        name: "rin@example.com",
        displayName: "Rin",
        via: "oidc",
        roles: ["consumer", "governance"],
        teams: [
          { team: "sales", role: "owner" },
          { team: "marketing", role: "member" },
        ],
      },
    });
    const again = await me(await sign({}));
    expect(again.body.userId).toBe(first.body.userId);
    expect(again.body.roles).toEqual(["consumer"]);
    expect((await counts())?.users).toBe(1);
    // The JWKS was fetched once and cached across sign-ins (a refetch only for an unknown kid).
    expect(jwksHits).toBeLessThanOrEqual(2);
  });

  it("links a token to a local user of the same username, and roles granted in Quanta apply", async () => {
    const local = await testIdentity(db, { username: "kai@example.com", roles: ["admin"] });
    const res = await me(await sign({ email: "kai@example.com", email_verified: true }, { sub: "subject-kai" }));
    expect(res.body).toMatchObject({ userId: local.user.id, roles: ["admin"], via: "oidc" });
    // Another subject claiming the same username is refused: the name belongs to the first one.
    const other = await me(await sign({ email: "kai@example.com", email_verified: true }, { sub: "subject-impostor" }));
    expect(other.status).toBe(401);
  });

  it("says what is missing in the configuration", () => {
    expect(oidcConfigFromEnv({})).toBeUndefined();
    expect(() => oidcConfigFromEnv({ QUANTA_OIDC_ISSUER: "https://id.example" })).toThrow(/QUANTA_OIDC_AUDIENCE/);
  });

  it("reports an unreachable issuer as the reason", async () => {
    const identity = new IdentityStore(db);
    const offline = createApp({
      registry: new Registry(db),
      identity,
      authenticator: new PlatformAuthenticator(identity, new OidcVerifier({ issuer: "http://127.0.0.1:9", audience })),
    });
    const res = await offline.request("/api/me", { headers: { authorization: `Bearer ${await sign({})}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^cannot verify OpenID Connect tokens: the discovery document http:\/\/127.0.0.1:9\/.well-known\/openid-configuration is not usable/,
    );
  });
});

describe("linking a token to an existing account", () => {
  const oidcSubject = async (id: string) =>
    (await db.query<{ s: string | null }>("SELECT oidc_subject AS s FROM users WHERE id = $1", [id])).rows[0]?.s;

  it("takes a verified e-mail only: unverified, missing or a fallback name never becomes the local admin", async () => {
    const admin = await testIdentity(db, { username: "admin@quanta.example", roles: ["admin"] });
    const before = await counts();
    const attempts: JWTPayload[] = [
      { email: "admin@quanta.example", email_verified: false },
      { email: "admin@quanta.example" },
      { email: "admin@quanta.example", email_verified: "false" },
      { email: "admin@quanta.example", email_verified: 1 },
      // No e-mail: the username falls back to preferred_username, which nobody verified.
      { email: undefined, preferred_username: "admin@quanta.example", email_verified: true },
    ];
    for (const claims of attempts) {
      const res = await me(await sign(claims, { sub: "subject-mallory" }));
      expect(res.status, JSON.stringify(claims)).toBe(401);
      expect((res.body.error as { message: string }).message).toBe(
        "an account named admin@quanta.example already exists on this server, and the token does not prove it is theirs: an identity links to an existing account only through a verified e-mail (email_verified: true); verify the e-mail at the identity provider",
      );
    }
    expect(await counts()).toEqual(before);
    expect(await oidcSubject(admin.user.id)).toBeNull();
    // The issuer vouching for the e-mail links it, and the admin role granted in Quanta applies.
    const verified = await me(
      await sign({ email: "admin@quanta.example", email_verified: true }, { sub: "subject-ada" }),
    );
    expect(verified.body).toMatchObject({ userId: admin.user.id, roles: ["admin"], via: "oidc" });
    expect(await oidcSubject(admin.user.id)).toBe("subject-ada");
  });

  it("gives an unverified e-mail a user of its own, which a second token of the same e-mail does not take over", async () => {
    const first = await me(await sign({ email: "lee@example.com", email_verified: false }, { sub: "subject-lee" }));
    expect(first).toMatchObject({ status: 200, body: { name: "lee@example.com", roles: ["consumer"] } });
    for (const email_verified of [false, true]) {
      const second = await me(await sign({ email: "lee@example.com", email_verified }, { sub: "subject-lee-2" }));
      expect(second.status).toBe(401);
    }
    const again = await me(await sign({ email: "lee@example.com" }, { sub: "subject-lee" }));
    expect(again.body.userId).toBe(first.body.userId);
  });

  it("trusts a username claim the operator configured, and never preferred_username or sub", async () => {
    const withUpn = oidcConfigFromEnv({
      QUANTA_OIDC_ISSUER: issuer,
      QUANTA_OIDC_AUDIENCE: audience,
      QUANTA_OIDC_USERNAME_CLAIM: "upn",
    });
    const byDefault = new OidcVerifier({ issuer, audience });
    const linkable = async (verifier: OidcVerifier, claims: JWTPayload) => {
      const id = await verifier.verify(await sign(claims));
      return [id.username, id.emailVerified, id.linkable];
    };
    expect(await linkable(new OidcVerifier(withUpn as never), { upn: "kim@corp.example" })).toEqual([
      "kim@corp.example",
      false,
      true,
    ]);
    expect(await linkable(byDefault, { email_verified: true })).toEqual(["rin@example.com", true, true]);
    expect(await linkable(byDefault, { email_verified: "true" })).toEqual(["rin@example.com", true, true]);
    expect(await linkable(byDefault, {})).toEqual(["rin@example.com", false, false]);
    expect(await linkable(byDefault, { email: undefined, preferred_username: "kim", email_verified: true })).toEqual([
      "kim",
      true,
      false,
    ]);
    expect(await linkable(byDefault, { email: undefined })).toEqual(["subject-rin", false, false]);
  });
});

describe("first sign-ins at the same time", () => {
  it("provisions one user when the same new subject signs in concurrently", async () => {
    const token = await sign({ email: "zoe@example.com" }, { sub: "subject-zoe" });
    const answers = await Promise.all(Array.from({ length: 5 }, () => me(token)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.userId)).size).toBe(1);
  });
});
