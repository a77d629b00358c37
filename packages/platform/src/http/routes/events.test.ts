import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventTypes } from "../../events/event-types.js";
import { closeLiveStreams, liveStreamCount } from "../../events/live-streams.js";
import { publishEvent } from "../../events/publish-event.js";
import { testIdentity } from "../../identity/identity-fixtures.js";
import { IdentityStore } from "../../identity/identity-store.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { webhookDeliveryKind } from "../../webhooks/webhook-service.js";
import { createApp } from "../create-app.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

let db: Database;
let app: OpenAPIHono;
const errors: unknown[] = [];
let admin: Record<string, string>;
let governance: Record<string, string>;
let salesOwner: Record<string, string>;
let salesMember: Record<string, string>;
let analyst: Record<string, string>;
let start = 0;

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const identity = new IdentityStore(db);
  app = createApp({
    registry: new Registry(db),
    identity,
    logError: (e) => errors.push(e),
    webhookAllowedNetworks: ["127.0.0.0/8"],
    events: { pollMs: 50, heartbeatMs: 300 },
  });
  admin = (await testIdentity(identity, { username: "root@example.com", roles: ["admin"] })).headers;
  governance = (await testIdentity(identity, { username: "gov@example.com", roles: ["governance"] })).headers;
  salesOwner = (
    await testIdentity(identity, { username: "ana@example.com", teams: [{ team: "sales", role: "owner" }] })
  ).headers;
  salesMember = (
    await testIdentity(identity, { username: "sam@example.com", teams: [{ team: "sales", role: "member" }] })
  ).headers;
  analyst = (
    await testIdentity(identity, { username: "bob@example.com", teams: [{ team: "analytics", role: "owner" }] })
  ).headers;
  const { rows } = await db.query<{ id: string }>("SELECT max(id) AS id FROM events");
  start = Number(rows[0]?.id ?? 0);
  await publishEvent(db, { type: "incident.opened", subject: "shop.orders", payload: { n: 1 } }, { teams: ["sales"] });
  await publishEvent(
    db,
    { type: "product.published", subject: "shop.orders", payload: { n: 2 } },
    { teams: ["sales"] },
  );
  await publishEvent(db, { type: "incident.opened", subject: "bi.board", payload: { n: 3 } }, { teams: ["analytics"] });
}, 60_000);
afterAll(async () => {
  closeLiveStreams();
  await db?.close();
  expect(errors).toEqual([]);
});

async function get(path: string, headers: Record<string, string> = admin) {
  const res = await app.request(path, { headers });
  return { status: res.status, body: (await res.json()) as Json };
}
async function send(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}

describe("GET /api/events", () => {
  it("serves CloudEvents 1.0 from a position, the caller's only", async () => {
    const all = await get(`/api/events?after=${start}`);
    expect(all.status).toBe(200);
    expect(all.body.events.map((e: Json) => e.data.n)).toEqual([1, 2, 3]);
    expect(all.body.events[0]).toMatchObject({
      specversion: "1.0",
      type: "dev.quanta.incident.opened",
      source: "/quanta",
      subject: "shop.orders",
      datacontenttype: "application/json",
    });
    expect(all.body).toMatchObject({ more: false, position: Number(all.body.events[2].id) });
    // A team member sees their team's events; another team's are not theirs.
    const sales = await get(`/api/events?after=${start}`, salesMember);
    expect(sales.body.events.map((e: Json) => e.data.n)).toEqual([1, 2]);
    const bi = await get(`/api/events?after=${start}`, analyst);
    expect(bi.body.events.map((e: Json) => e.data.n)).toEqual([3]);
    // Someone else's private events (their token, their roles) are not governance's to see.
    const govSees = await get(`/api/events?type=token.*,user.*`, governance);
    const rootSees = await get(`/api/events?type=token.*,user.*`, admin);
    expect(rootSees.body.events.length).toBeGreaterThan(govSees.body.events.length);
    const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE username = 'gov@example.com'");
    expect(govSees.body.events.every((e: Json) => e.subject === rows[0]?.id)).toBe(true);
  });

  it("filters by type pattern (either spelling) and subject, and pages with limit", async () => {
    const incidents = await get(`/api/events?after=${start}&type=dev.quanta.incident.*`);
    expect(incidents.body.events.map((e: Json) => e.data.n)).toEqual([1, 3]);
    const bySubject = await get(`/api/events?after=${start}&subject=bi.board`);
    expect(bySubject.body.events.map((e: Json) => e.data.n)).toEqual([3]);
    const first = await get(`/api/events?after=${start}&limit=2`);
    expect(first.body.events).toHaveLength(2);
    expect(first.body.more).toBe(true);
    const rest = await get(`/api/events?after=${first.body.position}&limit=2`);
    expect(rest.body.events.map((e: Json) => e.data.n)).toEqual([3]);
    expect(rest.body.more).toBe(false);
  });

  it("refuses malformed and hostile input with 4xx and a precise message", async () => {
    expect((await get("/api/events", {})).status).toBe(401);
    const cases: [string, number, RegExp][] = [
      ["after=-1", 400, /after/],
      ["after=abc", 400, /after/],
      ["after=1e400", 400, /after/],
      ["limit=0", 400, /limit/],
      ["limit=100000", 400, /limit/],
      ["type=incident.nope", 400, /no event type matches "incident.nope"; did you mean one of incident\.opened/],
      ["type=%27%3B%20DROP%20TABLE%20events%3B--", 400, /is not valid: use a type/],
      ["type=,,", 400, /names no pattern/],
      [`type=${"a.".repeat(1100)}`, 400, /type/],
      [`subject=${"x".repeat(300)}`, 400, /subject/],
      ["surprise=1", 400, /surprise|unrecognized/i],
      ["team=analytics", 403, /only members of team analytics/],
    ];
    for (const [query, status, message] of cases) {
      const res = await get(`/api/events?${query}`, salesMember);
      expect(res.status, query).toBe(status);
      expect(res.body.error.message, query).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+|stack/);
    }
    expect((await get("/api/events?team=nosuch")).status).toBe(404);
  });
});

