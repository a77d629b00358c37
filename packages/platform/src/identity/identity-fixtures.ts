import { randomBytes } from "node:crypto";
import type { Database } from "../storage/database.js";
import { IdentityStore, type User } from "./identity-store.js";
import type { GlobalRole, TeamMembership } from "./principal.js";
import { TeamRepository } from "./team-repository.js";

export interface TestIdentity {
  token: string;
  user: User;
  /** `{ authorization: "Bearer …" }`, to spread into a request's headers. */
  headers: { authorization: string };
}

/**
 * A user with an API token, for tests: roles (default consumer) and team grants (teams are created
 * when missing). Goes through the real store, so the token authenticates like any other.
 */
export async function testIdentity(
  db: Database | IdentityStore,
  who: { username?: string; roles?: GlobalRole[]; teams?: TeamMembership[] } = {},
): Promise<TestIdentity> {
  const identity = db instanceof IdentityStore ? db : new IdentityStore(db);
  const username = who.username ?? `user-${randomBytes(4).toString("hex")}@example.com`;
  const user =
    (await identity.users.findUser({ username })) ??
    (await identity.users.createUser({ username, roles: who.roles ?? ["consumer"] }));
  for (const m of who.teams ?? []) {
    if (!(await identity.teams.teamExists(m.team)))
      await new TeamRepository(identity.db).ensureTeam({ id: m.team, name: m.team });
    await identity.teams.setTeamMember(m.team, user.id, m.role);
  }
  const { token } = await identity.tokens.createToken(user.id, { name: "test" });
  return { token, user: await identity.users.user(user.id), headers: { authorization: `Bearer ${token}` } };
}
