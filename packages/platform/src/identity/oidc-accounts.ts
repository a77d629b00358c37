import { publishEvent } from "../events/publish-event.js";
import { type Database, sqlState, sqlStates } from "../storage/database.js";
import { UnauthenticatedError } from "./unauthenticated-error.js";
import { newId, type User, type UserStore, usernameShape } from "./user-store.js";

export interface OidcProfile {
  username: string;
  displayName?: string | undefined;
  email?: string | undefined;
  /** The username may link to an existing account of that name (default: it may not). */
  linkable?: boolean | undefined;
}

/** The accounts of people who sign in through an OIDC provider: found, created or linked. */
export class OidcAccounts {
  constructor(
    private readonly db: Database,
    private readonly users: UserStore,
  ) {}

  /**
   * The user an OIDC identity (issuer + subject) belongs to, created at its first sign-in as a
   * consumer. An existing account of the same username is linked only when the profile is
   * `linkable` (the provider verified the e-mail); otherwise the sign-in is refused, so an
   * unverified claim never takes over an account.
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
    if (rows[0]) return this.users.user(rows[0].id);
    return this.db.transaction(async (tx) => {
      const existing = await this.users.findUser({ username: profile.username }, tx);
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
        await publishEvent(
          tx,
          {
            type: "user.linked",
            subject: existing.id,
            actor: profile.username,
            payload: { issuer, subject },
          },
          {},
        );
        return (await this.users.findUser({ id: existing.id }, tx)) as User;
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
      await publishEvent(
        tx,
        {
          type: "user.created",
          subject: id,
          actor: "oidc",
          payload: { username: profile.username, issuer },
        },
        {},
      );
      return (await this.users.findUser({ id }, tx)) as User;
    });
  }
}
