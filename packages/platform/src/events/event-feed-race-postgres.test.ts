import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TeamRepository } from "../identity/team-repository.js";
import type { Database, Queryable } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { EventFeed, type FeedReader } from "./event-feed.js";
import { publishEvent } from "./publish-event.js";

const admin: FeedReader = { admin: true, governance: false, userId: null, teams: [] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Ids commit out of order across real sessions (PGlite has one connection, so this runs on
 * PostgreSQL only): transaction A writes first and commits a later id; B, started after A, holds
 * an earlier id open. The feed must not move past B's id while B runs.
 */
describe.skipIf(postgresSkipReason())("the event feed with two sessions on PostgreSQL", () => {
  let created: { url: string; drop(): Promise<void> } | undefined;
  let db: Database;
  const sessions: pg.Client[] = [];

  const session = async () => {
    const c = new pg.Client({ connectionString: (created as { url: string }).url });
    await c.connect();
    sessions.push(c);
    return c;
  };
  const newest = async () =>
    Number((await db.query<{ id: string }>("SELECT max(id) AS id FROM events")).rows[0]?.id ?? 0);
  const publish = (c: pg.Client, subject: string) =>
    publishEvent(c as unknown as Queryable, { type: "incident.opened", subject }, { teams: ["sales"] });

  beforeAll(async () => {
    created = await createTestDatabase("event_feed_race");
    db = await openDatabase({ url: created.url });
    await new TeamRepository(db).ensureTeam({ id: "sales", name: "sales" });
    // Ids past 2^32 with the low half's top bit set: the lock key's two halves round-trip.
    await db.query("SELECT setval('events_id_seq', 6442450949)");
    await publishEvent(db, { type: "incident.opened", subject: "first" }, { teams: ["sales"] });
  }, 60_000);
  afterEach(async () => {
    for (const c of sessions.splice(0)) await c.end().catch(() => {});
  });
  afterAll(async () => {
    await db?.close();
    await created?.drop();
  });

  /** A writes first and waits (older than any settle time); then B takes id n, then A takes n+1 and commits. */
  async function outOfOrder(): Promise<{ a: pg.Client; b: pg.Client; before: number; slow: number; fast: number }> {
    const a = await session();
    const b = await session();
    await a.query("BEGIN");
    await a.query("UPDATE teams SET name = name WHERE id = 'sales'");
    const xidA = Number((await a.query("SELECT pg_current_xact_id()::text AS x")).rows[0].x);
    await sleep(2_300);
    const before = await newest();
    await b.query("BEGIN");
    const xidB = Number((await b.query("SELECT pg_current_xact_id()::text AS x")).rows[0].x);
    expect(xidB).toBeGreaterThan(xidA);
    const slow = (await publish(b, "slow")).id;
    const fast = (await publish(a, "fast")).id;
    expect([slow, fast]).toEqual([before + 1, before + 2]);
    expect(slow % 2 ** 32).toBeGreaterThanOrEqual(2 ** 31);
    await a.query("COMMIT");
    return { a, b, before, slow, fast };
  }

  it("never moves past an id a running transaction holds, however old the later event's transaction", async () => {
    const { b, before, slow, fast } = await outOfOrder();
    const feed = new EventFeed(db);
    const waiting = await feed.read(admin, { after: before, limit: 10 });
    expect(waiting.events).toEqual([]);
    expect(waiting.position).toBe(before);
    await b.query("COMMIT");
    const both = await feed.read(admin, { after: waiting.position, limit: 10 });
    expect(both.events.map((e) => [e.id, e.subject])).toEqual([
      [slow, "slow"],
      [fast, "fast"],
    ]);
    expect(both.position).toBe(fast);
  }, 30_000);

  it("passes a rolled-back id at once, and a stuck transaction only after the hold, counted from first sight", async () => {
    const { b, before, fast } = await outOfOrder();
    // A's transaction began well over holdMaxMs ago: the hold still starts when the reader meets B.
    const feed = new EventFeed(db, { holdMaxMs: 600 });
    expect((await feed.read(admin, { after: before, limit: 10 })).position).toBe(before);
    await sleep(300);
    expect((await feed.read(admin, { after: before, limit: 10 })).position).toBe(before);
    await sleep(400);
    const passed = await feed.read(admin, { after: before, limit: 10 });
    expect(passed.events.map((e) => e.subject)).toEqual(["fast"]);
    expect(passed.position).toBe(fast);
    await b.query("ROLLBACK");
    // A rolled-back id is no writer: the next event is served at once, no settle time.
    const rolled = await session();
    await rolled.query("BEGIN");
    await publish(rolled, "never");
    await rolled.query("ROLLBACK");
    const next = await publishEvent(db, { type: "incident.opened", subject: "next" }, { teams: ["sales"] });
    const after = await new EventFeed(db).read(admin, { after: fast, limit: 10 });
    expect(after.events.map((e) => e.subject)).toEqual(["next"]);
    expect(after.position).toBe(next.id);
  }, 30_000);
});
