import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ConflictError, InputError, NotAllowedError, NotFoundError, UnavailableError } from "@quanta/core";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { cloudEventJson, toCloudEvent } from "../../events/cloud-event.js";
import { EventFeed, type FeedQuery, type FeedReader, onEventsAppended, readerOf } from "../../events/event-feed.js";
import { checkTypePattern } from "../../events/event-types.js";
import {
  liveStreamCountOf,
  maxLiveStreams,
  maxLiveStreamsPerCaller,
  openLiveStream,
} from "../../events/live-streams.js";
import {
  SubscriptionInputSchema,
  SubscriptionSchema,
  SubscriptionService,
  subscribed,
  subscriptionsOf,
} from "../../events/subscriptions.js";
import type { Authenticator } from "../../identity/authenticator.js";
import { authorize } from "../../identity/authorize.js";
import { hasRole, type Principal } from "../../identity/principal.js";
import type { Database } from "../../storage/database.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

const tags = ["Events"];
const name = z.string().min(1).max(200);
/** Events per page at most. */
export const maxFeedLimit = 500;
const defaultFeedLimit = 100;

export interface EventRoutesOptions {
  /** How often a live stream reads the store when nothing woke it (other replicas' events). */
  pollMs?: number;
  /** How often a quiet live stream writes a heartbeat (keeps proxies from closing it). */
  heartbeatMs?: number;
  /** The longest the feed waits for a stuck writer (event-feed.ts). */
  holdMaxMs?: number;
  /**
   * How often a live stream authenticates its credential again and re-reads the caller's rights
   * (30 s): a revoked token or a lost right ends the stream. Needs `authenticator`.
   */
  recheckMs?: number;
  /** The authentication the requests use (the auth middleware's), for the streams' re-checks. */
  authenticator?: Authenticator;
}

