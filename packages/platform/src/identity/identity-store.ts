import type { Database } from "../storage/database.js";
import { OidcAccounts } from "./oidc-accounts.js";
import { TeamStore } from "./team-store.js";
import { TokenStore } from "./token-store.js";
import { UserStore } from "./user-store.js";

export type { OidcProfile } from "./oidc-accounts.js";
export type { TeamInfo } from "./team-store.js";
export { looksLikeApiToken, type NewToken, type TokenRecord, tokenPrefix } from "./token-store.js";
export type { NewUser, User } from "./user-store.js";

/**
 * Who is who on this server: users and their roles, teams and their grants, API tokens, and OIDC
 * accounts, each its own store over the same database. A change of roles or grants drops the
 * tokens' cached principals, so no store serves a stale one.
 */
export class IdentityStore {
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly tokens: TokenStore;
  readonly oidc: OidcAccounts;

  /** `cacheMs`: how long an API token's principal is reused without asking the store (TokenStore). */
  constructor(
    readonly db: Database,
    options: { cacheMs?: number } = {},
  ) {
    const principalsChanged = () => this.tokens.clearCache();
    this.users = new UserStore(db, principalsChanged);
    this.tokens = new TokenStore(db, this.users, options);
    this.teams = new TeamStore(db, this.users, principalsChanged);
    this.oidc = new OidcAccounts(db, this.users);
  }
}
