import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeLiveStreams, liveStreamCount, maxLiveStreamsPerCaller } from "../../events/live-streams.js";
import { publishEvent } from "../../events/publish-event.js";
import { type TestIdentity, testIdentity } from "../../identity/identity-fixtures.js";
import { IdentityStore } from "../../identity/identity-store.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { createApp } from "../create-app.js";

let db: Database;
let app: OpenAPIHono;
let identity: IdentityStore;
const errors: unknown[] = [];

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  identity = new IdentityStore(db);
  app = createApp({
    registry: new Registry(db),
    identity,
    logError: (e) => errors.push(e),
    events: { pollMs: 50, heartbeatMs: 300, recheckMs: 200 },
  });
}, 60_000);
afterAll(async () => {
  closeLiveStreams();
  // Let each stream's last read finish before the store closes.
  const end = Date.now() + 5_000;
  while (liveStreamCount() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  await db?.close();
  expect(errors).toEqual([]);
});

interface Live {
  status: number;
  /** The error body of a stream refused. */
  body?: unknown;
  /** Everything the stream sent, once it closed. */
  ended: Promise<string>;
  until(ok: (t: string) => boolean, ms?: number): Promise<void>;
  close(): void;
}

/** A live stream, read as text; `ended` resolves with everything it sent once it closes. */
async function stream(who: TestIdentity, path = "/api/events/stream"): Promise<Live> {
  const client = new AbortController();
  const res = await app.request(path, { headers: who.headers, signal: client.signal });
  if (res.status !== 200) {
    const body = await res.json();
    return { status: res.status, body, ended: Promise.resolve(""), until: async () => {}, close: () => {} };
  }
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return text;
      text += decoder.decode(value);
    }
  })();
  const until = async (ok: (t: string) => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!ok(text)) {
      if (Date.now() > end) throw new Error(`stream did not say it; got ${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const close = () => {
    client.abort();
    reader.cancel().catch(() => {});
  };
  return { status: 200, ended, until, close };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, no) => setTimeout(() => no(new Error(`${what} within ${ms} ms`)), ms))]);

describe("a live event stream re-checks its caller", () => {
  it("ends once the caller is removed from the team whose events it streams", async () => {
    const sam = await testIdentity(identity, {
      username: "sam@example.com",
      teams: [{ team: "sales", role: "member" }],
    });
    const s = await stream(sam, "/api/events/stream?team=sales");
    expect(s.status).toBe(200);
    await publishEvent(db, { type: "incident.opened", subject: "before", payload: {} }, { teams: ["sales"] });
    await s.until((t) => t.includes('"subject":"before"'));
    await identity.teams.removeTeamMember("sales", sam.user.id);
    const text = await within(s.ended, 3_000, "the stream ended");
    await publishEvent(db, { type: "incident.opened", subject: "after", payload: {} }, { teams: ["sales"] });
    expect(text).not.toContain('"subject":"after"');
    // Reconnecting asks again, and is refused.
    expect((await stream(sam, "/api/events/stream?team=sales")).status).toBe(403);
  });

  it("ends once the caller's token is revoked, and keeps streaming while nothing changed", async () => {
    const ana = await testIdentity(identity, { username: "ana@example.com", teams: [{ team: "ops", role: "owner" }] });
    const s = await stream(ana);
    expect(s.status).toBe(200);
    // Several re-checks pass while the token holds.
    await new Promise((r) => setTimeout(r, 700));
    await publishEvent(db, { type: "incident.opened", subject: "still", payload: {} }, { teams: ["ops"] });
    await s.until((t) => t.includes('"subject":"still"'));
    const { rows } = await db.query<{ id: string }>("SELECT id FROM api_tokens WHERE user_id = $1", [ana.user.id]);
    await identity.tokens.revokeToken(rows[0]?.id as string);
    await within(s.ended, 3_000, "the stream ended");
    expect((await stream(ana)).status).toBe(401);
  });
});

describe("live event streams per caller", () => {
  it(`are ${maxLiveStreamsPerCaller} at most, so one token cannot take the server's slots`, async () => {
    const bob = await testIdentity(identity, { username: "bob@example.com", teams: [{ team: "bi", role: "owner" }] });
    const eve = await testIdentity(identity, { username: "eve@example.com", teams: [{ team: "bi", role: "member" }] });
    const before = liveStreamCount();
    const open: Live[] = [];
    for (let i = 0; i < maxLiveStreamsPerCaller; i++) {
      const s = await stream(bob);
      expect(s.status).toBe(200);
      open.push(s);
    }
    const refused = await stream(bob);
    expect(refused.status).toBe(409);
    expect(refused).toMatchObject({
      body: {
        error: {
          code: "too-many-streams",
          message: expect.stringContaining(`you have ${maxLiveStreamsPerCaller} live event streams open already`),
        },
      },
    });
    // Someone else still gets one.
    const other = await stream(eve);
    expect(other.status).toBe(200);
    other.close();
    // One closed: bob may open one again.
    open.pop()?.close();
    const end = Date.now() + 5_000;
    while (liveStreamCount() > before + maxLiveStreamsPerCaller - 1 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const again = await stream(bob);
    expect(again.status).toBe(200);
    again.close();
    for (const s of open) s.close();
  });
});
