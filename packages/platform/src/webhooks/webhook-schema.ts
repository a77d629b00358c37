import { z } from "@hono/zod-openapi";

export const WebhookSchema = z
  .object({
    id: z.string(),
    teamId: z.string(),
    url: z.string(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Webhook");

/** A webhook as registered: with the signing secret, which is shown this once. */
export const RegisteredWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description:
      "The signing secret (`whsec_…`), shown only in this response: deliveries carry a Standard Webhooks `webhook-signature` made with it",
  }),
}).openapi("RegisteredWebhook");
