import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { IdentityStore } from "./identity-store.js";

/** The identity store on a real PostgreSQL server (the API tests run it on PGlite). */
describe.skipIf(postgresSkipReason())("identity on PostgreSQL", () => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const created = await createTestDatabase("identity");
    drop = created.drop;
    db = await openDatabase({ url: created.url });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("creates users, grants, teams and tokens; authenticates, expires and revokes", async () => {
    // No cache: the test changes expiry in the table directly.
    const identity = new IdentityStore(db, { cacheMs: 0 });
    const team = await identity.teams.createTeam({ name: "Sales", domain: "commerce" });
    const ana = await identity.users.createUser({ username: "ana@example.com", roles: ["governance"] });
    await identity.teams.setTeamMember(team.id, ana.id, "owner");
    const { token, record } = await identity.tokens.createToken(ana.id, { name: "t", scopes: ["read"] });
    const p = await identity.tokens.authenticateToken(token);
    expect(p).toMatchObject({
      userId: ana.id,
      roles: ["governance"],
      teams: [{ team: "sales", role: "owner" }],
      scopes: ["read"],
      tokenId: record.id,
    });
    expect((await identity.tokens.token(record.id)).lastUsedAt).not.toBeNull();
    await db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [record.id]);
    await expect(identity.tokens.authenticateToken(token)).rejects.toThrow(/expired at/);
    const second = await identity.tokens.createToken(ana.id, { name: "u", expiresInDays: null });
    await identity.tokens.revokeToken(second.record.id, "admin");
    await expect(identity.tokens.authenticateToken(second.token)).rejects.toThrow(/was revoked at/);
    await expect(identity.users.createUser({ username: "ANA@example.com" })).rejects.toThrow(/already exists/);
    const oidc = await identity.oidc.userForSubject("https://id.example", "s-1", { username: "rin@example.com" });
    expect((await identity.oidc.userForSubject("https://id.example", "s-1", { username: "other" })).id).toBe(oidc.id);
  });

  it("provisions one user when the same new subject signs in on several connections at once", async () => {
    const identity = new IdentityStore(db, { cacheMs: 0 });
    const users = await Promise.all(
      Array.from({ length: 6 }, () =>
        identity.oidc.userForSubject("https://id.example", "s-race", { username: "race@example.com" }),
      ),
    );
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
  });
});
