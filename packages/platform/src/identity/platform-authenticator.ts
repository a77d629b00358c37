import type { Authenticator } from "./authenticator.js";
import { type IdentityStore, looksLikeApiToken } from "./identity-store.js";
import type { OidcVerifier } from "./oidc-verifier.js";
import type { Principal, TeamMembership } from "./principal.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";

/**
 * The platform's authenticator: Quanta API tokens (`qnt_…`) from the store; any other bearer token
 * as an OpenID Connect JWT when an issuer is configured. An OIDC user is provisioned on first sight;
 * their roles and teams are what the store grants plus what the token's claims say.
 */
export class PlatformAuthenticator implements Authenticator {
  constructor(
    private readonly store: IdentityStore,
    private readonly oidc?: OidcVerifier,
  ) {}

  forget(credential: string): void {
    if (looksLikeApiToken(credential)) this.store.tokens.forget(credential);
  }

  async authenticate(credential: string): Promise<Principal> {
    if (looksLikeApiToken(credential)) return this.store.tokens.authenticateToken(credential);
    if (!this.oidc) {
      throw new UnauthenticatedError(
        "the bearer token is not a Quanta API token (qnt_…), and this server accepts no OpenID Connect tokens (QUANTA_OIDC_ISSUER is not set)",
      );
    }
    const id = await this.oidc.verify(credential);
    const user = await this.store.oidc.userForSubject(id.issuer, id.subject, id);
    if (user.disabledAt) throw new UnauthenticatedError(`user ${user.username} is disabled`);
    const teams = new Map<string, TeamMembership>();
    for (const m of [...user.teams, ...id.teams]) {
      const key = `${m.team}\u0000${m.role}`;
      if (!teams.has(key)) teams.set(key, m);
    }
    return {
      userId: user.id,
      name: user.username,
      displayName: user.displayName ?? id.displayName ?? null,
      kind: user.kind,
      roles: [...new Set([...user.roles, ...id.roles])].sort(),
      teams: [...teams.values()],
      via: "oidc",
    };
  }
}
