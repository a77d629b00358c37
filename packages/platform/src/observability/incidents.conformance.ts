import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { incidentAudience } from "./incident-audience.js";
import { IncidentService } from "./incident-service.js";
import { markNotified } from "./incident-timeline.js";
import { clear, maxResolveAfter, openIncidentCounts, raise, type Signal } from "./incidents.js";

const product = "test.sensors";

/** Dedupe, severity, hysteresis, cooldown, flapping and concurrency of incidents (ADR 0038), on one store. */
export function incidentsConformance(name: string, target: StoreTarget): void {
  describe(`incidents on ${name}`, () => {
    let db: Database;
    let root: string | undefined;
    let service: IncidentService;

    beforeAll(async () => {
      const fixture = await writeSensorProducts(10);
      root = fixture.root;
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      service = new IncidentService(db);
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      if (root) await rm(root, { recursive: true, force: true });
    });

    const signal = (key: string, over: Partial<Signal> = {}): Signal => ({
      productId: product,
      port: "readings",
      kind: "check-failed",
      key,
      severity: "medium",
      title: `${key} failed`,
      ...over,
    });
    const incidentsOf = async (key: string) =>
      (
        await db.query<{ id: number; state: string; occurrences: number; severity: string; streak: number }>(
          `SELECT id, state, occurrences, severity, healthy_streak AS streak FROM incidents WHERE key = $1 ORDER BY id`,
          [key],
        )
      ).rows.map((r) => ({ ...r, id: Number(r.id) }));
    /** The incident events published for the key, in order. */
    const eventsOf = async (key: string) =>
      (
        await db.query<{ type: string }>(
          `SELECT e.type FROM events e WHERE e.type LIKE 'incident.%'
             AND (e.payload->>'incidentId')::bigint IN (SELECT id FROM incidents WHERE key = $1) ORDER BY e.id`,
          [key],
        )
      ).rows.map((r) => r.type);
    const timelineOf = async (id: number) =>
      (
        await db.query<{ type: string }>("SELECT type FROM incident_timeline WHERE incident_id = $1 ORDER BY id", [id])
      ).rows.map((r) => r.type);

    it("opens one incident per dedupe key, counting what repeats, and alerts once", async () => {
      await raise(db, signal("dedupe"));
      await raise(db, signal("dedupe"));
      await raise(db, signal("dedupe", { title: "dedupe failed again, worse" }));
      const [one, ...more] = await incidentsOf("dedupe");
      expect(more).toEqual([]);
      expect(one).toMatchObject({ state: "open", occurrences: 3, severity: "medium" });
      expect(await eventsOf("dedupe")).toEqual(["incident.opened"]);
      // A new title is kept on the timeline; the same one again adds nothing.
      expect(await timelineOf(one?.id as number)).toEqual(["opened", "observed"]);
      // Another key, another port, another kind: other incidents.
      await raise(db, signal("dedupe", { port: null }));
      await raise(db, signal("dedupe", { kind: "freshness" }));
      expect(await incidentsOf("dedupe")).toHaveLength(3);
    });

    it("escalates severity with the signal, and never lowers it by itself", async () => {
      await raise(db, signal("escalate", { severity: "low" }));
      await raise(db, signal("escalate", { severity: "high", title: "escalate is worse" }));
      await raise(db, signal("escalate", { severity: "medium" }));
      const [i] = await incidentsOf("escalate");
      expect(i).toMatchObject({ severity: "high", occurrences: 3 });
      expect(await eventsOf("escalate")).toEqual(["incident.opened", "incident.updated"]);
      const detail = await service.get(i?.id as number, undefined).catch((e: Error) => e.name);
      expect(detail).toBe("UnauthenticatedError");
      const timeline = (
        await db.query<{ type: string; text: string }>(
          "SELECT type, text FROM incident_timeline WHERE incident_id = $1 ORDER BY id",
          [i?.id],
        )
      ).rows;
      // The last raise is no worse, but it says something new: observed, not escalated.
      expect(timeline.map((t) => t.type)).toEqual(["opened", "escalated", "observed"]);
      expect(timeline[1]?.text).toMatch(/^low → high: escalate is worse/);
    });

    it("resolves only after resolveAfter healthy observations in a row (hysteresis)", async () => {
      await raise(db, signal("hysteresis", { resolveAfter: 3 }));
      const scope = { productId: product, port: "readings", kind: "check-failed" as const, key: "hysteresis" };
      await clear(db, scope);
      await clear(db, scope);
      expect(await incidentsOf("hysteresis")).toMatchObject([{ state: "open", streak: 2 }]);
      // Seen again: the streak starts over.
      await raise(db, signal("hysteresis", { resolveAfter: 3 }));
      expect(await incidentsOf("hysteresis")).toMatchObject([{ state: "open", streak: 0 }]);
      for (let i = 0; i < 2; i++) await clear(db, scope);
      expect((await incidentsOf("hysteresis"))[0]?.state).toBe("open");
      await clear(db, scope);
      const [resolved] = await incidentsOf("hysteresis");
      expect(resolved?.state).toBe("resolved");
      const row = (
        await db.query<{ by: string }>("SELECT resolved_by AS by FROM incidents WHERE id = $1", [resolved?.id])
      ).rows[0];
      expect(row?.by).toBe("quanta");
      expect(await eventsOf("hysteresis")).toEqual(["incident.opened", "incident.resolved"]);
      // Clearing what has no open incident does nothing.
      await clear(db, scope);
      expect(await eventsOf("hysteresis")).toEqual(["incident.opened", "incident.resolved"]);
    });

    it("reopens the same incident, without a new alert, when the fault returns within the cooldown", async () => {
      const scope = { productId: product, port: "readings", kind: "check-failed" as const, key: "cooldown" };
      await raise(db, signal("cooldown"));
      await clear(db, scope);
      await raise(db, signal("cooldown"));
      const [i, ...more] = await incidentsOf("cooldown");
      expect(more).toEqual([]);
      expect(i).toMatchObject({ state: "open", occurrences: 2 });
      // No second alert, but the reopen is said: incident.updated.
      expect(await eventsOf("cooldown")).toEqual(["incident.opened", "incident.resolved", "incident.updated"]);
      const said = await db.query<{ payload: Record<string, unknown> }>(
        "SELECT payload FROM events WHERE type = 'incident.updated' AND payload->>'incidentId' = $1",
        [String(i?.id)],
      );
      expect(said.rows[0]?.payload).toMatchObject({ reopened: true, state: "open" });
      expect(await timelineOf(i?.id as number)).toEqual(["opened", "resolved", "reopened"]);
      // After the cooldown, a new incident with its own alert.
      await clear(db, scope, new Date(Date.now() + 2 * 3_600_000));
      await clear(db, scope, new Date(Date.now() + 2 * 3_600_000));
      await raise(db, signal("cooldown", { cooldownMs: 0, observedAt: new Date(Date.now() + 3 * 3_600_000) }));
      const after = await incidentsOf("cooldown");
      expect(after.map((x) => x.state)).toEqual(["resolved", "open"]);
      expect((await eventsOf("cooldown")).filter((t) => t === "incident.opened")).toHaveLength(2);
    });

    it("keeps a flapping check to one incident and a handful of events, not an alert storm", async () => {
      const scope = { productId: product, port: "readings", kind: "check-failed" as const, key: "flapping" };
      for (let i = 0; i < 20; i++) {
        await raise(db, signal("flapping"));
        await clear(db, scope);
      }
      const all = await incidentsOf("flapping");
      expect(all).toHaveLength(1);
      expect(all[0]?.occurrences).toBe(20);
      // Opened once; resolved once, reopened once (said, not a new alert); each reopen doubled the
      // hysteresis, so the flaps since resolved nothing.
      expect(await eventsOf("flapping")).toEqual(["incident.opened", "incident.resolved", "incident.updated"]);
      expect(all[0]?.state).toBe("open");
      const ra = await db.query<{ n: number }>("SELECT resolve_after AS n FROM incidents WHERE id = $1", [all[0]?.id]);
      expect(Number(ra.rows[0]?.n)).toBe(2);
      // Healthy for long enough, it resolves, once.
      for (let i = 0; i < maxResolveAfter; i++) await clear(db, scope);
      expect((await incidentsOf("flapping"))[0]?.state).toBe("resolved");
      expect(await eventsOf("flapping")).toEqual([
        "incident.opened",
        "incident.resolved",
        "incident.updated",
        "incident.resolved",
      ]);
    });

    it("opens one incident when replicas raise the same signal at once", async () => {
      await Promise.all(Array.from({ length: 6 }, () => raise(db, signal("concurrent"))));
      const all = await incidentsOf("concurrent");
      expect(all).toHaveLength(1);
      expect(all[0]?.occurrences).toBe(6);
      expect(await eventsOf("concurrent")).toEqual(["incident.opened"]);
      // And once resolved, concurrent raises within the cooldown reopen that one, once.
      await clear(db, { productId: product, port: "readings", kind: "check-failed", key: "concurrent" });
      await Promise.all(Array.from({ length: 6 }, () => raise(db, signal("concurrent"))));
      const again = await incidentsOf("concurrent");
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ state: "open", occurrences: 12 });
    });

    it("records time to detect, notify and repair, and reports them as service levels", async () => {
      const detected = new Date(Date.now() - 3_600_000);
      await raise(
        db,
        signal("ttx", { observedAt: detected, startedAt: new Date(detected.getTime() - 600_000), severity: "high" }),
      );
      const [i] = await incidentsOf("ttx");
      const id = i?.id as number;
      await markNotified(db, id, new Date(detected.getTime() + 4_000));
      // Only the first notification counts.
      await markNotified(db, id, new Date(detected.getTime() + 60_000));
      await clear(
        db,
        { productId: product, port: "readings", kind: "check-failed", key: "ttx" },
        new Date(detected.getTime() + 1_800_000),
      );
      const admin = {
        userId: "u",
        name: "admin",
        displayName: null,
        kind: "user" as const,
        roles: ["admin" as const],
        teams: [],
        via: "token" as const,
      };
      const got = await service.get(id, admin);
      expect(got).toMatchObject({ ttdSeconds: 600, ttnSeconds: 4, ttrSeconds: 1800, resolvedBy: "quanta" });
      expect(got.timeline.map((t) => t.type)).toEqual(["opened", "notified", "resolved"]);
      // A start after detection (a clock ahead) counts as detected at once; a notification before detection, at detection.
      await raise(db, signal("ttx-clock", { startedAt: new Date(Date.now() + 60_000) }));
      const [skew] = await incidentsOf("ttx-clock");
      await markNotified(db, skew?.id as number, new Date(0));
      expect(await service.get(skew?.id as number, admin)).toMatchObject({
        ttdSeconds: 0,
        ttnSeconds: 0,
        ttrSeconds: null,
      });

      const levels = await service.serviceLevels(product, 30);
      expect(levels.productId).toBe(product);
      expect(levels.incidents).toBeGreaterThanOrEqual(2);
      expect(levels.ttd.p95).toBe(600);
      expect(levels.ttr.p50).not.toBeNull();
      expect(levels.ttn.mean).not.toBeNull();
      // Nothing in a window that ends before any of it: but the window is up to now, so a product with none has nulls.
      const none = await service.serviceLevels("test.upstream", 1);
      expect(none).toEqual({
        productId: "test.upstream",
        windowDays: 1,
        incidents: 0,
        ttd: { p50: null, p95: null, mean: null },
        ttn: { p50: null, p95: null, mean: null },
        ttr: { p50: null, p95: null, mean: null },
      });
      await expect(service.serviceLevels("no.such", 30)).rejects.toThrow(/no data product "no.such"/);
    });

    it("tells the owner team and the owners downstream in lineage, and no one else", async () => {
      // test.sensors reads test.upstream's events port: its team is downstream of it.
      expect(await incidentAudience(db, "test.upstream", "events")).toEqual(["sensor-team", "upstream-team"]);
      expect(await incidentAudience(db, "test.upstream", null)).toEqual(["sensor-team", "upstream-team"]);
      // Nothing reads test.sensors: its own team only.
      expect(await incidentAudience(db, product, "readings")).toEqual(["sensor-team"]);
      // The opened event is addressed to them.
      await raise(db, signal("audience", { productId: "test.upstream", port: "events" }));
      const { rows } = await db.query<{ audience: string[] }>(
        `SELECT audience FROM events WHERE type = 'incident.opened' AND payload->>'productId' = 'test.upstream'`,
      );
      expect(rows.map((r) => r.audience)).toEqual([["sensor-team", "upstream-team"]]);
    });

    it("counts the open incidents per product and severity for /metrics", async () => {
      const counts = await openIncidentCounts(db);
      const mine = counts.filter((c) => c.productId === product);
      expect(mine.length).toBeGreaterThan(0);
      const open = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM incidents WHERE product_id = $1 AND state <> 'resolved'",
        [product],
      );
      expect(mine.reduce((a, c) => a + c.open, 0)).toBe(Number(open.rows[0]?.n));
    });
  });
}