/** The bearer credential of a request, as the auth middleware reads it. */
function credentialOf(c: Context): string | undefined {
  return /^Bearer[ ]+([^\s]+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
}

const sameReader = (a: FeedReader, b: FeedReader) =>
  a.admin === b.admin &&
  a.governance === b.governance &&
  a.userId === b.userId &&
  [...a.teams].sort().join("\n") === [...b.teams].sort().join("\n");

const FeedParams = z
  .object({
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .openapi({ description: "Read after this position (the `position` of the previous page; 0: from the start)" }),
    limit: z.coerce.number().int().min(1).max(maxFeedLimit).optional(),
    type: z.string().min(1).max(2000).optional().openapi({
      description: "Comma-separated type patterns: `incident.*,contract.breaking-change` (CloudEvents spelling too)",
      example: "incident.*",
    }),
    subject: name
      .optional()
      .openapi({ description: "Only events about this subject (a product, contract, agreement)" }),
    team: name.optional().openapi({
      description: "A team's feed: only what is addressed to that team, through its `feed` subscriptions (members)",
    }),
  })
  .strict();

const CloudEventSchema = z
  .object({
    specversion: z.literal("1.0"),
    id: z.string().openapi({ description: "The event's feed position" }),
    source: z.string(),
    type: z.string().openapi({ example: "dev.quanta.incident.opened" }),
    subject: z.string().optional(),
    time: z.string(),
    datacontenttype: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    actor: z.string().optional(),
  })
  .passthrough()
  .openapi("CloudEvent");

const FeedSchema = z
  .object({
    events: z.array(CloudEventSchema),
    position: z.number().int().openapi({ description: "Pass as `after` to read on" }),
    more: z.boolean().openapi({ description: "More events are there already: read again at once" }),
  })
  .openapi("EventFeedPage");

const feedRoute = createRoute({
  method: "get",
  path: "/api/events",
  operationId: "readEvents",
  tags,
  summary: "The event feed from a position: CloudEvents 1.0, oldest first, each once (signed in)",
  description:
    "Each event at most once across pages, none skipped: an event whose transaction commits late is waited for. Shows what the caller may see: admins everything, governance everything but others' private events, everyone else the events addressed to their teams and their own. See docs/events.md.",
  request: { query: FeedParams },
  responses: {
    200: { description: "A page of the feed", content: { "application/json": { schema: FeedSchema } } },
    400: errorContent("A malformed position, limit or type pattern"),
    401: errorContent("Not signed in"),
    403: errorContent("A team feed of a team the caller is not in"),
  },
});

const streamRoute = createRoute({
  method: "get",
  path: "/api/events/stream",
  operationId: "streamEvents",
  tags,
  summary: "The event feed, live: server-sent events, `id:` the position (signed in)",
  description:
    "Starts after `Last-Event-ID` (a reconnecting EventSource sends it) or `after`; each message's data is a CloudEvent (JSON), its `id:` the position. A comment heartbeat when quiet. Same filters and visibility as GET /api/events.",
  request: {
    query: FeedParams.omit({ limit: true }),
    headers: z.object({ "last-event-id": z.string().max(40).optional() }),
  },
  responses: {
    200: { description: "The stream", content: { "text/event-stream": { schema: z.string() } } },
    400: errorContent("A malformed position or type pattern"),
    401: errorContent("Not signed in"),
    403: errorContent("A team feed of a team the caller is not in"),
    503: errorContent("This server streams as many feeds as it may; read GET /api/events instead"),
  },
});

const TeamParams = z.object({ id: name.openapi({ param: { name: "id", in: "path" } }) });
const guarded = {
  400: errorContent("The request is malformed (an unknown event type, product or webhook)"),
  401: errorContent("Not signed in"),
  403: errorContent("Not an owner of the team, nor an admin"),
  404: errorContent("No such team or subscription"),
} as const;

const subList = createRoute({
  method: "get",
  path: "/api/teams/{id}/subscriptions",
  operationId: "listSubscriptions",
  tags,
  summary: "A team's event subscriptions",
  request: { params: TeamParams },
  responses: {
    200: {
      description: "Oldest first",
      content: { "application/json": { schema: z.object({ items: z.array(SubscriptionSchema) }) } },
    },
    ...guarded,
  },
});
const subCreate = createRoute({
  method: "post",
  path: "/api/teams/{id}/subscriptions",
  operationId: "createSubscription",
  tags,
  summary: "Subscribe a team's webhooks (or its feed) to event types: with any, only matching events are sent",
  request: {
    params: TeamParams,
    body: { required: true, content: { "application/json": { schema: SubscriptionInputSchema } } },
  },
  responses: {
    201: { description: "Subscribed", content: { "application/json": { schema: SubscriptionSchema } } },
    ...guarded,
  },
});
const subDelete = createRoute({
  method: "delete",
  path: "/api/teams/{id}/subscriptions/{sub}",
  operationId: "removeSubscription",
  tags,
  summary: "Remove a team's subscription",
  request: {
    params: TeamParams.extend({ sub: name.openapi({ param: { name: "sub", in: "path" } }) }),
  },
  responses: { 204: { description: "Removed" }, ...guarded },
});

/** `incident.*,product.published` → checked bare patterns; 400 with the pattern's own message. */
function typePatterns(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (parts.length === 0) throw new InputError("type names no pattern; use e.g. incident.* or product.published");
  if (parts.length > 20) throw new InputError(`type names ${parts.length} patterns; 20 at most`);
  return [...new Set(parts.map(checkTypePattern))];
}

/** The reader and its filters, from the query: the caller's own view, or one of its teams' feed. */
async function feedQuery(
  db: Database,
  principal: Principal | undefined,
  q: { type?: string | undefined; subject?: string | undefined; team?: string | undefined },
): Promise<{ reader: FeedReader; query: Omit<FeedQuery, "after" | "limit"> }> {
  authorize(principal, "product.observe", { id: "*", ownerTeam: null });
  const p = principal as Principal;
  const types = typePatterns(q.type);
  const base = { types, subject: q.subject };
  if (q.team === undefined) return { reader: readerOf(p), query: base };
  if (!hasRole(p, "admin") && !p.teams.some((m) => m.team === q.team)) {
    throw new NotAllowedError(`only members of team ${q.team} or an admin read its feed`);
  }
  const { rows } = await db.query("SELECT 1 FROM teams WHERE id = $1", [q.team]);
  if (rows.length === 0) throw new NotFoundError(`no team "${q.team}"`);
  const subs = await subscriptionsOf(db, [q.team]);
  return {
    reader: { admin: false, governance: false, userId: null, teams: [q.team] },
    query: { ...base, accept: (e) => subscribed(subs, "feed", e) },
  };
}

function startPosition(c: Context, after: number | undefined): number {
  const header = c.req.header("last-event-id");
  if (header !== undefined && header.trim() !== "") {
    if (!/^\d{1,15}$/.test(header.trim())) {
      throw new InputError("Last-Event-ID must be a feed position (a whole number), as the stream sent it");
    }
    return Number(header.trim());
  }
  return after ?? 0;
}

/** The CloudEvents feed, its live stream and team subscriptions (issue 17, ADR 0037). */
export function registerEvents(app: OpenAPIHono, db: Database, options: EventRoutesOptions = {}): void {
  const feed = new EventFeed(db, options.holdMaxMs === undefined ? {} : { holdMaxMs: options.holdMaxMs });
  const pollMs = options.pollMs ?? 1_000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const recheckMs = options.recheckMs ?? 30_000;
  const subscriptions = new SubscriptionService(db);

  app.openapi(feedRoute, async (c) => {
    const q = c.req.valid("query");
    const { reader, query } = await feedQuery(db, principalOf(c), q);
    const page = await feed.read(reader, { ...query, after: q.after ?? 0, limit: q.limit ?? defaultFeedLimit });
    return c.json(
      {
        events: page.events.map((e) => cloudEventJson(toCloudEvent(e)) as z.infer<typeof CloudEventSchema>),
        position: page.position,
        more: page.more,
      },
      200,
    );
  });

  app.openapi(streamRoute, (async (c: Context) => {
    const q = (c.req as unknown as { valid(t: "query"): z.infer<typeof FeedParams> }).valid("query");
    const principal = principalOf(c);
    const first = await feedQuery(db, principal, q);
    let { query } = first;
    let position = startPosition(c, q.after);
    const caller = principal?.userId;
    if (caller !== undefined && liveStreamCountOf(caller) >= maxLiveStreamsPerCaller) {
      // The caller's own doing, not the server's: a 4xx (Quanta has no 429), never a slot taken.
      throw new ConflictError(
        `you have ${maxLiveStreamsPerCaller} live event streams open already; close one, or read GET /api/events?after=${position}`,
        { code: "too-many-streams" },
      );
    }
    const live = openLiveStream(caller);
    if (!live) {
      throw new UnavailableError(
        `this server streams ${maxLiveStreams} feeds already; read GET /api/events?after=${position} instead`,
      );
    }
    const credential = credentialOf(c);
    const authenticator = options.authenticator;
    let checkedAt = Date.now();
    /** Still the same caller with the same rights? Re-authenticated, as a new request would be. */
    const stillAllowed = async (): Promise<boolean> => {
      if (!authenticator || credential === undefined) return true;
      try {
        const again = await feedQuery(db, await authenticator.authenticate(credential), q);
        if (!sameReader(again.reader, first.reader)) return false;
        query = again.query; // a team's subscriptions may have changed
        return true;
      } catch {
        return false;
      }
    };
    return streamSSE(c, async (stream) => {
      const { signal } = live;
      stream.onAbort(() => live.abort());
      let wake: (() => void) | undefined;
      const stopListening = onEventsAppended(() => wake?.());
      signal.addEventListener("abort", () => wake?.(), { once: true });
      let quietSince = Date.now();
      try {
        // Tells the client how soon to reconnect if the connection drops.
        await stream.write(`retry: ${Math.max(pollMs, 1_000)}\n\n`);
        while (!signal.aborted) {
          if (Date.now() - checkedAt >= recheckMs) {
            // Rights lost or credential refused: end the stream; a reconnect asks again.
            if (!(await stillAllowed())) {
              await stream.write(": the caller's access changed or ended; reconnect to go on\n\n");
              break;
            }
            checkedAt = Date.now();
          }
          const page = await feed.read(first.reader, { ...query, after: position, limit: 100 });
          for (const e of page.events) {
            if (signal.aborted) break;
            await stream.writeSSE({ id: String(e.id), data: JSON.stringify(cloudEventJson(toCloudEvent(e))) });
            quietSince = Date.now();
          }
          if (signal.aborted) break;
          const moved = page.position !== position;
          position = page.position;
          if (page.more) continue;
          if (Date.now() - quietSince >= heartbeatMs) {
            // A comment keeps the connection open; the bare `id:` moves the client past hidden events.
            await stream.write(`: heartbeat\n${moved ? `id: ${position}\n` : ""}\n`);
            quietSince = Date.now();
          }
          await new Promise<void>((resolve) => {
            const t = setTimeout(done, Math.min(pollMs, heartbeatMs));
            function done() {
              clearTimeout(t);
              wake = undefined;
              resolve();
            }
            wake = done;
          });
        }
      } finally {
        stopListening();
        live.abort();
      }
    });
    // biome-ignore lint/suspicious/noExplicitAny: a streamed response is outside the route's JSON types
  }) as any);

  app.openapi(subList, async (c) => {
    const { id } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team: id });
    return c.json({ items: await subscriptions.list(id) }, 200);
  });
  app.openapi(subCreate, async (c) => {
    const { id } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team: id });
    return c.json(await subscriptions.create(id, c.req.valid("json"), principalOf(c)?.name), 201);
  });
  app.openapi(subDelete, async (c) => {
    const { id, sub } = c.req.valid("param");
    authorize(principalOf(c), "webhook.manage", { team: id });
    await subscriptions.remove(id, sub, principalOf(c)?.name);
    return c.body(null, 204);
  });
}
