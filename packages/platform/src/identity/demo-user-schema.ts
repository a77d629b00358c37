import { z } from "@hono/zod-openapi";

/** A demo user as the marketplace's "sign in as" lists them (`DIR/demo-tokens.json` without the token). */
export const DemoUserSchema = z
  .object({
    username: z.string(),
    role: z.enum(["admin", "governance", "owner", "consumer"]),
    team: z.string().nullable(),
  })
  .openapi("DemoUser");
