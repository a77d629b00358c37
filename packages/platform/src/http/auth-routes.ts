import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { authorize } from "../identity/authorize.js";
import type { IdentityStore, User } from "../identity/identity-store.js";
import { globalRoles, type Principal, PrincipalSchema, teamRoles, tokenScopes } from "../identity/principal.js";
import { TeamSchema } from "../identity/team-schema.js";
import { TokenSchema } from "../identity/token-schema.js";
import { UserSchema } from "../identity/user-schema.js";
import { openApiAccess } from "./auth-openapi.js";
import { errorContent } from "./schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
const bad = errorContent("The request is malformed");
const unauthenticated = errorContent(
  "No credential, or one that does not hold (expired, revoked, forged, wrong audience)",
);
const forbidden = errorContent("Signed in, but not allowed");
const missing = errorContent("No such user, team or token");
const conflict = errorContent("It exists already");
const guarded = { 400: bad, 401: unauthenticated, 403: forbidden } as const;
const security = [{ bearer: [] }];

const NewTokenSchema = z
  .object({
    name: z.string().min(1).max(200).openapi({ example: "ci publish" }),
    expiresInDays: z
      .number()
      .positive()
      .max(3650)
      .nullable()
      .optional()
      .openapi({ description: "Default 90; null never expires" }),
    scopes: z.array(z.enum(tokenScopes)).min(1).optional().openapi({
      description: "Limit the token to some scopes (read, consume, write, admin); default: all the user may do",
    }),
    userId: z.string().min(1).max(200).optional().openapi({ description: "Admins only: the user the token is for" }),
  })
  .strict()
  .openapi("NewToken");
const NewUserSchema = z
  .object({
    username: z.string().min(1).max(200).openapi({ example: "ana@example.com" }),
    displayName: z.string().max(200).optional(),
    email: z.string().max(320).optional(),
    kind: z.enum(["user", "service"]).optional(),
    roles: z.array(z.enum(globalRoles)).optional().openapi({ description: "Default: consumer" }),
  })
  .strict()
  .openapi("NewUser");
const NewTeamSchema = z
  .object({
    name: z.string().min(1).max(200),
    id: z.string().min(1).max(200).optional().openapi({ description: "Default: the name as a slug" }),
    domain: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
  })
  .strict()
  .openapi("NewTeam");

const idParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name, in: "path" }, example });
const UserParams = z.object({ id: idParam("id", "usr_x2Tf9aQ1bC3d") });
const TokenParams = z.object({ id: idParam("id", "tok_x2Tf9aQ1bC3d") });
const TeamParams = z.object({ id: idParam("id", "web-shop-sales-data") });
const MemberParams = TeamParams.extend({
  user: idParam("user", "sofia.rossi@webshop.example").openapi({ description: "A user id or username" }),
});
const RoleParams = UserParams.extend({ role: z.enum(globalRoles).openapi({ param: { name: "role", in: "path" } }) });