const messages = (text: string) =>
  text
    .split("\n\n")
    .filter((m) => m.includes("data: "))
    .map((m) => ({
      id: /^id: (.*)$/m.exec(m)?.[1],
      event: JSON.parse(
        m
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n"),
      ) as Json,
    }));

describe("GET /api/events/stream", () => {
  it("streams from Last-Event-ID, then live, with heartbeats; ends when the client goes", async () => {
    const all = await get(`/api/events?after=${start}`);
    const firstId = all.body.events[0].id as string;
    const client = new AbortController();
    const res = await app.request("/api/events/stream?type=incident.*", {
      headers: { ...admin, "last-event-id": firstId },
      signal: client.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(liveStreamCount()).toBe(1);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (ok: (t: string) => boolean) => {
      const end = Date.now() + 10_000;
      while (!ok(text)) {
        if (Date.now() > end) throw new Error(`stream did not say it; got ${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended; got ${text}`);
        text += decoder.decode(value);
      }
    };
    // After the first event: only the second incident (the product.published is not an incident).
    await readUntil((t) => messages(t).length >= 1);
    expect(messages(text).map((m) => m.event.data.n)).toEqual([3]);
    expect(messages(text)[0]?.id).toBe(messages(text)[0]?.event.id);
    // Live: an event published now arrives without a new request.
    const live = await publishEvent(db, { type: "incident.resolved", subject: "bi.board", payload: { n: 4 } }, {});
    await readUntil((t) => messages(t).length >= 2);
    expect(messages(text)[1]).toMatchObject({ id: String(live.id), event: { type: "dev.quanta.incident.resolved" } });
    await readUntil((t) => t.includes(": heartbeat"));
    expect(text).toMatch(/^retry: \d+/);
    client.abort();
    await reader.cancel().catch(() => {});
    const end = Date.now() + 5_000;
    while (liveStreamCount() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(liveStreamCount()).toBe(0);
  });

  it("starts after ?after=, refuses a bad Last-Event-ID, and ends every stream when the server stops", async () => {
    const bad = await app.request("/api/events/stream", { headers: { ...admin, "last-event-id": "12; DROP" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/Last-Event-ID must be a feed position/);
    expect((await app.request("/api/events/stream")).status).toBe(401);
    expect((await app.request("/api/events/stream?type=nope.x", { headers: admin })).status).toBe(400);

    const all = await get(`/api/events?after=${start}`, salesMember);
    const res = await app.request(`/api/events/stream?after=${all.body.events[0].id}`, { headers: salesMember });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("data: ")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    // The member sees the sales events after the first one, not analytics' events.
    expect(messages(text).map((m) => m.event.data.n)).toEqual([2]);
    // Shutdown: the stream ends by itself, the client reads the end.
    closeLiveStreams();
    const end = Date.now() + 5_000;
    let ended = false;
    while (!ended && Date.now() < end) {
      const { done } = await reader.read();
      ended = done;
    }
    expect(ended).toBe(true);
    expect(liveStreamCount()).toBe(0);
  });
});

describe("team subscriptions", () => {
  it("owners and admins manage them; others get 403, strangers 401", async () => {
    const path = "/api/teams/sales/subscriptions";
    expect((await send("GET", path, {})).status).toBe(401);
    expect((await send("GET", path, analyst)).status).toBe(403);
    expect((await send("POST", path, salesMember, { types: ["incident.*"] })).status).toBe(403);
    const made = await send("POST", path, salesOwner, { types: ["incident.*", "dev.quanta.contract.breaking-change"] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      teamId: "sales",
      types: ["incident.*", "contract.breaking-change"],
      products: [],
      target: "webhooks",
      webhookId: null,
      createdBy: "ana@example.com",
    });
    const byAdmin = await send("POST", path, admin, { types: ["pipeline.failed"], target: "feed" });
    expect(byAdmin.status).toBe(201);
    const listed = await send("GET", path, salesOwner);
    expect(listed.body.items.map((s: Json) => s.id)).toEqual([made.body.id, byAdmin.body.id]);
    expect((await send("DELETE", `${path}/${made.body.id}`, salesMember)).status).toBe(403);
    expect((await send("DELETE", `${path}/${made.body.id}`, salesOwner)).status).toBe(204);
    expect((await send("DELETE", `${path}/${made.body.id}`, salesOwner)).status).toBe(404);
    expect((await send("GET", "/api/teams/nosuch/subscriptions", admin)).status).toBe(404);
    expect((await send("DELETE", `${path}/${byAdmin.body.id}`, admin)).status).toBe(204);
  });

  it("refuses bad patterns, products, webhooks and bodies with the reason", async () => {
    const path = "/api/teams/sales/subscriptions";
    const cases: [unknown, RegExp][] = [
      [{ types: ["incident.nope"] }, /no event type matches "incident.nope"; did you mean one of incident\.opened/],
      [{ types: ["INCIDENT.*"] }, /is not valid: use a type/],
      [{ types: ["incident.**"] }, /is not valid/],
      [{ types: ["<script>"] }, /is not valid/],
      [{ types: [] }, /types/],
      [{ types: Array.from({ length: 21 }, () => "incident.*") }, /types/],
      [{ types: ["incident.*"], products: ["no.such"] }, /no product "no.such"/],
      [{ types: ["incident.*"], webhookId: "whk_nope" }, /team sales has no webhook "whk_nope"/],
      [{ types: ["incident.*"], target: "feed", webhookId: "whk_x" }, /drop webhookId/],
      [{ types: ["incident.*"], extra: 1 }, /extra|unrecognized/i],
      [{ types: "incident.*" }, /types/],
      ["{not json", /JSON|json|body/],
    ];
    for (const [body, message] of cases) {
      const res = await send("POST", path, salesOwner, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(Object.keys(eventTypes)).toContain("incident.opened");
  });

  it("a team with subscriptions gets only the matching events on its webhooks; its feed likewise", async () => {
    const hook = await send("POST", "/api/teams/analytics/webhooks", analyst, { url: "http://127.0.0.1:9/hook" });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const deliveries = async () =>
      (
        await db.query<{ type: string }>(
          "SELECT payload->'cloudEvent'->>'type' AS type FROM jobs WHERE kind = $1 AND payload->>'team' = 'analytics' ORDER BY id",
          [webhookDeliveryKind],
        )
      ).rows.map((r) => r.type);
    const before = (await deliveries()).length;
    // No subscription: everything addressed to the team.
    await publishEvent(db, { type: "product.published", subject: "bi.board" }, { teams: ["analytics"] });
    expect((await deliveries()).slice(before)).toEqual(["dev.quanta.product.published"]);
    const sub = await send("POST", "/api/teams/analytics/subscriptions", analyst, {
      types: ["incident.*"],
      webhookId: hook.body.id,
    });
    expect(sub.status).toBe(201);
    expect(sub.body.target).toBe("webhook");
    const { rows } = await db.query<{ id: string }>("SELECT max(id) AS id FROM events");
    const feedStart = Number(rows[0]?.id);
    await publishEvent(db, { type: "product.published", subject: "bi.board" }, { teams: ["analytics"] });
    await publishEvent(db, { type: "incident.opened", subject: "bi.board" }, { teams: ["analytics"] });
    expect((await deliveries()).slice(before)).toEqual(["dev.quanta.product.published", "dev.quanta.incident.opened"]);
    // The team's feed through its feed subscriptions: none yet, so all; then only what they name.
    const unfiltered = await get(`/api/events?team=analytics&after=${feedStart}`, analyst);
    expect(unfiltered.body.events.map((e: Json) => e.type)).toEqual([
      "dev.quanta.product.published",
      "dev.quanta.incident.opened",
    ]);
    await send("POST", "/api/teams/analytics/subscriptions", analyst, { types: ["product.*"], target: "feed" });
    const filtered = await get(`/api/events?team=analytics&after=${feedStart}`, analyst);
    expect(filtered.body.events.map((e: Json) => e.type)).toEqual(["dev.quanta.product.published"]);
  });
});
