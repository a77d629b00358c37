import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { teamIdOf } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { exampleProducts } from "../test-fixtures.js";
import { testIdentity } from "./identity-fixtures.js";
import { IdentityStore } from "./identity-store.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** Tokens, users and teams through the API on one storage driver; identity-api-pglite and -postgres run it. */
export function identityApiConformance(name: string, target: StoreTarget): void {
  describe(`identity API on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let identity: IdentityStore;
    let admin: { authorization: string };

    beforeAll(async () => {
      db = await target.open();
      identity = new IdentityStore(db);
      app = createApp({ registry: new Registry(db), identity });
      admin = (await testIdentity(identity, { username: "admin@example.com", roles: ["admin"] })).headers;
    });
    afterAll(async () => {
      await db?.close();
    });

    const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Json, challenge: res.headers.get("www-authenticate") };
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const eventCount = async () =>
      Number((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events")).rows[0]?.n);

    describe("API tokens", () => {
      it("creates a token shown once, stores only its hash, and answers /api/me with the principal", async () => {
        const ana = await identity.users.createUser({ username: "ana@example.com", displayName: "Ana" });
        const created = await call("POST", "/api/tokens", admin, { name: "laptop", userId: ana.id, expiresInDays: 30 });
        expect(created.status).toBe(201);
        const token = created.body.token as string;
        expect(token).toMatch(/^qnt_[A-Za-z0-9_-]{43}$/);
        expect(created.body).toMatchObject({
          name: "laptop",
          userId: ana.id,
          status: "active",
          hint: `${token.slice(0, 8)}…`,
        });
        const stored = await db.query<Json>("SELECT * FROM api_tokens WHERE id = $1", [created.body.id]);
        expect(JSON.stringify(stored.rows)).not.toContain(token.slice(4));
        expect(stored.rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);

        const me = await call("GET", "/api/me", bearer(token));
        expect(me).toMatchObject({
          status: 200,
          body: {
            userId: ana.id,
            name: "ana@example.com",
            displayName: "Ana",
            roles: ["consumer"],
            teams: [],
            via: "token",
          },
        });
        // Listing never shows the secret again.
        const listed = await call("GET", "/api/tokens", bearer(token));
        expect(listed.status).toBe(200);
        expect(listed.body.items.map((t: Json) => t.id)).toEqual([created.body.id]);
        expect(JSON.stringify(listed.body)).not.toContain(token);
      });

      it("lets a user create and revoke their own tokens; a revoked token is refused with the reason", async () => {
        const bo = await testIdentity(identity, { username: "bo@example.com" });
        const second = await call("POST", "/api/tokens", bo.headers, { name: "ci", scopes: ["read"] });
        expect(second.status).toBe(201);
        expect(second.body.scopes).toEqual(["read"]);
        // Not for someone else.
        const other = await call("POST", "/api/tokens", bo.headers, { name: "x", userId: "usr_someone" });
        expect(other).toMatchObject({ status: 403, body: { error: { code: "not-allowed" } } });

        const revoked = await call("DELETE", `/api/tokens/${second.body.id}`, bo.headers);
        expect(revoked).toMatchObject({ status: 200, body: { status: "revoked" } });
        const refused = await call("GET", "/api/me", bearer(second.body.token));
        expect(refused.status).toBe(401);
        expect(refused.body.error.code).toBe("unauthenticated");
        expect(refused.body.error.message).toMatch(/^the API token qnt_.{4}… was revoked at \d{4}-/);
        expect(refused.challenge).toMatch(
          /^Bearer realm="quanta", error="invalid_token", error_description="the API token/,
        );
        // Revoking someone else's token is an admin's job.
        const mallory = await testIdentity(identity);
        expect((await call("DELETE", `/api/tokens/${second.body.id}`, mallory.headers)).status).toBe(403);
      });

      it("refuses a revoked token at once even right after it was used (no stale cache in this replica)", async () => {
        const cy = await testIdentity(identity);
        expect((await call("GET", "/api/me", cy.headers)).status).toBe(200);
        const [record] = await identity.tokens.listTokens(cy.user.id);
        await call("DELETE", `/api/tokens/${record?.id}`, admin);
        expect((await call("GET", "/api/me", cy.headers)).status).toBe(401);
      });

      it("refuses expired, unknown, malformed tokens and other schemes, each with its reason", async () => {
        const dee = await testIdentity(identity);
        await db.query("UPDATE api_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1", [
          dee.user.id,
        ]);
        const reasons = async (headers: Record<string, string>) =>
          (await call("GET", "/api/me", headers)).body.error.message;
        expect(await reasons(dee.headers)).toMatch(/^the API token qnt_.{4}… expired at .*; create a new one$/);
        expect(await reasons(bearer(`qnt_${"A".repeat(43)}`))).toBe(
          "the API token is not known to this server (mistyped, or deleted)",
        );
        expect(await reasons(bearer("qnt_short"))).toBe(
          "the API token is malformed (expected qnt_ followed by 43 characters)",
        );
        expect(await reasons({ authorization: "Basic YWxhZGRpbjpvcGVuc2VzYW1l" })).toBe(
          'send the credential as "Authorization: Bearer <token>"',
        );
        expect(await reasons(bearer("abc.def"))).toBe(
          "the bearer token is not a Quanta API token (qnt_…), and this server accepts no OpenID Connect tokens (QUANTA_OIDC_ISSUER is not set)",
        );
        // A bad credential is refused even where anonymous reads are fine: the caller meant to sign in.
        expect((await call("GET", "/api/products", bearer(`qnt_${"B".repeat(43)}`))).status).toBe(401);
        expect((await call("GET", "/api/products")).status).toBe(200);
        const anonymous = await call("GET", "/api/me");
        expect(anonymous.status).toBe(401);
        // No credential: a bare challenge, no error code (RFC 6750, section 3.1).
        expect(anonymous.challenge).toBe('Bearer realm="quanta"');
      });

      it("limits a scoped token to its scopes", async () => {
        const ed = await testIdentity(identity, { roles: ["admin"] });
        const scoped = await call("POST", "/api/tokens", ed.headers, { name: "read only", scopes: ["read"] });
        const res = await call("POST", "/api/users", bearer(scoped.body.token), { username: "zed@example.com" });
        expect(res).toMatchObject({
          status: 403,
          body: { error: { message: "this token is limited to read; user.manage needs the admin scope" } },
        });
      });

      it("validates token requests", async () => {
        const me = await testIdentity(identity);
        expect((await call("POST", "/api/tokens", me.headers, { name: "" })).status).toBe(400);
        expect((await call("POST", "/api/tokens", me.headers, { name: "x", scopes: ["root"] })).status).toBe(400);
        expect((await call("POST", "/api/tokens", me.headers, { name: "x", expiresInDays: -1 })).status).toBe(400);
        expect((await call("POST", "/api/tokens", me.headers, { name: "x", extra: 1 })).status).toBe(400);
        expect((await call("DELETE", "/api/tokens/tok_nope", admin)).status).toBe(404);
        expect((await call("POST", "/api/tokens", {}, { name: "x" })).status).toBe(401);
      });
    });

    describe("users and teams", () => {
      it("lets admins create users, grant and revoke roles (kept as history), and nobody else", async () => {
        const before = await eventCount();
        const made = await call("POST", "/api/users", admin, { username: "gov@example.com", roles: ["governance"] });
        expect(made).toMatchObject({ status: 201, body: { username: "gov@example.com", roles: ["governance"] } });
        expect((await call("POST", "/api/users", admin, { username: "GOV@example.com" })).status).toBe(409);
        expect((await call("POST", "/api/users", admin, { username: "has space" })).status).toBe(400);
        const granted = await call("PUT", `/api/users/${made.body.id}/roles/admin`, admin);
        expect(granted.body.roles).toEqual(["admin", "governance"]);
        const revoked = await call("DELETE", `/api/users/${made.body.id}/roles/admin`, admin);
        expect(revoked.body.roles).toEqual(["governance"]);
        const history = await db.query<{ role: string; closed: boolean }>(
          "SELECT role, valid_to IS NOT NULL AS closed FROM role_grants WHERE user_id = $1 ORDER BY id",
          [made.body.id],
        );
        expect(history.rows).toEqual([
          { role: "governance", closed: false },
          { role: "admin", closed: true },
        ]);
        expect(await eventCount()).toBe(before + 3);

        const plain = await testIdentity(identity);
        const refused = await call("POST", "/api/users", plain.headers, { username: "x@example.com" });
        expect(refused).toMatchObject({
          status: 403,
          body: { error: { message: "only admins manage users and their roles" } },
        });
        expect((await call("GET", "/api/users", plain.headers)).status).toBe(403);
        expect((await call("GET", `/api/users/${plain.user.id}`, plain.headers)).status).toBe(200);
        expect((await call("GET", `/api/users/${made.body.id}`, plain.headers)).status).toBe(403);
      });

      it("manages teams: admins create them, owners add members, membership shows in the principal", async () => {
        const team = await call("POST", "/api/teams", admin, { name: "Marketing Analytics", domain: "marketing" });
        expect(team).toMatchObject({ status: 201, body: { id: "marketing-analytics", members: [] } });
        expect((await call("POST", "/api/teams", admin, { name: "Marketing Analytics" })).status).toBe(409);
        const owner = await testIdentity(identity, { teams: [{ team: "marketing-analytics", role: "owner" }] });
        const newcomer = await testIdentity(identity);
        const added = await call(
          "PUT",
          `/api/teams/marketing-analytics/members/${newcomer.user.username}`,
          owner.headers,
          {
            role: "member",
          },
        );
        expect(added.status).toBe(200);
        expect(added.body.members).toContainEqual({
          username: newcomer.user.username,
          userId: newcomer.user.id,
          role: "member",
        });
        expect((await call("GET", "/api/me", newcomer.headers)).body.teams).toEqual([
          { team: "marketing-analytics", role: "member" },
        ]);
        // A member cannot add people; an owner of another team neither.
        const third = await testIdentity(identity);
        const refused = await call("PUT", `/api/teams/marketing-analytics/members/${third.user.id}`, newcomer.headers, {
          role: "owner",
        });
        expect(refused).toMatchObject({
          status: 403,
          body: { error: { message: "only an owner of team marketing-analytics or an admin manage its members" } },
        });
        const removed = await call(
          "DELETE",
          `/api/teams/marketing-analytics/members/${newcomer.user.id}`,
          owner.headers,
        );
        expect(removed.body.members.map((m: Json) => m.username)).not.toContain(newcomer.user.username);
        expect((await call("GET", "/api/me", newcomer.headers)).body.teams).toEqual([]);
        expect(await identity.teams.teamGrantHistory("marketing-analytics")).toHaveLength(2);
        expect((await call("GET", "/api/teams/nope", admin)).status).toBe(404);
      });

      it("takes team rights from grants only: a product's team section documents the team", async () => {
        const sea = (await exampleProducts()).find((p) => p.folder.endsWith("sea-level"));
        const founder = await testIdentity(identity, { username: "amara.okafor@climate-quantum.example" });
        const stranger = await testIdentity(identity);
        const teamId = teamIdOf("Climate Quantum - Climate Analytics");
        // Listed as the owner in the document, but the team does not exist: no founding by document.
        const refused = await call("POST", "/api/products", founder.headers, { files: sea?.files });
        expect(refused).toMatchObject({ status: 403 });
        expect(refused.body.error.message).toBe(
          `climate.sea-level names team ${teamId}, which does not exist; an admin creates teams (POST /api/teams) and grants their owners`,
        );
        expect((await call("POST", "/api/teams", admin, { name: "Climate Quantum - Climate Analytics" })).body.id).toBe(
          teamId,
        );
        expect((await call("POST", "/api/products", founder.headers, { files: sea?.files })).status).toBe(403);
        await call("PUT", `/api/teams/${teamId}/members/${founder.user.id}`, admin, { role: "owner" });
        const published = await call("POST", "/api/products", founder.headers, { files: sea?.files });
        expect(published.status).toBe(201);
        const versions = await db.query<{ published_by: string }>(
          "SELECT published_by FROM product_versions WHERE product_id = 'climate.sea-level'",
        );
        expect(versions.rows).toEqual([{ published_by: "amara.okafor@climate-quantum.example" }]);
        // The team id authorization computes is the one the registry stored.
        const stored = await db.query<{ team_id: string }>(
          "SELECT team_id FROM data_products WHERE id = 'climate.sea-level'",
        );
        expect(stored.rows[0]?.team_id).toBe(teamId);
        // The members the document lists are shown as declared, and none of them is granted anything.
        const team = (await call("GET", `/api/teams/${teamId}`, admin)).body;
        expect(team.members).toEqual([{ username: founder.user.username, userId: founder.user.id, role: "owner" }]);
        expect(team.declared.length).toBeGreaterThan(1);
        const listed = await testIdentity(identity, {
          username: team.declared.find((m: Json) => m.username !== founder.user.username).username,
        });
        expect((await call("GET", "/api/me", listed.headers)).body.teams).toEqual([]);
        expect((await call("POST", "/api/products", stranger.headers, { files: sea?.files })).status).toBe(403);
      });
    });

    describe("the OpenAPI document", () => {
      it("states who may call each operation: bearer security, 401 and 403 answers", async () => {
        const { body } = await call("GET", "/api/openapi.json");
        expect(body.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
        expect(body.paths["/api/products"].get.security).toEqual([{}, { bearer: [] }]);
        expect(body.paths["/api/products"].post.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(body.paths["/api/products"].post.responses)).toEqual(expect.arrayContaining(["401", "403"]));
        expect(body.paths["/api/tokens"].post.security).toEqual([{ bearer: [] }]);
      });
    });

    describe("the principal cache", () => {
      it("lets another replica's revocation hold within cacheMs, and this replica's at once", async () => {
        const replicaA = new IdentityStore(db, { cacheMs: 300 });
        const replicaB = new IdentityStore(db, { cacheMs: 300 });
        const user = await replicaB.users.createUser({ username: "cache@example.com" });
        const { token, record } = await replicaB.tokens.createToken(user.id, { name: "t" });
        await replicaA.tokens.authenticateToken(token);
        await replicaB.tokens.revokeToken(record.id, "admin");
        await expect(replicaB.tokens.authenticateToken(token)).rejects.toThrow(/revoked/);
        // Replica A may still trust its cached answer, for at most cacheMs.
        await new Promise((r) => setTimeout(r, 350));
        await expect(replicaA.tokens.authenticateToken(token)).rejects.toThrow(/revoked/);
      });
    });
  });
}
