import { createHmac, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { z } from "@hono/zod-openapi";
import { InputError, NotFoundError } from "@quanta/core";
import { bareType } from "../events/cloud-event.js";
import { publishEvent } from "../events/publish-event.js";
import type { Job } from "../jobs/job-queue.js";
import { markNotified } from "../observability/incident-timeline.js";
import type { Queryable } from "../storage/database.js";
import { WebhookAddressPolicy } from "./webhook-address.js";
import type { RegisteredWebhookSchema, WebhookSchema } from "./webhook-schema.js";

/** How long a receiver has to answer a delivery before it counts as failed (and is retried). */
export const webhookTimeoutMs = 10_000;

export {
  queueDeliveries,
  webhookAttempts,
  webhookDeliveryConcurrency,
  webhookDeliveryKind,
} from "./queue-deliveries.js";

export type Webhook = z.infer<typeof WebhookSchema>;
/** A webhook as registered: with the signing secret, which is shown this once. */
export type RegisteredWebhook = z.infer<typeof RegisteredWebhookSchema>;

export interface WebhookEvent {
  type: string;
  [key: string]: unknown;
}

const columns = `id, team_id AS "teamId", url, created_by AS "createdBy", created_at AS "createdAt"`;

const publicOnly = new WebhookAddressPolicy();

/**
 * Only http(s) URLs with a host the policy lets webhooks reach (public addresses by default);
 * credentials in the URL are refused (they would be logged and stored).
 */
export function checkWebhookUrl(text: string, addresses: WebhookAddressPolicy = publicOnly): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`webhook url "${text.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InputError(`webhook url must be http or https, not ${url.protocol.replace(":", "")}`);
  }
  if (url.username || url.password) throw new InputError("webhook url must not carry credentials");
  addresses.checkUrl(url, text);
  return url.toString();
}

/** Team webhooks: registered URLs that receive the events about the team's agreements and products. */
export class WebhookService {
  constructor(
    private readonly q: Queryable,
    private readonly addresses: WebhookAddressPolicy = publicOnly,
  ) {}

  async register(teamId: string, url: string, actor: string | undefined): Promise<RegisteredWebhook> {
    const checked = checkWebhookUrl(url, this.addresses);
    const { rows: team } = await this.q.query("SELECT 1 FROM teams WHERE id = $1", [teamId]);
    if (team.length === 0) throw new NotFoundError(`no team "${teamId}"`);
    // Standard Webhooks' secret format: "whsec_" and base64 of the key (24 random bytes).
    const secret = `whsec_${randomBytes(24).toString("base64")}`;
    const id = `whk_${randomBytes(9).toString("base64url")}`;
    // Told before it exists: the team's other webhooks hear of a new one, the new one does not.
    // Its host only: a webhook's path or query can be its credential (Slack-style URLs), and the
    // event reaches every member of the team, governance and the team's other webhooks.
    await publishEvent(
      this.q,
      { type: "webhook.registered", subject: teamId, actor, payload: { id, host: new URL(checked).hostname } },
      { teams: [teamId] },
    );
    const { rows } = await this.q.query<Webhook>(
      `INSERT INTO webhooks (id, team_id, url, created_by, secret) VALUES ($1, $2, $3, $4, $5) RETURNING ${columns}`,
      [id, teamId, checked, actor ?? null, secret],
    );
    return { ...(rows[0] as Webhook), secret };
  }

  async list(teamId: string): Promise<Webhook[]> {
    const { rows } = await this.q.query<Webhook>(
      `SELECT ${columns} FROM webhooks WHERE team_id = $1 AND removed_at IS NULL ORDER BY created_at, id`,
      [teamId],
    );
    return rows;
  }

  async remove(teamId: string, id: string, actor: string | undefined): Promise<void> {
    const { rows } = await this.q.query<{ url: string }>(
      "UPDATE webhooks SET removed_at = now() WHERE id = $1 AND team_id = $2 AND removed_at IS NULL RETURNING url",
      [id, teamId],
    );
    if (rows.length === 0) throw new NotFoundError(`team ${teamId} has no webhook "${id}"`);
    await publishEvent(
      this.q,
      {
        type: "webhook.removed",
        subject: teamId,
        actor,
        payload: { id, host: new URL((rows[0] as { url: string }).url).hostname },
      },
      { teams: [teamId] },
    );
  }
}

/**
 * The Standard Webhooks signature of a delivery (standardwebhooks.com): HMAC-SHA256, keyed with the
 * secret's base64 part, over `id.timestamp.body`, as `v1,<base64>`.
 */
export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/**
 * POSTs `body` and answers the status. The host is checked again here (the policy or DNS may have
 * changed since registration): an address literal directly, a name through the policy's lookup,
 * whose checked address is the one connected to. Redirects are not followed.
 */
function post(
  target: string,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
  addresses: WebhookAddressPolicy,
): Promise<number> {
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const refused = isIP(host) ? addresses.refusal(host) : undefined;
  if (refused) return Promise.reject(new Error(`webhook url ${target} points at ${refused}; not delivered`));
  return new Promise((resolve, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: addresses.lookup,
        agent: false,
        signal,
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export interface DeliveryOptions {
  /** How long a receiver has to answer (default 10 s): a hanging one fails the attempt, to be retried. */
  timeoutMs?: number;
  /** Problems that do not fail a delivery (recording an incident's notification). */
  log?: (line: string) => void;
}

/**
 * The job handler: POSTs the event as a structured-mode CloudEvent (`application/cloudevents+json`),
 * signed with the webhook's secret (read now, so a webhook removed meanwhile gets nothing); anything
 * but a 2xx throws, so the queue retries it with backoff. A delivery runs in its own job kind, so
 * a slow receiver holds up nothing but its own retries. The first 2xx of an `incident.*` event
 * records when its owners were notified.
 */
export function webhookDelivery(
  q: Queryable,
  addresses: WebhookAddressPolicy = publicOnly,
  options: DeliveryOptions = {},
): (job: Job, signal: AbortSignal) => Promise<{ status: number }> {
  return async (job, signal) => {
    const payload = job.payload as {
      url?: string;
      webhookId?: string;
      cloudEvent?: { type: string; data?: Record<string, unknown> };
      /** Deliveries queued before CloudEvents (plain JSON bodies). */
      event?: WebhookEvent;
    };
    const sent = payload.cloudEvent ?? payload.event;
    if (!payload.url || !sent) throw new Error("webhook job without url or event");
    const { rows } = await q.query<{ secret: string | null }>(
      "SELECT secret FROM webhooks WHERE id = $1 AND removed_at IS NULL",
      [payload.webhookId ?? ""],
    );
    const hook = rows[0];
    if (!hook) return { status: 0 }; // removed: nothing to deliver to
    const body = JSON.stringify(sent);
    const type = bareType(sent.type);
    // One id per delivery, the same on every retry, so receivers can drop duplicates.
    const id = `msg_${job.id}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "content-type": payload.cloudEvent ? "application/cloudevents+json; charset=utf-8" : "application/json",
      "user-agent": "Quanta-Webhook/1",
      "x-quanta-event": type,
      "x-quanta-delivery": String(job.id),
      "webhook-id": id,
      "webhook-timestamp": String(timestamp),
      ...(hook.secret ? { "webhook-signature": webhookSignature(hook.secret, id, timestamp, body) } : {}),
    };
    const status = await post(
      payload.url,
      headers,
      body,
      AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? webhookTimeoutMs)]),
      addresses,
    );
    if (status < 200 || status >= 300) {
      const redirect = status >= 300 && status < 400 ? ", a redirect (not followed)" : "";
      throw new Error(
        `webhook ${payload.webhookId} answered ${status}${redirect} (attempt ${job.attempts} of ${job.maxAttempts})`,
      );
    }
    const incidentId = payload.cloudEvent?.data?.incidentId;
    if (type.startsWith("incident.") && incidentId !== undefined && incidentId !== null) {
      // Delivered: the owners know now. A failure here must not deliver the event again.
      await markNotified(q, Number(incidentId), new Date()).catch((e: unknown) =>
        options.log?.(`incident ${incidentId} notified, but not recorded: ${(e as Error)?.message ?? e}`),
      );
    }
    return { status };
  };
}
