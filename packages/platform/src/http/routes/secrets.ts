import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { authorize } from "../../identity/authorize.js";
import { anyEnvironment, type SecretStore, secretRules } from "../../secrets/secret-store.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const guarded = {
  401: errorContent("No credential, or one that does not hold"),
  403: errorContent("Signed in, but not an admin"),
} as const;
const tags = ["Secrets"];

export const SecretSchema = z
  .object({
    environment: z.string().openapi({ example: "prod" }),
    name: z.string().openapi({ example: "DB_PASSWORD" }),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .openapi("Secret", { description: "A secret's place and last change; its value is never answered" });

// The rules are checked by the store (one place, with messages naming what is wrong); the
// patterns here document them.
const Params = z.object({
  environment: z.string().openapi({
    param: { name: "environment", in: "path" },
    pattern: secretRules.environment.source,
    description: `The server environment the secret is for (a contract server's \`environment\`); \`${anyEnvironment}\`: every environment`,
    example: "prod",
  }),
  name: z.string().openapi({
    param: { name: "name", in: "path" },
    pattern: secretRules.name.source,
    description: "The name a contract's server references as `${NAME}`",
    example: "DB_PASSWORD",
  }),
});

const listRoute = createRoute({
  method: "get",
  path: "/api/secrets",
  operationId: "listSecrets",
  tags,
  summary: "Every secret's environment, name and last change (never a value)",
  responses: { 200: json(z.object({ items: z.array(SecretSchema) }), "By environment, then name"), ...guarded },
});

const setRoute = createRoute({
  method: "put",
  path: "/api/secrets/{environment}/{name}",
  operationId: "setSecret",
  tags,
  summary: "Store a secret for one environment (or `any`), replacing its value when it exists",
  description: `Encrypted at rest (AES-256-GCM). \${NAME} in a server of that environment resolves to it; then a secret of \`${anyEnvironment}\`; then the platform's \`QUANTA_VAR_NAME\`. The value is at most 64 KiB, not empty, without NUL characters; it is never answered, logged or audited. 422 on PostgreSQL without \`QUANTA_SECRETS_KEY\`.`,
  request: {
    params: Params,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object({ value: z.string().openapi({ format: "password", description: "The secret (UTF-8, ≤ 64 KiB)" }) })
            .strict(),
        },
      },
    },
  },
  responses: {
    201: json(SecretSchema, "Stored"),
    200: json(SecretSchema, "Replaced"),
    400: errorContent("A bad environment, name or value (the message says which rule; never the value)"),
    ...guarded,
    422: errorContent("This platform has no key to encrypt with (PostgreSQL without QUANTA_SECRETS_KEY)"),
  },
});

const deleteRoute = createRoute({
  method: "delete",
  path: "/api/secrets/{environment}/{name}",
  operationId: "deleteSecret",
  tags,
  summary: "Delete a secret",
  request: { params: Params },
  responses: {
    204: { description: "Deleted" },
    400: errorContent("A bad environment or name"),
    ...guarded,
    404: errorContent("No such secret in that environment"),
  },
});

/** The platform's secrets (ADR 0026), for admins only. */
export function registerSecrets(app: OpenAPIHono, secrets: SecretStore): void {
  // Before the routes' own validation: callers who may not manage secrets learn nothing, not even
  // that a name is malformed.
  for (const path of ["/api/secrets", "/api/secrets/*"]) {
    app.use(path, async (c, next) => {
      authorize(principalOf(c), "secret.manage", undefined);
      await next();
    });
  }
  app.openapi(listRoute, async (c) => c.json({ items: await secrets.list() }, 200));
  app.openapi(setRoute, async (c) => {
    const { environment, name } = c.req.valid("param");
    const { secret, created } = await secrets.set(environment, name, c.req.valid("json").value, principalOf(c)?.name);
    return c.json(secret, created ? 201 : 200);
  });
  app.openapi(deleteRoute, async (c) => {
    const { environment, name } = c.req.valid("param");
    await secrets.delete(environment, name, principalOf(c)?.name);
    return c.body(null, 204);
  });
}
