import { z } from "@hono/zod-openapi";

/** Where and as whom a consumer team reads an agreement's data straight from the store. */
export const AgreementConnectionSchema = z
  .object({
    agreementId: z.string(),
    engine: z.string().openapi({ example: "postgres" }),
    host: z.string(),
    port: z.number().int(),
    database: z.string(),
    role: z.string().openapi({ description: "The agreement's own database role: log in as it" }),
    password: z.string().optional().openapi({
      description:
        "The role's password, shown only in the answer that issued it (the first fetch, or a POST for a new one); the platform keeps no copy",
    }),
    passwordIssuedAt: z.string().nullable(),
    views: z.array(z.object({ dataset: z.string(), view: z.string() })).openapi({
      description: "Per dataset, the view the role may SELECT from: masked and filtered as consume serves it",
    }),
  })
  .openapi("AgreementConnection");
export type AgreementConnection = z.infer<typeof AgreementConnectionSchema>;
