import { createHash, randomBytes } from "node:crypto";
import type { z } from "@hono/zod-openapi";
import { InputError, NotFoundError } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import type { Database } from "../storage/database.js";
import { type Principal, type TokenScope, tokenScopes } from "./principal.js";
import type { TokenSchema } from "./token-schema.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";
import { newId, type PrincipalRow, principalColumns, type UserStore } from "./user-store.js";

export type TokenRecord = z.infer<typeof TokenSchema>;

export interface NewToken {
  name: string;
  /** Days until it expires (default 90); null never expires (service tokens, by an admin's choice). */
  expiresInDays?: number | null | undefined;
  scopes?: readonly TokenScope[] | undefined;
}

/** `qnt_` + 256 random bits: recognizable in logs and secret scanners, impossible to guess. */
export const tokenPrefix = "qnt_";
const tokenShape = /^qnt_[A-Za-z0-9_-]{43}$/;
export const looksLikeApiToken = (s: string): boolean => s.startsWith(tokenPrefix);
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** last_used_at is written at most this often per token (one write per request would cost throughput). */
const touchMs = 60_000;

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

/** API tokens (only their hashes are kept) and the principals they authenticate. */
export class TokenStore {
  private readonly cache = new Map<string, { principal: Principal; until: number; expiresAt: number }>();
  private readonly cacheMs: number;

  /**
   * `cacheMs`: how long an authenticated API token's principal is reused without asking the store
   * (default 2 s). On PGlite a lookup costs milliseconds, which would cap authenticated throughput;
   * every change of roles, team grants or tokens clears the cache (`clearCache`) and the auth
   * middleware forgets a caller's token after their own writes, so only other replicas (and team
   * changes someone else's publish makes) can lag, by at most `cacheMs`.
   */
  constructor(
    private readonly db: Database,
    private readonly users: UserStore,
    options: { cacheMs?: number } = {},
  ) {
    this.cacheMs = options.cacheMs ?? 2_000;
  }

  /** Drops a token's cached principal. */
  forget(token: string): void {
    this.cache.delete(hashToken(token));
  }

  /** Drops every cached principal: someone's roles, teams or tokens changed. */
  clearCache(): void {
    this.cache.clear();
  }

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
    const user = await this.users.user(userId);
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
      await publishEvent(
        tx,
        {
          type: "token.created",
          subject: userId,
          actor,
          payload: { tokenId: id, name, expiresAt, scopes },
        },
        {},
      );
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
        await publishEvent(
          tx,
          {
            type: "token.revoked",
            subject: rows[0].user_id,
            actor,
            payload: { tokenId: id },
          },
          {},
        );
    });
    this.clearCache();
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

  private async queryTokens(where: string, params: unknown[]): Promise<TokenRecord[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT t.id, t.user_id, u.username, t.name, t.hint, t.scopes, t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
       FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ${where} ORDER BY t.created_at DESC, t.id LIMIT 1000`,
      params,
    );
    const now = Date.now();
    return rows.map((r) => toToken(r, now));
  }
}