const tags = ["Identity"];
const routes = {
  me: createRoute({
    method: "get",
    path: "/api/me",
    operationId: "me",
    tags,
    security,
    summary: "Who the credential belongs to: user, roles and teams",
    responses: { 200: json(PrincipalSchema, "The principal"), 401: unauthenticated },
  }),
  listTokens: createRoute({
    method: "get",
    path: "/api/tokens",
    operationId: "listTokens",
    tags,
    security,
    summary: "API tokens (never their secret): yours, another user's (admins), or everyone's (admins, `all=true`)",
    request: {
      query: z
        .object({ userId: z.string().min(1).max(200).optional(), all: z.enum(["true", "false"]).optional() })
        .strict(),
    },
    responses: { 200: json(z.object({ items: z.array(TokenSchema) }), "The tokens, newest first"), ...guarded },
  }),
  createToken: createRoute({
    method: "post",
    path: "/api/tokens",
    operationId: "createToken",
    tags,
    security,
    summary: "Create an API token; the answer holds the secret, the only time it is shown",
    request: body(NewTokenSchema),
    responses: {
      201: json(TokenSchema.extend({ token: z.string() }).openapi("CreatedToken"), "The token and its secret"),
      ...guarded,
      404: missing,
    },
  }),
  revokeToken: createRoute({
    method: "delete",
    path: "/api/tokens/{id}",
    operationId: "revokeToken",
    tags,
    security,
    summary: "Revoke an API token (yours, or anyone's as an admin); it is refused from then on",
    request: { params: TokenParams },
    responses: { 200: json(TokenSchema, "The revoked token"), ...guarded, 404: missing },
  }),
  listUsers: createRoute({
    method: "get",
    path: "/api/users",
    operationId: "listUsers",
    tags,
    security,
    summary: "Every user with their roles and teams (admins and governance)",
    responses: { 200: json(z.object({ items: z.array(UserSchema) }), "The users"), ...guarded },
  }),
  createUser: createRoute({
    method: "post",
    path: "/api/users",
    operationId: "createUser",
    tags,
    security,
    summary: "Create a user or service account (admins)",
    request: body(NewUserSchema),
    responses: { 201: json(UserSchema, "The user"), ...guarded, 409: conflict },
  }),
  getUser: createRoute({
    method: "get",
    path: "/api/users/{id}",
    operationId: "getUser",
    tags,
    security,
    summary: "A user (yourself, or anyone as an admin or governance)",
    request: { params: UserParams },
    responses: { 200: json(UserSchema, "The user"), ...guarded, 404: missing },
  }),
  grantRole: createRoute({
    method: "put",
    path: "/api/users/{id}/roles/{role}",
    operationId: "grantRole",
    tags,
    security,
    summary: "Grant a global role (admins); the grant's period is kept as history",
    request: { params: RoleParams },
    responses: { 200: json(UserSchema, "The user"), ...guarded, 404: missing },
  }),
  revokeRole: createRoute({
    method: "delete",
    path: "/api/users/{id}/roles/{role}",
    operationId: "revokeRole",
    tags,
    security,
    summary: "End a global role grant (admins)",
    request: { params: RoleParams },
    responses: { 200: json(UserSchema, "The user"), ...guarded, 404: missing },
  }),
  listTeams: createRoute({
    method: "get",
    path: "/api/teams",
    operationId: "listTeams",
    tags,
    security,
    summary: "Teams and their current members (granted and declared by products)",
    responses: { 200: json(z.object({ items: z.array(TeamSchema) }), "The teams"), ...guarded },
  }),
  createTeam: createRoute({
    method: "post",
    path: "/api/teams",
    operationId: "createTeam",
    tags,
    security,
    summary: "Create a team (admins)",
    request: body(NewTeamSchema),
    responses: { 201: json(TeamSchema, "The team"), ...guarded, 409: conflict },
  }),
  getTeam: createRoute({
    method: "get",
    path: "/api/teams/{id}",
    operationId: "getTeam",
    tags,
    security,
    summary: "A team and its current members",
    request: { params: TeamParams },
    responses: { 200: json(TeamSchema, "The team"), ...guarded, 404: missing },
  }),
  setMember: createRoute({
    method: "put",
    path: "/api/teams/{id}/members/{user}",
    operationId: "setTeamMember",
    tags,
    security,
    summary: "Make a user an owner or member of the team (its owners, admins)",
    request: { params: MemberParams, ...body(z.object({ role: z.enum(teamRoles) }).strict()) },
    responses: { 200: json(TeamSchema, "The team"), ...guarded, 404: missing },
  }),
  removeMember: createRoute({
    method: "delete",
    path: "/api/teams/{id}/members/{user}",
    operationId: "removeTeamMember",
    tags,
    security,
    summary: "End a user's granted membership (its owners, admins); history is kept",
    request: { params: MemberParams },
    responses: { 200: json(TeamSchema, "The team"), ...guarded, 404: missing },
  }),
};

const who = (c: Context): Principal | undefined => c.get("principal");

/** A path's user reference: an id (`usr_…`) or a username. */
async function userOf(identity: IdentityStore, ref: string): Promise<User> {
  const found = ref.startsWith("usr_")
    ? await identity.users.findUser({ id: ref })
    : await identity.users.findUser({ username: ref });
  return found ?? identity.users.user(ref);
}

