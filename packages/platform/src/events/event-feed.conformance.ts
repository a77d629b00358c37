import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoredEvent } from "../audit/event-log.js";
import { TeamRepository } from "../identity/team-repository.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { EventFeed, type FeedReader, teamReader } from "./event-feed.js";
import { publishEvent } from "./publish-event.js";

const admin: FeedReader = { admin: true, governance: false, userId: null, teams: [] };
const governance: FeedReader = { admin: false, governance: true, userId: "usr_gov", teams: [] };
const ana: FeedReader = { admin: false, governance: false, userId: "usr_ana", teams: ["sales"] };
const bob: FeedReader = { admin: false, governance: false, userId: "usr_bob", teams: ["analytics"] };

/**
 * The event feed (ADR 0037) on one store: who sees what, paging from a position with each event
 * once, and no event skipped when ids commit out of order (a gap, a transaction still open).
 * `lateCommit` is the store's second connection, when it has one (PGlite has a single one).
 */
export function eventFeedConformance(
  name: string,
  target: StoreTarget & { second?: () => Promise<Database> },
  skips: { lateCommit?: string } = {},
): void {
  describe(`the event feed on ${name}`, () => {
    let db: Database;
    let start = 0;
    const ids: Record<string, number> = {};

    beforeAll(async () => {
      db = await target.open();
      const teams = new TeamRepository(db);
      for (const id of ["sales", "analytics", "ops"]) await teams.ensureTeam({ id, name: id });
      const { rows } = await db.query<{ id: string | null }>("SELECT max(id) AS id FROM events");
      start = Number(rows[0]?.id ?? 0);
      const publish = async (key: string, type: string, subject: string, teams: string[]) => {
        ids[key] = (await publishEvent(db, { type, subject, payload: { key } }, { teams })).id;
      };
      await publish("opened", "incident.opened", "shop.orders", ["sales", "analytics"]);
      await publish("sales-only", "pipeline.failed", "shop.orders", ["sales"]);
      await publish("ops-only", "pipeline.succeeded", "ops.thing", ["ops"]);
      await publish("ana-token", "token.created", "usr_ana", []);
      await publish("bob-token", "token.created", "usr_bob", []);
      await publish("team", "team.member.granted", "analytics", []);
      await publish("resolved", "incident.resolved", "shop.orders", ["sales", "analytics"]);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
    });

    const keys = (events: StoredEvent[]) => events.map((e) => e.payload.key);
    const read = (reader: FeedReader, q: Partial<Parameters<EventFeed["read"]>[1]> = {}) =>
      new EventFeed(db).read(reader, { after: start, limit: 100, ...q });

    it("shows each reader only what is theirs: admins all, governance all but others' private events", async () => {
      expect(keys((await read(admin)).events)).toEqual([
        "opened",
        "sales-only",
        "ops-only",
        "ana-token",
        "bob-token",
        "team",
        "resolved",
      ]);
      expect(keys((await read(governance)).events)).toEqual(["opened", "sales-only", "ops-only", "team", "resolved"]);
      // A team sees what is addressed to it, and events about itself; a user sees their own private events.
      expect(keys((await read(ana)).events)).toEqual(["opened", "sales-only", "ana-token", "resolved"]);
      expect(keys((await read(bob)).events)).toEqual(["opened", "bob-token", "team", "resolved"]);
      expect(keys((await read(teamReader("ops"))).events)).toEqual(["ops-only"]);
      // Its position is past the events it was not shown: the next read does not look at them again.
      const page = await read(teamReader("ops"));
      expect(page.position).toBe(ids.resolved);
      expect(page.more).toBe(false);
    });

    it("filters by type pattern and subject", async () => {
      expect(keys((await read(admin, { types: ["incident.*"] })).events)).toEqual(["opened", "resolved"]);
      expect(keys((await read(admin, { types: ["token.created", "team.*"] })).events)).toEqual([
        "ana-token",
        "bob-token",
        "team",
      ]);
      expect(keys((await read(admin, { subject: "usr_bob" })).events)).toEqual(["bob-token"]);
      expect((await read(admin, { subject: "nothing" })).events).toEqual([]);
    });

    it("pages from a position: each event once, in order, `more` while there are more", async () => {
      const seen: unknown[] = [];
      let after = start;
      for (let i = 0; i < 20; i++) {
        const page = await read(admin, { after, limit: 2 });
        seen.push(...keys(page.events));
        expect(page.position).toBeGreaterThanOrEqual(after);
        after = page.position;
        if (!page.more) break;
      }
      expect(seen).toEqual(["opened", "sales-only", "ops-only", "ana-token", "bob-token", "team", "resolved"]);
      // A small scan window bounds each read's work; the position still moves past hidden rows.
      const narrow = await new EventFeed(db, { scanRows: 3 }).read(teamReader("ops"), { after: start, limit: 10 });
      expect(keys(narrow.events)).toEqual(["ops-only"]);
      expect(narrow).toMatchObject({ position: ids["ops-only"], more: true });
    });

    it("passes a gap in the ids left by a rollback at once: no writer holds it", async () => {
      const before = await read(admin);
      await db
        .transaction(async (tx) => {
          await publishEvent(tx, { type: "incident.opened", subject: "gap" }, { teams: ["sales"] });
          throw new Error("rolled back");
        })
        .catch(() => {});
      const after = await publishEvent(db, { type: "incident.updated", subject: "after-gap" }, { teams: ["sales"] });
      const page = await new EventFeed(db).read(admin, { after: before.position, limit: 10 });
      expect(page.events.map((e) => e.id)).toEqual([after.id]);
      expect(page.events[0]?.id).toBeGreaterThan(before.position + 1);
      expect(page.position).toBe(after.id);
    });

    it("appends many events in one transaction, and a rolled-back savepoint's, in order", async () => {
      const before = await read(admin);
      await db.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) await publishEvent(tx, { type: "incident.updated", subject: `many-${i}` }, {});
        await tx.query("SAVEPOINT s");
        await publishEvent(tx, { type: "incident.updated", subject: "undone" }, {});
        await tx.query("ROLLBACK TO SAVEPOINT s");
        await publishEvent(tx, { type: "incident.updated", subject: "many-3" }, {});
      });
      const page = await new EventFeed(db).read(admin, { after: before.position, limit: 10 });
      expect(page.events.map((e) => e.subject)).toEqual(["many-0", "many-1", "many-2", "many-3"]);
    });

    it.skipIf(skips.lateCommit)(
      `never skips an event whose transaction commits after a later one${skips.lateCommit ? ` (skipped: ${skips.lateCommit})` : ""}`,
      async () => {
        const other = await (target.second as () => Promise<Database>)();
        try {
          // From the newest event: the gap rolled back above is no concern of this case.
          const { rows } = await db.query<{ id: string }>("SELECT max(id) AS id FROM events");
          const before = { position: Number(rows[0]?.id) };
          let release: () => void = () => {};
          const held = new Promise<void>((r) => {
            release = r;
          });
          let slowId = 0;
          let taken: () => void = () => {};
          const idTaken = new Promise<void>((r) => {
            taken = r;
          });
          // The slow writer takes its id first, and commits last.
          const slow = other.transaction(async (tx) => {
            slowId = (await publishEvent(tx, { type: "incident.opened", subject: "slow" }, { teams: ["sales"] })).id;
            taken();
            await held;
          });
          await idTaken;
          const fast = await publishEvent(db, { type: "incident.opened", subject: "fast" }, { teams: ["sales"] });
          expect(fast.id).toBeGreaterThan(slowId);
          const feed = new EventFeed(db);
          const waiting = await feed.read(admin, { after: before.position, limit: 10 });
          // Neither: the fast one waits for the slow one, so a reader never passes the slow one's id.
          expect(waiting.events).toEqual([]);
          expect(waiting.position).toBe(before.position);
          release();
          await slow;
          const both = await feed.read(admin, { after: before.position, limit: 10 });
          expect(both.events.map((e) => e.subject)).toEqual(["slow", "fast"]);
        } finally {
          await other.close();
        }
      },
    );
  });
}
