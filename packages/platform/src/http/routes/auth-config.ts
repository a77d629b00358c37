import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { OidcConfig } from "../../identity/oidc-verifier.js";

/** What the marketplace asks for when the platform's configuration names none. */
export const defaultOidcScopes = ["openid", "profile", "email"] as const;

const OidcSignInSchema = z
  .object({
    issuer: z.string().openapi({ example: "https://login.example.com/realms/data" }),
    clientId: z.string().openapi({ description: "The marketplace's public client id (no secret)" }),
    scopes: z.array(z.string()).openapi({ example: [...defaultOidcScopes] }),
    bearer: z.enum(["id_token", "access_token"]).openapi({
      description:
        "Which token of the code exchange the platform accepts as a bearer token: the ID token when the audience is the client id, else the access token",
    }),
  })
  .openapi("OidcSignIn");
const AuthConfigSchema = z
  .object({
    oidc: OidcSignInSchema.nullable().openapi({
      description: "How to sign in with OpenID Connect (Authorization Code flow with PKCE); null when not configured",
    }),
  })
  .openapi("AuthConfig");

export type AuthConfig = z.infer<typeof AuthConfigSchema>;

const route = createRoute({
  method: "get",
  path: "/api/auth/config",
  operationId: "authConfig",
  summary: "How the marketplace signs users in (public)",
  responses: {
    200: { description: "The sign-in methods", content: { "application/json": { schema: AuthConfigSchema } } },
  },
});

/** The public sign-in configuration: OIDC is offered only when a client id is configured. */
export function authConfigOf(oidc: OidcConfig | undefined): AuthConfig {
  if (!oidc?.clientId) return { oidc: null };
  return {
    oidc: {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      scopes: [...(oidc.scopes ?? defaultOidcScopes)],
      bearer: oidc.audience === oidc.clientId ? "id_token" : "access_token",
    },
  };
}

export function registerAuthConfig(app: OpenAPIHono, oidc: OidcConfig | undefined): void {
  const body = authConfigOf(oidc);
  app.openapi(route, (c) => c.json(body, 200));
}
