import { z } from "@hono/zod-openapi";

/** `GET /api/products/{id}/ports/{port}/snippets`: code that reads a port. */
export const SnippetsSchema = z
  .object({
    productId: z.string(),
    port: z.string(),
    baseUrl: z.string().openapi({ description: "The address the code calls: this server as the caller reached it" }),
    snippets: z.array(
      z.object({
        language: z.enum(["curl", "python", "typescript", "duckdb", "sql", "psql"]),
        label: z.string(),
        code: z.string(),
        note: z
          .string()
          .openapi({ description: "What the code needs before it runs: a token in $QUANTA_TOKEN, a password" }),
      }),
    ),
  })
  .openapi("ConsumerSnippets");
