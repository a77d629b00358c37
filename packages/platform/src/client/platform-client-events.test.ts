import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { InputError, NotAllowedError } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeLiveStreams, liveStreamCount } from "../events/live-streams.js";
import { publishEvent } from "../events/publish-event.js";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { PlatformClient, type QuantaEvent } from "./platform-client.js";

let db: Database;
let server: ReturnType<typeof serve>;
let url = "";
let owner: PlatformClient;
let outsider: PlatformClient;
let start = 0;

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const identity = new IdentityStore(db);
  const app = createApp({ registry: new Registry(db), identity, events: { pollMs: 50, heartbeatMs: 1_000 } });
  server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lead = await testIdentity(identity, { username: "lead@example.com", teams: [{ team: "ops", role: "owner" }] });
  const other = await testIdentity(identity, { username: "eve@example.com", teams: [{ team: "else", role: "owner" }] });
  owner = new PlatformClient(url, { token: lead.token });
  outsider = new PlatformClient(url, { token: other.token });
  const { rows } = await db.query<{ id: string }>("SELECT max(id) AS id FROM events");
  start = Number(rows[0]?.id);
}, 60_000);
afterAll(async () => {
  closeLiveStreams();
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise<void>((r) => server.close(() => r()));
  await db?.close();
});

describe("the platform client's event methods", () => {
  it("read the feed by position and follow it live over a real connection", async () => {
    await publishEvent(db, { type: "incident.opened", subject: "ops.thing", payload: { n: 1 } }, { teams: ["ops"] });
    const page = await owner.events({ after: start, types: ["incident.*"] });
    expect(page.events.map((e) => e.data?.n)).toEqual([1]);
    expect(page.more).toBe(false);
    await expect(owner.events({ types: ["incident.nope"] })).rejects.toThrow(InputError);

    const stop = new AbortController();
    const seen: { position: number; event: QuantaEvent }[] = [];
    const following = (async () => {
      for await (const e of owner.followEvents({ after: start, types: ["incident.*"] }, stop.signal)) {
        seen.push(e);
        if (seen.length === 2) stop.abort();
      }
    })();
    const live = await publishEvent(
      db,
      { type: "incident.resolved", subject: "ops.thing", payload: { n: 2 } },
      {
        teams: ["ops"],
      },
    );
    await following;
    expect(seen.map((s) => s.event.data?.n)).toEqual([1, 2]);
    expect(seen[1]?.position).toBe(live.id);
    // The client went: the server's stream ends with it.
    const end = Date.now() + 5_000;
    while (liveStreamCount() > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(liveStreamCount()).toBe(0);
  });

  it("reconnects from the last position when the server ends the stream", async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const { rows } = await db.query<{ id: string }>("SELECT max(id) AS id FROM events");
    const from = Number(rows[0]?.id);
    const following = (async () => {
      for await (const e of owner.followEvents({ after: from, subject: "reconnect" }, stop.signal)) {
        seen.push(Number(e.event.data?.n));
        if (seen.length === 2) stop.abort();
      }
    })();
    await publishEvent(db, { type: "incident.opened", subject: "reconnect", payload: { n: 1 } }, { teams: ["ops"] });
    for (let i = 0; i < 250 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    // The server stops its streams (as on shutdown); the next event is read after the reconnect.
    closeLiveStreams();
    await publishEvent(db, { type: "incident.resolved", subject: "reconnect", payload: { n: 2 } }, { teams: ["ops"] });
    await following;
    expect(seen).toEqual([1, 2]);
  });

  it("manage a team's subscriptions, refused to those not its owners", async () => {
    const sub = await owner.subscribe("ops", { types: ["incident.*"] });
    expect(sub).toMatchObject({ teamId: "ops", types: ["incident.*"], target: "webhooks" });
    expect((await owner.subscriptions("ops")).map((s) => s.id)).toEqual([sub.id]);
    await expect(outsider.subscriptions("ops")).rejects.toThrow(NotAllowedError);
    await expect(owner.subscribe("ops", { types: ["nope"] })).rejects.toThrow(/no event type matches "nope"/);
    await owner.unsubscribe("ops", sub.id);
    expect(await owner.subscriptions("ops")).toEqual([]);
  });
});