/** /api/me, /api/tokens, /api/users and /api/teams. */
export function registerAuthRoutes(app: OpenAPIHono, identity: IdentityStore): void {
  app.use("/api/openapi.json", openApiAccess);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "A Quanta API token (qnt_…) or an OpenID Connect access/ID token of the configured issuer",
  });
  app.openapi(routes.me, (c) => {
    const p = who(c);
    authorize(p, "me.read", undefined);
    return c.json(p as Principal, 200);
  });

  app.openapi(routes.listTokens, async (c) => {
    const p = who(c);
    const q = c.req.valid("query");
    const userId = q.all === "true" ? undefined : (q.userId ?? p?.userId ?? "");
    authorize(p, "token.list", { userId });
    return c.json({ items: await identity.tokens.listTokens(userId) }, 200);
  });
  app.openapi(routes.createToken, async (c) => {
    const p = who(c);
    const b = c.req.valid("json");
    const userId = b.userId ?? p?.userId ?? "";
    authorize(p, "token.create", { userId });
    const { token, record } = await identity.tokens.createToken(
      userId,
      { name: b.name, expiresInDays: b.expiresInDays, scopes: b.scopes },
      p?.name,
    );
    return c.json({ ...record, token }, 201);
  });
  app.openapi(routes.revokeToken, async (c) => {
    const p = who(c);
    authorize(p, "me.read", undefined);
    const token = await identity.tokens.token(c.req.valid("param").id);
    authorize(p, "token.revoke", { userId: token.userId });
    return c.json(await identity.tokens.revokeToken(token.id, p?.name), 200);
  });

  app.openapi(routes.listUsers, async (c) => {
    authorize(who(c), "user.list", undefined);
    return c.json({ items: await identity.users.listUsers() }, 200);
  });
  app.openapi(routes.createUser, async (c) => {
    const p = who(c);
    authorize(p, "user.manage", undefined);
    return c.json(await identity.users.createUser(c.req.valid("json"), p?.name), 201);
  });
  app.openapi(routes.getUser, async (c) => {
    const p = who(c);
    const id = c.req.valid("param").id;
    authorize(p, "user.read", { userId: id });
    return c.json(await identity.users.user(id), 200);
  });
  app.openapi(routes.grantRole, async (c) => {
    const p = who(c);
    authorize(p, "user.manage", undefined);
    const { id, role } = c.req.valid("param");
    return c.json(await identity.users.grantRole(id, role, p?.name), 200);
  });
  app.openapi(routes.revokeRole, async (c) => {
    const p = who(c);
    authorize(p, "user.manage", undefined);
    const { id, role } = c.req.valid("param");
    return c.json(await identity.users.revokeRole(id, role, p?.name), 200);
  });

  app.openapi(routes.listTeams, async (c) => {
    authorize(who(c), "team.list", undefined);
    return c.json({ items: await identity.teams.listTeams() }, 200);
  });
  app.openapi(routes.createTeam, async (c) => {
    const p = who(c);
    authorize(p, "team.create", undefined);
    return c.json(await identity.teams.createTeam(c.req.valid("json"), p?.name), 201);
  });
  app.openapi(routes.getTeam, async (c) => {
    authorize(who(c), "team.list", undefined);
    return c.json(await identity.teams.team(c.req.valid("param").id), 200);
  });
  app.openapi(routes.setMember, async (c) => {
    const p = who(c);
    const { id, user } = c.req.valid("param");
    authorize(p, "team.members", { team: id });
    const u = await userOf(identity, user);
    return c.json(await identity.teams.setTeamMember(id, u.id, c.req.valid("json").role, p?.name), 200);
  });
  app.openapi(routes.removeMember, async (c) => {
    const p = who(c);
    const { id, user } = c.req.valid("param");
    authorize(p, "team.members", { team: id });
    const u = await userOf(identity, user);
    return c.json(await identity.teams.removeTeamMember(id, u.id, p?.name), 200);
  });
}
