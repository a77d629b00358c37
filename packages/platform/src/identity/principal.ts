import { z } from "@hono/zod-openapi";

/** Platform-wide roles a user is granted (by an admin, or by the OIDC roles claim). */
export const globalRoles = ["admin", "governance", "consumer"] as const;
export type GlobalRole = (typeof globalRoles)[number];

/** What a person is in a team: its owners manage it (control, members); members work in it. */
export const teamRoles = ["owner", "member"] as const;
export type TeamRole = (typeof teamRoles)[number];

/** Coarse token scopes, so a CI token can publish without being able to read data. */
export const tokenScopes = ["read", "consume", "write", "admin"] as const;
export type TokenScope = (typeof tokenScopes)[number];

export const TeamMembershipSchema = z.object({
  /** The team's id (the slug of its name, as the registry stores it). */
  team: z.string(),
  role: z.enum(teamRoles),
});
export type TeamMembership = z.infer<typeof TeamMembershipSchema>;

/** The principal is also `GET /api/me`'s answer; its schema is here, beside the role lists it uses. */
export const PrincipalSchema = z
  .object({
    userId: z.string(),
    /** The login name (an e-mail for people, as in ODPS team sections); what audit and usage record. */
    name: z.string(),
    displayName: z.string().nullable(),
    kind: z.enum(["user", "service"]),
    roles: z.array(z.enum(globalRoles)),
    teams: z.array(TeamMembershipSchema),
    /** How the caller proved who they are. */
    via: z.enum(["token", "oidc"]),
    /** The API token used, when `via` is token. */
    tokenId: z.string().optional(),
    /** A token restricted to some scopes (see `actionScopes`); undefined = everything the user may do. */
    scopes: z.array(z.enum(tokenScopes)).optional(),
  })
  .openapi("Principal");

/**
 * Who is asking, attached to every request by the auth middleware (`c.get("principal")`,
 * undefined when anonymous). Built fresh from the store (API tokens) or the claims (OIDC).
 */
export type Principal = z.infer<typeof PrincipalSchema>;

/** How the caller proved who they are. */
export type AuthMethod = Principal["via"];

export const hasRole = (p: Principal | undefined, role: GlobalRole): boolean => !!p?.roles.includes(role);

/** The strongest role `p` holds in `team` (owner beats member), if any. */
export function teamRole(p: Principal | undefined, team: string | null | undefined): TeamRole | undefined {
  if (!p || !team) return undefined;
  let role: TeamRole | undefined;
  for (const m of p.teams) if (m.team === team && (role === undefined || m.role === "owner")) role = m.role;
  return role;
}
