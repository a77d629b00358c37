import type { Queryable } from "../storage/database.js";
import { typeMatches } from "./event-types.js";

/** A subscription as stored (subscriptions.ts has its schema, for the API). */
export interface Subscription {
  id: string;
  teamId: string;
  types: string[];
  products: string[];
  target: "webhooks" | "webhook" | "feed";
  webhookId: string | null;
  createdBy: string | null;
  createdAt: string;
}

export const subscriptionColumns = `id, team_id AS "teamId", types, products, target, webhook_id AS "webhookId",
  created_by AS "createdBy", created_at AS "createdAt"`;

/** The product an event is about, for a subscription that names products. */
export function productOf(e: { subject: string; payload: Record<string, unknown> }): string {
  const p = e.payload ?? {};
  const agreement = p.agreement as { productId?: unknown } | undefined;
  if (typeof p.productId === "string") return p.productId;
  if (typeof agreement?.productId === "string") return agreement.productId;
  return e.subject;
}

export function subscriptionMatches(
  s: Pick<Subscription, "types" | "products">,
  e: { type: string; subject: string; payload: Record<string, unknown> },
): boolean {
  if (!s.types.some((t) => typeMatches(t, e.type))) return false;
  return s.products.length === 0 || s.products.includes(productOf(e));
}

/**
 * Whether a team's deliveries of kind `target` (a webhook, or the feed) take the event: with no
 * subscription for it, everything addressed to the team does; with some, the event must match one.
 */
export function subscribed(
  subs: readonly Subscription[],
  target: { webhookId: string } | "feed",
  e: { type: string; subject: string; payload: Record<string, unknown> },
): boolean {
  const applicable = subs.filter((s) =>
    target === "feed" ? s.target === "feed" : s.target === "webhooks" || s.webhookId === target.webhookId,
  );
  return applicable.length === 0 || applicable.some((s) => subscriptionMatches(s, e));
}

export async function subscriptionsOf(q: Queryable, teams: readonly string[]): Promise<Subscription[]> {
  if (teams.length === 0) return [];
  const { rows } = await q.query<Subscription>(
    `SELECT ${subscriptionColumns} FROM event_subscriptions WHERE team_id = ANY($1::text[]) ORDER BY created_at, id`,
    [teams],
  );
  return rows;
}
