import { randomBytes } from "node:crypto";
import type { z } from "@hono/zod-openapi";
import { ConflictError, InputError, NotFoundError } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import { type Database, type Queryable, sqlState, sqlStates } from "../storage/database.js";
import { type GlobalRole, globalRoles, type Principal, type TeamMembership } from "./principal.js";
import type { UserSchema } from "./user-schema.js";

export type User = z.infer<typeof UserSchema>;

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  email?: string | undefined;
  kind?: "user" | "service" | undefined;
  /** Default: consumer, the role every signed-in user starts with. */
  roles?: readonly GlobalRole[] | undefined;
}

export const newId = (prefix: string): string => `${prefix}${randomBytes(9).toString("base64url")}`;
export const usernameShape = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;

export interface PrincipalRow {
  id: string;
  username: string;
  display_name: string | null;
  email: string | null;
  kind: "user" | "service";
  created_at: string;
  disabled_at: string | null;
  roles: GlobalRole[] | null;
  teams: TeamMembership[] | null;
}

/**
 * The user's columns plus current roles and team grants, in one query. Team rights are the grants
 * of this store only: the members a product's team section lists are documentation (ADR 0020).
 */
export const principalColumns = /* sql */ `
  u.id, u.username, u.display_name, u.email, u.kind, u.created_at, u.disabled_at,
  (SELECT json_agg(g.role ORDER BY g.role) FROM role_grants g WHERE g.user_id = u.id AND g.valid_to IS NULL) AS roles,
  (SELECT json_agg(json_build_object('team', g.team_id, 'role', g.role) ORDER BY g.team_id, g.role)
   FROM team_grants g WHERE g.user_id = u.id AND g.valid_to IS NULL) AS teams`;

export const toUser = (r: PrincipalRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  email: r.email,
  kind: r.kind,
  roles: r.roles ?? [],
  teams: r.teams ?? [],
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

/**
 * Users and their global roles. Every change is an event (actor = who did it); a change of roles
 * calls `principalsChanged`, so cached principals (TokenStore) are not served stale.
 */
export class UserStore {
  constructor(
    private readonly db: Database,
    private readonly principalsChanged: () => void = () => {},
  ) {}

  async createUser(input: NewUser, actor?: string): Promise<User> {
    const username = input.username.trim();
    if (!usernameShape.test(username)) {
      throw new InputError(
        `username "${input.username.slice(0, 80)}" must be 1-200 letters, digits or . _ @ + - (an e-mail works)`,
      );
    }
    const roles = [...new Set(input.roles ?? ["consumer"])];
    for (const r of roles) this.checkRole(r);
    const id = newId("usr_");
    try {
      await this.db.transaction(async (tx) => {
        await tx.query("INSERT INTO users (id, username, display_name, email, kind) VALUES ($1, $2, $3, $4, $5)", [
          id,
          username,
          input.displayName ?? null,
          input.email ?? null,
          input.kind ?? "user",
        ]);
        for (const role of roles) {
          await tx.query("INSERT INTO role_grants (user_id, role, granted_by) VALUES ($1, $2, $3)", [
            id,
            role,
            actor ?? null,
          ]);
        }
        await publishEvent(tx, { type: "user.created", subject: id, actor, payload: { username, roles } }, {});
      });
    } catch (e) {
      if (sqlState(e) === sqlStates.uniqueViolation)
        throw new ConflictError(`a user named "${username}" already exists`);
      throw e;
    }
    return this.user(id);
  }

  async user(id: string): Promise<User> {
    const found = await this.findUser({ id });
    if (!found) throw new NotFoundError(`no user "${id}"`);
    return found;
  }

  async findUser(by: { id: string } | { username: string }, q: Queryable = this.db): Promise<User | undefined> {
    const { rows } = await q.query<PrincipalRow>(
      `SELECT ${principalColumns} FROM users u WHERE ${"id" in by ? "u.id = $1" : "lower(u.username) = lower($1)"}`,
      ["id" in by ? by.id : by.username],
    );
    return rows[0] ? toUser(rows[0]) : undefined;
  }

  async listUsers(): Promise<User[]> {
    const { rows } = await this.db.query<PrincipalRow>(
      `SELECT ${principalColumns} FROM users u ORDER BY lower(u.username) LIMIT 1000`,
    );
    return rows.map(toUser);
  }

  async grantRole(userId: string, role: GlobalRole, actor?: string): Promise<User> {
    this.checkRole(role);
    await this.user(userId);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        `INSERT INTO role_grants (user_id, role, granted_by) SELECT $1, $2, $3
         WHERE NOT EXISTS (SELECT 1 FROM role_grants WHERE user_id = $1 AND role = $2 AND valid_to IS NULL)`,
        [userId, role, actor ?? null],
      );
      if (rowCount > 0) await publishEvent(tx, { type: "role.granted", subject: userId, actor, payload: { role } }, {});
    });
    this.principalsChanged();
    return this.user(userId);
  }

  async revokeRole(userId: string, role: GlobalRole, actor?: string): Promise<User> {
    this.checkRole(role);
    await this.user(userId);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        "UPDATE role_grants SET valid_to = GREATEST(valid_from, now()) WHERE user_id = $1 AND role = $2 AND valid_to IS NULL",
        [userId, role],
      );
      if (rowCount > 0) await publishEvent(tx, { type: "role.revoked", subject: userId, actor, payload: { role } }, {});
    });
    this.principalsChanged();
    return this.user(userId);
  }

  /** The principal of a user by id (OIDC sign-ins, tests). */
  async principal(userId: string, via: Principal["via"] = "token"): Promise<Principal> {
    const u = await this.user(userId);
    return {
      userId: u.id,
      name: u.username,
      displayName: u.displayName,
      kind: u.kind,
      roles: u.roles,
      teams: u.teams,
      via,
    };
  }

  private checkRole(role: string): asserts role is GlobalRole {
    if (!(globalRoles as readonly string[]).includes(role)) {
      throw new InputError(`unknown role "${role}"; roles are ${globalRoles.join(", ")}`);
    }
  }
}
