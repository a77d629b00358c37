import { z } from "@hono/zod-openapi";
import { tokenScopes } from "./principal.js";

export const TokenSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    username: z.string(),
    name: z.string(),
    hint: z.string().openapi({ description: "The token's first characters; the secret is shown only at creation" }),
    scopes: z.array(z.enum(tokenScopes)).nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .openapi("ApiToken");
