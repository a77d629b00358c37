import { createHash, randomBytes } from "node:crypto";
import { ConflictError, InputError, NotFoundError } from "@quanta/core";
import { EventLog } from "../audit/event-log.js";
import { type Database, type Queryable, sqlState, sqlStates } from "../storage/database.js";
import {
  type GlobalRole,
  globalRoles,
  type Principal,
  type TeamMembership,
  type TeamRole,
  type TokenScope,
  tokenScopes,
} from "./principal.js";
import { TeamRepository } from "./team-repository.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

export interface User {
  id: string;
  username: string;
  displayName: string | null;
  email: string | null;
  kind: "user" | "service";
  roles: GlobalRole[];
  teams: TeamMembership[];
  createdAt: string;
  disabledAt: string | null;
}

export interface NewUser {
  username: string;
  displayName?: string | undefined;
  email?: string | undefined;
  kind?: "user" | "service" | undefined;
  /** Default: consumer, the role every signed-in user starts with. */
  roles?: readonly GlobalRole[] | undefined;
}

export interface TokenRecord {
  id: string;
  userId: string;
  username: string;
  name: string;
  /** The first characters of the token, so people can tell theirs apart; never the secret. */
  hint: string;
  scopes: TokenScope[] | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: "active" | "expired" | "revoked";
}

export interface NewToken {
  name: string;
  /** Days until it expires (default 90); null never expires (service tokens, by an admin's choice). */
  expiresInDays?: number | null | undefined;
  scopes?: readonly TokenScope[] | undefined;
}

export interface TeamInfo {
  id: string;
  name: string;
  domainId: string | null;
  description: string | null;
  /** Current members, granted through this store: who holds the team's rights. */
  members: { username: string; userId: string; role: TeamRole }[];
  /**
   * Who the team's product documents list now (`team.members`, as its owners last published
   * them): documentation of the team, which grants nothing.
   */
  declared: { username: string; role: string }[];
}

/** What an OpenID Connect token says about its holder (see VerifiedIdentity). */
export interface OidcProfile {
  username: string;
  displayName?: string | undefined;
  email?: string | undefined;
  /** The username may link to an existing account of that name (default: it may not). */
  linkable?: boolean | undefined;
}

/** `qnt_` + 256 random bits: recognizable in logs and secret scanners, impossible to guess. */
export const tokenPrefix = "qnt_";
const tokenShape = /^qnt_[A-Za-z0-9_-]{43}$/;
export const looksLikeApiToken = (s: string): boolean => s.startsWith(tokenPrefix);
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const newId = (prefix: string) => `${prefix}${randomBytes(9).toString("base64url")}`;
const usernameShape = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$/;
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** last_used_at is written at most this often per token (one write per request would cost throughput). */
const touchMs = 60_000;

