import { randomBytes } from "node:crypto";
import { z } from "@hono/zod-openapi";
import { InputError, NotFoundError } from "@quanta/core";
import type { Queryable } from "../storage/database.js";
import { checkTypePattern } from "./event-types.js";
import { publishEvent } from "./publish-event.js";
import { subscriptionColumns as columns, subscriptionsOf } from "./subscription-match.js";

export { productOf, subscribed, subscriptionMatches, subscriptionsOf } from "./subscription-match.js";

/** A team's subscriptions, at most: each one is matched against every event addressed to the team. */
export const maxSubscriptionsPerTeam = 50;
const maxPatterns = 20;
const maxProducts = 100;

export const subscriptionTargets = ["webhooks", "webhook", "feed"] as const;

export const SubscriptionSchema = z
  .object({
    id: z.string(),
    teamId: z.string(),
    types: z.array(z.string()).openapi({ description: "Bare event types or patterns: `incident.*`, `*`" }),
    products: z.array(z.string()).openapi({ description: "Only events about these products (empty: any)" }),
    target: z.enum(subscriptionTargets).openapi({
      description:
        "`webhooks`: every webhook of the team; `webhook`: the one named by webhookId; `feed`: the team's feed (GET /api/events?team=)",
    }),
    webhookId: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("EventSubscription");
export type Subscription = z.infer<typeof SubscriptionSchema>;

const name = z.string().min(1).max(200);
export const SubscriptionInputSchema = z
  .object({
    types: z
      .array(name)
      .min(1)
      .max(maxPatterns)
      .openapi({ example: ["incident.*", "contract.breaking-change"] }),
    products: z.array(name).max(maxProducts).optional(),
    webhookId: name.optional().openapi({ description: "Only this webhook of the team (default: all of them)" }),
    target: z.enum(["webhooks", "feed"]).optional().openapi({
      description: "`feed` subscribes the team's feed instead of its webhooks (default `webhooks`)",
    }),
  })
  .strict()
  .openapi("EventSubscriptionInput");
export type SubscriptionInput = z.infer<typeof SubscriptionInputSchema>;

/** Team subscriptions to events: which of the events addressed to a team its webhooks (or its feed) get. */
export class SubscriptionService {
  constructor(private readonly q: Queryable) {}

  private async team(teamId: string): Promise<void> {
    const { rows } = await this.q.query("SELECT 1 FROM teams WHERE id = $1", [teamId]);
    if (rows.length === 0) throw new NotFoundError(`no team "${teamId}"`);
  }

  async list(teamId: string): Promise<Subscription[]> {
    await this.team(teamId);
    return subscriptionsOf(this.q, [teamId]);
  }

  async create(teamId: string, input: SubscriptionInput, actor: string | undefined): Promise<Subscription> {
    await this.team(teamId);
    const types = [...new Set(input.types.map(checkTypePattern))];
    const products = [...new Set(input.products ?? [])];
    if (products.length > 0) {
      const { rows } = await this.q.query<{ id: string }>("SELECT id FROM data_products WHERE id = ANY($1::text[])", [
        products,
      ]);
      const missing = products.filter((p) => !rows.some((r) => r.id === p));
      if (missing.length > 0) throw new InputError(`no product ${missing.map((m) => `"${m}"`).join(", ")}`);
    }
    if (input.webhookId !== undefined) {
      if (input.target === "feed") throw new InputError("a feed subscription names no webhook; drop webhookId");
      const { rows } = await this.q.query(
        "SELECT 1 FROM webhooks WHERE id = $1 AND team_id = $2 AND removed_at IS NULL",
        [input.webhookId, teamId],
      );
      if (rows.length === 0) throw new InputError(`team ${teamId} has no webhook "${input.webhookId}"`);
    }
    const { rows: count } = await this.q.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM event_subscriptions WHERE team_id = $1",
      [teamId],
    );
    if ((count[0]?.n ?? 0) >= maxSubscriptionsPerTeam) {
      throw new InputError(
        `team ${teamId} has ${maxSubscriptionsPerTeam} subscriptions, the most a team may have; remove one or widen a pattern`,
      );
    }
    const target = input.target === "feed" ? "feed" : input.webhookId ? "webhook" : "webhooks";
    const { rows } = await this.q.query<Subscription>(
      `INSERT INTO event_subscriptions (id, team_id, types, products, webhook_id, target, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
      [
        `sub_${randomBytes(9).toString("base64url")}`,
        teamId,
        types,
        products,
        input.webhookId ?? null,
        target,
        actor ?? null,
      ],
    );
    const sub = rows[0] as Subscription;
    await publishEvent(
      this.q,
      {
        type: "subscription.created",
        subject: teamId,
        actor,
        payload: { id: sub.id, types, products, target, webhookId: sub.webhookId },
      },
      { teams: [teamId] },
    );
    return sub;
  }

  async remove(teamId: string, id: string, actor: string | undefined): Promise<void> {
    await this.team(teamId);
    const { rowCount } = await this.q.query("DELETE FROM event_subscriptions WHERE id = $1 AND team_id = $2", [
      id,
      teamId,
    ]);
    if (rowCount === 0) throw new NotFoundError(`team ${teamId} has no subscription "${id}"`);
    await publishEvent(
      this.q,
      { type: "subscription.removed", subject: teamId, actor, payload: { id } },
      { teams: [teamId] },
    );
  }
}
