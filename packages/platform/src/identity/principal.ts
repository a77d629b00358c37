/** Platform-wide roles a user is granted (by an admin, or by the OIDC roles claim). */
export const globalRoles = ["admin", "governance", "consumer"] as const;
export type GlobalRole = (typeof globalRoles)[number];

/** What a person is in a team: its owners manage it (control, members); members work in it. */
export const teamRoles = ["owner", "member"] as const;
export type TeamRole = (typeof teamRoles)[number];

export interface TeamMembership {
  /** The team's id (the slug of its name, as the registry stores it). */
  team: string;
  role: TeamRole;
}

/** How the caller proved who they are. */
export type AuthMethod = "token" | "oidc";

/**
 * Who is asking, attached to every request by the auth middleware (`c.get("principal")`,
 * undefined when anonymous). Built fresh from the store (API tokens) or the claims (OIDC).
 */
export interface Principal {
  userId: string;
  /** The login name (an e-mail for people, as in ODPS team sections); what audit and usage record. */
  name: string;
  displayName: string | null;
  kind: "user" | "service";
  roles: GlobalRole[];
  teams: TeamMembership[];
  via: AuthMethod;
  /** The API token used, when `via` is token. */
  tokenId?: string | undefined;
  /** A token restricted to some scopes (see `actionScopes`); undefined = everything the user may do. */
  scopes?: TokenScope[] | undefined;
}

/** Coarse token scopes, so a CI token can publish without being able to read data. */
export const tokenScopes = ["read", "consume", "write", "admin"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const hasRole = (p: Principal | undefined, role: GlobalRole): boolean => !!p?.roles.includes(role);

/** The strongest role `p` holds in `team` (owner beats member), if any. */
export function teamRole(p: Principal | undefined, team: string | null | undefined): TeamRole | undefined {
  if (!p || !team) return undefined;
  let role: TeamRole | undefined;
  for (const m of p.teams) if (m.team === team && (role === undefined || m.role === "owner")) role = m.role;
  return role;
}