interface PrincipalRow {
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
const principalColumns = /* sql */ `
  u.id, u.username, u.display_name, u.email, u.kind, u.created_at, u.disabled_at,
  (SELECT json_agg(g.role ORDER BY g.role) FROM role_grants g WHERE g.user_id = u.id AND g.valid_to IS NULL) AS roles,
  (SELECT json_agg(json_build_object('team', g.team_id, 'role', g.role) ORDER BY g.team_id, g.role)
   FROM team_grants g WHERE g.user_id = u.id AND g.valid_to IS NULL) AS teams`;

const toUser = (r: PrincipalRow): User => ({
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

interface TokenRow {
  id: string;
  user_id: string;
  username: string;
  name: string;
  hint: string;
  scopes: TokenScope[] | null;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

const toToken = (r: TokenRow, now = Date.now()): TokenRecord => ({
  id: r.id,
  userId: r.user_id,
  username: r.username,
  name: r.name,
  hint: r.hint,
  scopes: r.scopes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
  status: r.revoked_at ? "revoked" : r.expires_at && Date.parse(r.expires_at) <= now ? "expired" : "active",
});

/**
 * Users, roles, team grants and API tokens: what the identity routes, the auth middleware and
 * `quanta serve --demo` call. Every change is an event (actor = who did it).
 */
export class IdentityStore {
  private readonly cache = new Map<string, { principal: Principal; until: number; expiresAt: number }>();
  private readonly cacheMs: number;

  /**
   * `cacheMs`: how long an authenticated API token's principal is reused without asking the store
   * (default 2 s). On PGlite a lookup costs milliseconds, which would cap authenticated throughput;
   * every write through this store clears the cache and the auth middleware forgets a caller's
   * token after their own writes, so only other replicas (and team changes someone else's publish
   * makes) can lag, by at most `cacheMs`.
   */
  constructor(
    readonly db: Database,
    options: { cacheMs?: number } = {},
  ) {
    this.cacheMs = options.cacheMs ?? 2_000;
  }

  /** Drops a token's cached principal. */
  forget(token: string): void {
    this.cache.delete(hashToken(token));
  }

  // ---- users ----

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
        await new EventLog(tx).append({ type: "user.created", subject: id, actor, payload: { username, roles } });
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
      if (rowCount > 0)
        await new EventLog(tx).append({ type: "role.granted", subject: userId, actor, payload: { role } });
    });
    this.cache.clear();
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
      if (rowCount > 0)
        await new EventLog(tx).append({ type: "role.revoked", subject: userId, actor, payload: { role } });
    });
    this.cache.clear();
    return this.user(userId);
  }

  // ---- teams ----

  async createTeam(
    input: { name: string; id?: string | undefined; domain?: string | undefined; description?: string | undefined },
    actor?: string,
  ): Promise<TeamInfo> {
    const id = input.id ?? slug(input.name);
    if (!id || !/^[a-z0-9][a-z0-9._-]{0,199}$/.test(id)) {
      throw new InputError(`team id "${id}" must be lowercase letters, digits, . _ - (default: the name as a slug)`);
    }
    await this.db.transaction(async (tx) => {
      const teams = new TeamRepository(tx);
      const { rows } = await tx.query("SELECT 1 FROM teams WHERE id = $1", [id]);
      if (rows.length > 0) throw new ConflictError(`team "${id}" already exists`);
      if (input.domain) await teams.ensureDomain(input.domain);
      await teams.ensureTeam({
        id,
        name: input.name,
        domainId: input.domain ?? null,
        description: input.description ?? null,
      });
      await new EventLog(tx).append({ type: "team.created", subject: id, actor, payload: { name: input.name } });
    });
    return this.team(id);
  }

  async teamExists(id: string): Promise<boolean> {
    return (await this.db.query("SELECT 1 FROM teams WHERE id = $1", [id])).rows.length > 0;
  }

  async team(id: string): Promise<TeamInfo> {
    const found = (await this.listTeams(id))[0];
    if (!found) throw new NotFoundError(`no team "${id}"`);
    return found;
  }

  async listTeams(only?: string): Promise<TeamInfo[]> {
    const { rows: teams } = await this.db.query<{
      id: string;
      name: string;
      domainId: string | null;
      description: string | null;
    }>(
      `SELECT id, name, domain_id AS "domainId", description FROM teams WHERE $1::text IS NULL OR id = $1 ORDER BY id LIMIT 1000`,
      [only ?? null],
    );
    const { rows: members } = await this.db.query<TeamInfo["members"][number] & { teamId: string }>(
      `SELECT g.team_id AS "teamId", u.username, u.id AS "userId", g.role
       FROM team_grants g JOIN users u ON u.id = g.user_id
       WHERE g.valid_to IS NULL AND ($1::text IS NULL OR g.team_id = $1)
       ORDER BY 1, 2`,
      [only ?? null],
    );
    const { rows: declared } = await this.db.query<TeamInfo["declared"][number] & { teamId: string }>(
      `SELECT DISTINCT team_id AS "teamId", username, role FROM team_members
       WHERE valid_to IS NULL AND ($1::text IS NULL OR team_id = $1)
       ORDER BY 1, 2, 3`,
      [only ?? null],
    );
    const of = <T extends { teamId: string }>(rows: T[], team: string) =>
      rows.filter((m) => m.teamId === team).map(({ teamId: _, ...m }) => m);
    return teams.map((t) => ({ ...t, members: of(members, t.id), declared: of(declared, t.id) }));
  }

  /** Makes `userId` a member (or owner) of `teamId`; a change of role closes the previous period. */
  async setTeamMember(teamId: string, userId: string, role: TeamRole, actor?: string): Promise<TeamInfo> {
    if (role !== "owner" && role !== "member")
      throw new InputError(`team role must be owner or member (got "${role}")`);
    await this.team(teamId);
    await this.user(userId);
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ role: string }>(
        "SELECT role FROM team_grants WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL FOR UPDATE",
        [teamId, userId],
      );
      if (rows[0]?.role === role) return;
      await tx.query(
        "UPDATE team_grants SET valid_to = GREATEST(valid_from, now()) WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL",
        [teamId, userId],
      );
      await tx.query("INSERT INTO team_grants (team_id, user_id, role, granted_by) VALUES ($1, $2, $3, $4)", [
        teamId,
        userId,
        role,
        actor ?? null,
      ]);
      await new EventLog(tx).append({ type: "team.member.granted", subject: teamId, actor, payload: { userId, role } });
    });
    this.cache.clear();
    return this.team(teamId);
  }

  async removeTeamMember(teamId: string, userId: string, actor?: string): Promise<TeamInfo> {
    await this.team(teamId);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(
        "UPDATE team_grants SET valid_to = GREATEST(valid_from, now()) WHERE team_id = $1 AND user_id = $2 AND valid_to IS NULL",
        [teamId, userId],
      );
      if (rowCount === 0) throw new NotFoundError(`user "${userId}" holds no granted membership of team "${teamId}"`);
      await new EventLog(tx).append({ type: "team.member.removed", subject: teamId, actor, payload: { userId } });
    });
    this.cache.clear();
    return this.team(teamId);
  }

  /** Who held which granted role in the team, every period, oldest first. */
  async teamGrantHistory(
    teamId: string,
  ): Promise<{ userId: string; role: TeamRole; validFrom: string; validTo: string | null }[]> {
    const { rows } = await this.db.query<{ userId: string; role: TeamRole; validFrom: string; validTo: string | null }>(
      `SELECT user_id AS "userId", role, valid_from AS "validFrom", valid_to AS "validTo"
       FROM team_grants WHERE team_id = $1 ORDER BY id`,
      [teamId],
    );
    return rows;
  }

  // ---- tokens ----

  /** A new token: the secret is in the answer once and never again (only its hash is kept). */
  async createToken(userId: string, input: NewToken, actor?: string): Promise<{ token: string; record: TokenRecord }> {
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InputError("a token needs a name of 1 to 200 characters");
    const days = input.expiresInDays === undefined ? 90 : input.expiresInDays;
    if (days !== null && (!Number.isFinite(days) || days <= 0 || days > 3650)) {
      throw new InputError(`expiresInDays must be from a minute's fraction above 0 to 3650 (got ${days})`);
    }
    const scopes = input.scopes ? [...new Set(input.scopes)] : null;
    for (const s of scopes ?? []) {
      if (!(tokenScopes as readonly string[]).includes(s)) {
        throw new InputError(`unknown token scope "${s}"; scopes are ${tokenScopes.join(", ")}`);
      }
    }
    const user = await this.user(userId);
    if (user.disabledAt) throw new InputError(`user ${user.username} is disabled`);
    const token = `${tokenPrefix}${randomBytes(32).toString("base64url")}`;
    const id = newId("tok_");
    const expiresAt = days === null ? null : new Date(Date.now() + days * 86_400_000).toISOString();
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO api_tokens (id, user_id, name, token_hash, hint, scopes, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          id,
          userId,
          name,
          hashToken(token),
          `${token.slice(0, 8)}…`,
          scopes ? JSON.stringify(scopes) : null,
          actor ?? null,
          expiresAt,
        ],
      );
      await new EventLog(tx).append({
        type: "token.created",
        subject: userId,
        actor,
        payload: { tokenId: id, name, expiresAt, scopes },
      });
    });
    return { token, record: await this.token(id) };
  }

  async token(id: string): Promise<TokenRecord> {
    const found = (await this.queryTokens("t.id = $1", [id]))[0];
    if (!found) throw new NotFoundError(`no API token "${id}"`);
    return found;
  }

  /** Tokens of one user (or everyone's), newest first; never the secret. */
  listTokens(userId?: string): Promise<TokenRecord[]> {
    return userId === undefined ? this.queryTokens("true", []) : this.queryTokens("t.user_id = $1", [userId]);
  }

  async revokeToken(id: string, actor?: string): Promise<TokenRecord> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ user_id: string }>(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING user_id",
        [id, actor ?? null],
      );
      if (rows[0])
        await new EventLog(tx).append({
          type: "token.revoked",
          subject: rows[0].user_id,
          actor,
          payload: { tokenId: id },
        });
    });
    this.cache.clear();
    return this.token(id);
  }

  /** Whether `token` is a live token of this store (demo restarts reuse their tokens). */
  async tokenIsLive(token: string): Promise<boolean> {
    return this.authenticateToken(token).then(
      () => true,
      () => false,
    );
  }

  /**
   * The principal behind an API token, or `UnauthenticatedError` with the reason. The lookup is by
   * the token's SHA-256 through a unique index: no secret is ever compared character by character.
   * The principal is cached for `cacheMs` (see the constructor).
   */
  async authenticateToken(token: string): Promise<Principal> {
    if (!tokenShape.test(token)) {
      throw new UnauthenticatedError("the API token is malformed (expected qnt_ followed by 43 characters)");
    }
    const hash = hashToken(token);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now && hit.expiresAt > now) return hit.principal;
    const { rows } = await this.db.query<
      PrincipalRow & {
        token_id: string;
        hint: string;
        scopes: TokenScope[] | null;
        expires_at: string | null;
        revoked_at: string | null;
        last_used_at: string | null;
      }
    >(
      `SELECT ${principalColumns}, t.id AS token_id, t.hint, t.scopes, t.expires_at, t.revoked_at, t.last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1`,
      [hash],
    );
    const row = rows[0];
    if (!row) throw new UnauthenticatedError("the API token is not known to this server (mistyped, or deleted)");
    if (row.revoked_at) throw new UnauthenticatedError(`the API token ${row.hint} was revoked at ${row.revoked_at}`);
    if (row.expires_at && Date.parse(row.expires_at) <= now) {
      throw new UnauthenticatedError(`the API token ${row.hint} expired at ${row.expires_at}; create a new one`);
    }
    if (row.disabled_at) throw new UnauthenticatedError(`user ${row.username} is disabled`);
    if (!row.last_used_at || now - Date.parse(row.last_used_at) > touchMs) {
      await this.db.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [row.token_id]);
    }
    const principal: Principal = {
      userId: row.id,
      name: row.username,
      displayName: row.display_name,
      kind: row.kind,
      roles: row.roles ?? [],
      teams: row.teams ?? [],
      via: "token",
      tokenId: row.token_id,
      ...(row.scopes ? { scopes: row.scopes } : {}),
    };
    if (this.cacheMs > 0) {
      if (this.cache.size >= 10_000) this.cache.clear();
      const expiresAt = row.expires_at ? Date.parse(row.expires_at) : Number.POSITIVE_INFINITY;
      this.cache.set(hash, { principal, until: now + this.cacheMs, expiresAt });
    }
    return principal;
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

  /**
   * The user behind an OpenID Connect subject, created on first sight (just-in-time provisioning).
   * A username already taken by a local user links to it only when that user has no subject yet
   * and `profile.linkable` (a verified e-mail, see VerifiedIdentity); otherwise the sign-in is
   * refused, so an unverified claim never takes over an account.
   */
  async userForSubject(issuer: string, subject: string, profile: OidcProfile): Promise<User> {
    try {
      return await this.provision(issuer, subject, profile);
    } catch (e) {
      // Two first sign-ins of the same person at once: the other one created the user; use it.
      if (sqlState(e) !== sqlStates.uniqueViolation) throw e;
      return this.provision(issuer, subject, profile);
    }
  }

  private async provision(issuer: string, subject: string, profile: OidcProfile): Promise<User> {
    const { rows } = await this.db.query<{ id: string }>(
      "SELECT id FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2",
      [issuer, subject],
    );
    if (rows[0]) return this.user(rows[0].id);
    return this.db.transaction(async (tx) => {
      const existing = await this.findUser({ username: profile.username }, tx);
      if (existing) {
        const { rows: held } = await tx.query<{ oidc_issuer: string | null; oidc_subject: string | null }>(
          "SELECT oidc_issuer, oidc_subject FROM users WHERE id = $1 FOR UPDATE",
          [existing.id],
        );
        // The same subject's concurrent first sign-in got here first.
        if (held[0]?.oidc_issuer === issuer && held[0]?.oidc_subject === subject) return existing;
        if (!profile.linkable) {
          throw new UnauthenticatedError(
            `an account named ${profile.username} already exists on this server, and the token does not prove it is theirs: an identity links to an existing account only through a verified e-mail (email_verified: true); verify the e-mail at the identity provider`,
          );
        }
        const { rowCount } = await tx.query(
          "UPDATE users SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1 AND oidc_subject IS NULL",
          [existing.id, issuer, subject],
        );
        if (rowCount === 0) {
          throw new UnauthenticatedError(
            `the username ${profile.username} already belongs to another identity of this server`,
          );
        }
        await new EventLog(tx).append({
          type: "user.linked",
          subject: existing.id,
          actor: profile.username,
          payload: { issuer, subject },
        });
        return (await this.findUser({ id: existing.id }, tx)) as User;
      }
      if (!usernameShape.test(profile.username)) {
        throw new UnauthenticatedError(
          `the token's username claim "${profile.username.slice(0, 80)}" is not a usable username`,
        );
      }
      const id = newId("usr_");
      await tx.query(
        "INSERT INTO users (id, username, display_name, email, kind, oidc_issuer, oidc_subject) VALUES ($1, $2, $3, $4, 'user', $5, $6)",
        [id, profile.username, profile.displayName ?? null, profile.email ?? null, issuer, subject],
      );
      await tx.query("INSERT INTO role_grants (user_id, role, granted_by) VALUES ($1, 'consumer', 'oidc')", [id]);
      await new EventLog(tx).append({
        type: "user.created",
        subject: id,
        actor: "oidc",
        payload: { username: profile.username, issuer },
      });
      return (await this.findUser({ id }, tx)) as User;
    });
  }

  private async queryTokens(where: string, params: unknown[]): Promise<TokenRecord[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT t.id, t.user_id, u.username, t.name, t.hint, t.scopes, t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ${where} ORDER BY t.created_at DESC, t.id LIMIT 1000`,
      params,
    );
    const now = Date.now();
    return rows.map((r) => toToken(r, now));
  }

  private checkRole(role: string): asserts role is GlobalRole {
    if (!(globalRoles as readonly string[]).includes(role)) {
      throw new InputError(`unknown role "${role}"; roles are ${globalRoles.join(", ")}`);
    }
  }
}
