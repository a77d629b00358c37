import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { withSamples } from "@quanta/core";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { type ContractTestPayload, runContractTest } from "../jobs/contract-test.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { afterContractTest } from "./after-test.js";
import { raise } from "./incidents.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;
type Headers = Record<string, string>;

const product = "test.sensors";
const payload: ContractTestPayload = { productId: product, port: "readings", trigger: "test" };

/** The readings the contract expects; `columns` adds select items, `at` replaces the measured_at expression. */
const readings = (rows: number, o: { columns?: string; at?: string; station?: string } = {}) =>
  `SELECT i::BIGINT AS reading_id,
     ${o.station ?? "'S-' || lpad(CAST(i % 50 AS VARCHAR), 3, '0')"} AS station,
     round(((i * 7919) % 1000) / 20.0 - 25, 2)::DOUBLE AS value,
     ${o.at ?? "date_trunc('minute', now()::TIMESTAMP) - to_minutes(i)"} AS measured_at
     ${o.columns ? `, ${o.columns}` : ""}
   FROM range(1, ${rows + 1}) t(i)`;

/**
 * Detection end to end (ADR 0038): real contract test runs over real Parquet files read by DuckDB,
 * faults injected into the data, incidents opened and resolved, and the HTTP routes that show and
 * handle them, behind the platform's real tokens.
 */
export function observabilityConformance(name: string, target: StoreTarget): void {
  describe(`detection and incidents on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let locator: DataLocator;
    let file: string;
    const errors: unknown[] = [];
    const who: Record<"admin" | "owner" | "member" | "outsider" | "governance" | "readOnly", Headers> = {
      admin: {},
      owner: {},
      member: {},
      outsider: {},
      governance: {},
      readOnly: {},
    };

    beforeAll(async () => {
      fixture = await writeSensorProducts(200);
      file = join(fixture.sensorsDir, "data", "readings.parquet");
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      locator = new DataLocator(join(fixture.root, "platform"));
      locator.setFolder(product, fixture.sensorsDir);
      app = createApp({ registry, harness: new Harness({ db, registry, locator }), logError: (e) => errors.push(e) });
      who.admin = (await testIdentity(db, { username: "root@example.com", roles: ["admin"] })).headers;
      who.owner = (
        await testIdentity(db, { username: "ada@example.com", teams: [{ team: "sensor-team", role: "owner" }] })
      ).headers;
      who.member = (
        await testIdentity(db, { username: "bob@example.com", teams: [{ team: "sensor-team", role: "member" }] })
      ).headers;
      who.outsider = (
        await testIdentity(db, { username: "eve@example.com", teams: [{ team: "upstream-team", role: "owner" }] })
      ).headers;
      who.governance = (await testIdentity(db, { username: "gov@example.com", roles: ["governance"] })).headers;
      const bob = await db.query<{ id: string }>("SELECT id FROM users WHERE username = 'bob@example.com'");
      const { IdentityStore } = await import("../identity/identity-store.js");
      const scoped = await new IdentityStore(db).tokens.createToken(bob.rows[0]?.id as string, {
        name: "read only",
        scopes: ["read"],
      });
      who.readOnly = { authorization: `Bearer ${scoped.token}` };
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const request = async (method: string, path: string, headers: Headers, body?: unknown) => {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === "string" ? body : JSON.stringify(body);
        (init.headers as Headers)["content-type"] = "application/json";
      }
      const res = await app.request(path, init);
      return { status: res.status, body: (await res.json()) as Json };
    };
    const get = (path: string, headers: Headers = who.owner) => request("GET", path, headers);
    const post = (path: string, body: unknown, headers: Headers = who.owner) => request("POST", path, headers, body);

    /** One scheduled test as the worker runs it: the contract test, then detection. */
    const test = async () => {
      const outcome = await runContractTest(db, locator, payload);
      await afterContractTest(db, payload, outcome);
      return outcome;
    };
    const land = (select: string) => writeData(file, select);
    const active = async () =>
      (
        await db.query<{ id: number; kind: string; key: string; severity: string; title: string; detail: Json }>(
          `SELECT id, kind, key, severity, title, detail FROM incidents WHERE product_id = $1 AND state <> 'resolved'
           ORDER BY id`,
          [product],
        )
      ).rows.map((r) => ({ ...r, id: Number(r.id) }));
    const stateOf = async (id: number) =>
      (
        await db.query<{ state: string; by: string | null }>(
          "SELECT state, resolved_by AS by FROM incidents WHERE id = $1",
          [id],
        )
      ).rows[0];
    const configure = (config: unknown, headers: Headers = who.owner) =>
      post(`/api/products/${product}/control`, { action: "configure", config }, headers);

    it("opens nothing while the data is healthy, and keeps every run's measurements as series", async () => {
      for (let i = 0; i < 7; i++) {
        const outcome = await test();
        expect(outcome.status, JSON.stringify(outcome)).toBe("passed");
      }
      expect(await active()).toEqual([]);
      const { status, body } = await get(`/api/products/${product}/measurements?port=readings&metric=rowCount`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.productId).toBe(product);
      expect(body.series).toEqual([
        expect.objectContaining({ port: "readings", dataset: "readings", column: null, metric: "rowCount" }),
      ]);
      const points = body.series[0].points as Json[];
      expect(points.map((p) => p.value)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      expect(points.every((p) => typeof p.runId === "number" && !Number.isNaN(Date.parse(p.at)))).toBe(true);
      // Oldest first, newest kept when limited.
      const two = await get(`/api/products/${product}/measurements?metric=rowCount&limit=2`);
      expect(two.body.series[0].points.map((p: Json) => p.runId)).toEqual(points.slice(-2).map((p) => p.runId));
      // The port's freshness and the columns' null rates are series too.
      const all = await get(`/api/products/${product}/measurements`);
      const metrics = new Set((all.body.series as Json[]).map((s) => s.metric));
      for (const m of ["rowCount", "freshnessSeconds", "nullRate", "min", "max"]) expect(metrics, m).toContain(m);
      const fresh = (all.body.series as Json[]).find((s) => s.metric === "freshnessSeconds");
      expect(fresh).toMatchObject({ dataset: null, column: null });
    }, 120_000);

    it("judges volume by the port's own settings: no alarm while learning, then a tenth of the rows opens one", async () => {
      expect((await configure({ observability: { ports: { readings: { minHistory: 50 } } } })).status).toBe(200);
      await land(readings(20));
      await test();
      expect(await active()).toEqual([]);
      const set = await configure({ observability: { ports: { readings: { minHistory: 7, volumeSensitivity: 5 } } } });
      expect(set.status).toBe(200);
      expect(set.body.config.observability).toEqual({ ports: { readings: { minHistory: 7, volumeSensitivity: 5 } } });
      await test();
      const [volume, ...others] = await active();
      expect(others).toEqual([]);
      expect(volume).toMatchObject({ kind: "volume-anomaly", key: "rows:readings", severity: "high" });
      expect(volume?.title).toBe("test.sensors.readings: readings has 20 rows, usually 200 (low)");
      expect(volume?.detail).toMatchObject({ value: 20, median: 200, sensitivity: 5, points: 8, basis: "weekday" });
      // Healthy again: it resolves itself.
      await land(readings(200));
      await test();
      expect(await active()).toEqual([]);
      expect(await stateOf(volume?.id as number)).toEqual({ state: "resolved", by: "quanta" });
    }, 60_000);

    it("refuses volume settings that are not numbers in range, naming the field", async () => {
      const bad: [unknown, RegExp][] = [
        [{ ports: { readings: { volumeSensitivity: 0 } } }, /volumeSensitivity/],
        [{ ports: { readings: { volumeSensitivity: -1 } } }, /volumeSensitivity/],
        [{ ports: { readings: { volumeSensitivity: "high" } } }, /volumeSensitivity/],
        [{ ports: { readings: { volumeSensitivity: 1e9 } } }, /volumeSensitivity/],
        [{ ports: { readings: { minHistory: 0 } } }, /minHistory/],
        [{ ports: { readings: { minHistory: 2.5 } } }, /minHistory/],
        [{ ports: { readings: { minHistory: 100_000 } } }, /minHistory/],
        [{ ports: { readings: { sensitivity: 3 } } }, /sensitivity|unrecognized/i],
        [{ ports: { "": { minHistory: 3 } } }, /ports|small|least/i],
        [{ ports: [] }, /ports|record|object/i],
        [{ volumeSensitivity: 3 }, /unrecognized|volumeSensitivity/i],
        ["loud", /observability|object/i],
      ];
      for (const [observability, message] of bad) {
        const res = await configure({ observability });
        expect(res.status, JSON.stringify(observability)).toBe(400);
        expect(JSON.stringify(res.body.error), JSON.stringify(observability)).toMatch(message);
      }
      // Nothing of it was kept.
      const state = await get(`/api/products/${product}/control`);
      expect(state.body.config.observability).toEqual({ ports: { readings: { minHistory: 7, volumeSensitivity: 5 } } });
      // Only those who may control the product configure it.
      expect((await configure({ observability: {} }, who.member)).status).toBe(403);
    });

    it("opens a schema drift incident for a column added to the data, and resolves it when it is gone", async () => {
      await land(readings(200, { columns: "42.0::DOUBLE AS humidity" }));
      await test();
      const [drift, ...others] = await active();
      expect(others).toEqual([]);
      expect(drift).toMatchObject({ kind: "schema-drift", key: "readings", severity: "medium" });
      expect(drift?.title).toBe(
        "test.sensors.readings: the schema of readings drifted: added humidity against the contract",
      );
      expect(drift?.detail.contract.added).toEqual([{ name: "humidity", type: "DOUBLE" }]);
      // Seen again on the next run: the same incident.
      await test();
      const again = await active();
      expect(again.map((i) => i.id)).toEqual([drift?.id]);
      await land(readings(200));
      await test();
      expect(await active()).toEqual([]);
      expect((await stateOf(drift?.id as number))?.state).toBe("resolved");
    }, 60_000);

    it("opens a freshness incident for stale data, and resolves it when fresh data lands", async () => {
      await land(readings(200, { at: "date_trunc('minute', now()::TIMESTAMP) - INTERVAL 60 DAY - to_minutes(i)" }));
      const outcome = await test();
      expect(outcome.status).toBe("failed");
      const [stale, ...others] = await active();
      expect(others).toEqual([]);
      expect(stale).toMatchObject({ kind: "freshness", severity: "high" });
      expect(stale?.title).toMatch(
        /^test\.sensors\.readings: freshness of readings\.measured_at within 30 d is breached$/,
      );
      await land(readings(200));
      await test();
      expect(await active()).toEqual([]);
      expect((await stateOf(stale?.id as number))?.state).toBe("resolved");
    }, 60_000);

    it("opens a critical incident for data that cannot be read, and resolves it when it can", async () => {
      await writeFile(file, "this is not a parquet file");
      const outcome = await test();
      expect(outcome.status).toBe("error");
      const [unreadable, ...others] = await active();
      expect(others).toEqual([]);
      expect(unreadable).toMatchObject({ kind: "unreadable", key: "data", severity: "critical" });
      expect(unreadable?.title).toBe("test.sensors.readings: the data could not be read");
      expect(String(unreadable?.detail.reason)).not.toMatch(/^\s*$/);
      await land(readings(200));
      await test();
      expect(await active()).toEqual([]);
      expect((await stateOf(unreadable?.id as number))?.state).toBe("resolved");
    }, 60_000);

    describe("incidents over HTTP", () => {
      let id: number;

      it("opens a failed-check incident whose sample values only the owner team sees", async () => {
        await land(
          readings(200, {
            station: "CASE WHEN i <= 3 THEN 'BAD-' || i ELSE 'S-' || lpad(CAST(i % 50 AS VARCHAR), 3, '0') END",
          }),
        );
        await test();
        const [failed, ...others] = await active();
        expect(others).toEqual([]);
        expect(failed).toMatchObject({ kind: "check-failed", severity: "high" });
        id = failed?.id as number;
        expect(failed?.detail).toMatchObject({ status: "failed", value: 3, reason: "3 is not = 0" });
        // A valid-values rule names the offending values in its reason: seen again with them.
        await raise(db, {
          productId: product,
          port: "readings",
          kind: "check-failed",
          key: failed?.key as string,
          severity: "high",
          title: failed?.title as string,
          detail: { ...failed?.detail, reason: withSamples("3 is not = 0", ["BAD-1", "BAD-2", "BAD-3"]) },
        });

        const mine = await get(`/api/incidents/${id}`, who.member);
        expect(mine.status).toBe(200);
        expect(mine.body.detail.reason).toMatch(/BAD-1/);
        const theirs = await get(`/api/incidents/${id}`, who.outsider);
        expect(theirs.status).toBe(200);
        expect(theirs.body.detail.reason).not.toMatch(/BAD/);
        expect(theirs.body.detail.reason).toMatch(/the values are shown to the owner team only/);
        const listed = await get(`/api/incidents?product=${product}&state=active`, who.governance);
        expect(JSON.stringify(listed.body)).not.toMatch(/BAD-/);
        // The event reaches consumers and downstream teams too: it never carries the values.
        const events = await db.query<{ payload: Json }>(
          "SELECT payload FROM events WHERE type = 'incident.opened' AND (payload->>'incidentId')::bigint = $1",
          [id],
        );
        expect(events.rows).toHaveLength(1);
        expect(JSON.stringify(events.rows[0]?.payload)).not.toMatch(/BAD-/);
      }, 60_000);

      it("lists incidents newest first with filters, a total and pages", async () => {
        const all = await get("/api/incidents", who.outsider);
        expect(all.status).toBe(200);
        expect(all.body.total).toBe(5);
        expect(all.body.incidents.map((i: Json) => i.kind)).toEqual([
          "check-failed",
          "unreadable",
          "freshness",
          "schema-drift",
          "volume-anomaly",
        ]);
        const open = await get("/api/incidents?state=open");
        expect(open.body).toMatchObject({ total: 1, incidents: [{ id, state: "open" }] });
        const resolved = await get("/api/incidents?state=resolved&kind=freshness");
        expect(resolved.body.total).toBe(1);
        expect(resolved.body.incidents[0]).toMatchObject({ kind: "freshness", resolvedBy: "quanta" });
        expect((await get("/api/incidents?team=sensor-team&limit=2&offset=1")).body).toMatchObject({ total: 5 });
        const page = await get("/api/incidents?team=sensor-team&limit=2&offset=1");
        expect(page.body.incidents.map((i: Json) => i.kind)).toEqual(["unreadable", "freshness"]);
        expect((await get("/api/incidents?team=upstream-team")).body).toEqual({ incidents: [], total: 0 });
        expect((await get("/api/incidents?product=test.upstream")).body.total).toBe(0);
      });

      it("shows one incident with its times and timeline", async () => {
        const { status, body } = await get(`/api/incidents/${id}`);
        expect(status).toBe(200);
        expect(body).toMatchObject({
          id,
          productId: product,
          port: "readings",
          state: "open",
          occurrences: 2,
          notifiedAt: null,
          ttnSeconds: null,
          ttrSeconds: null,
        });
        expect(body.ttdSeconds).toBe(0);
        expect(body.timeline).toEqual([expect.objectContaining({ type: "opened", actor: "quanta" })]);
      });

      it("refuses to let anyone outside the owner team handle it: 403 with who may", async () => {
        for (const [path, body] of [
          ["acknowledge", {}],
          ["comments", { text: "mine now" }],
          ["resolve", { note: "fixed it" }],
        ] as const) {
          const res = await post(`/api/incidents/${id}/${path}`, body, who.outsider);
          expect(res.status, path).toBe(403);
          expect(res.body.error).toEqual({
            code: "not-allowed",
            message: `only the owner team of test.sensors (sensor-team), governance or an admin may ${
              path === "comments" ? "comment on" : path
            } its incidents`,
          });
        }
        // A token limited to reading, though its user is in the team.
        const scoped = await post(`/api/incidents/${id}/acknowledge`, {}, who.readOnly);
        expect(scoped.status).toBe(403);
        expect(scoped.body.error.message).toMatch(/limited to read; to acknowledge an incident needs the write scope/);
        // Nothing changed.
        const after = await get(`/api/incidents/${id}`);
        expect(after.body.state).toBe("open");
        expect(after.body.timeline).toHaveLength(1);
      });

      it("lets a member of the owner team acknowledge, comment and resolve, each on the timeline", async () => {
        const ack = await post(`/api/incidents/${id}/acknowledge`, {}, who.member);
        expect(ack.status).toBe(200);
        expect(ack.body).toMatchObject({ id, state: "acknowledged" });
        expect(ack.body.acknowledgedAt).not.toBeNull();
        // Twice is once.
        expect((await post(`/api/incidents/${id}/acknowledge`, undefined, who.member)).body.state).toBe("acknowledged");
        const comment = await post(
          `/api/incidents/${id}/comments`,
          { text: "  the station feed sends BAD-n ids  " },
          who.member,
        );
        expect(comment.status).toBe(200);
        const governed = await post(`/api/incidents/${id}/comments`, { text: "tracked in GOV-7" }, who.governance);
        expect(governed.status).toBe(200);
        // Detection sees it again while it lasts: the acknowledged incident counts on, still acknowledged.
        await test();
        expect((await get(`/api/incidents/${id}`)).body).toMatchObject({ state: "acknowledged", occurrences: 3 });
        const resolved = await post(`/api/incidents/${id}/resolve`, { note: "feed fixed upstream" }, who.member);
        expect(resolved.status).toBe(200);
        expect(resolved.body).toMatchObject({ state: "resolved", resolvedBy: "bob@example.com" });
        expect(resolved.body.ttrSeconds).toBeGreaterThanOrEqual(0);
        const { body } = await get(`/api/incidents/${id}`);
        expect(body.timeline.map((t: Json) => [t.type, t.actor, t.text])).toEqual([
          ["opened", "quanta", expect.any(String)],
          ["acknowledged", "bob@example.com", null],
          ["commented", "bob@example.com", "the station feed sends BAD-n ids"],
          ["commented", "gov@example.com", "tracked in GOV-7"],
          ["resolved", "bob@example.com", "feed fixed upstream"],
        ]);
        const types = await db.query<{ type: string }>(
          "SELECT type FROM events WHERE (payload->>'incidentId')::bigint = $1 ORDER BY id",
          [id],
        );
        expect(types.rows.map((r) => r.type)).toEqual([
          "incident.opened",
          "incident.acknowledged",
          "incident.commented",
          "incident.commented",
          "incident.resolved",
        ]);
        // Resolving what is resolved changes nothing.
        expect((await post(`/api/incidents/${id}/resolve`, {}, who.admin)).body.resolvedBy).toBe("bob@example.com");
        await land(readings(200));
        await test();
      }, 60_000);

      it("answers 400 for malformed ids and bodies, 404 for unknown ids, 401 without a token", async () => {
        for (const bad of ["abc", "-1", "1.5", "0x1", "1e3", "%20", "1234567890123456789"]) {
          const res = await get(`/api/incidents/${bad}`);
          expect(res.status, bad).toBe(400);
          expect(res.body.error.code).toBe("invalid-request");
        }
        expect((await get("/api/incidents/999999")).body.error).toEqual({
          code: "not-found",
          message: "no incident 999999",
        });
        expect((await get("/api/incidents/0")).status).toBe(404);
        expect((await get("/api/incidents/99999999999999999")).status).toBe(404);
        expect((await post("/api/incidents/999999/acknowledge", {})).status).toBe(404);
        const bodies: [string, unknown][] = [
          ["comments", {}],
          ["comments", { text: "" }],
          ["comments", { text: "   " }],
          ["comments", { text: "x".repeat(4001) }],
          ["comments", { text: 42 }],
          ["comments", { text: "ok", extra: true }],
          ["comments", { text: "a\u0000b" }],
          ["comments", "{ not json"],
          ["comments", "[]"],
          ["resolve", { note: "x".repeat(4001) }],
          ["resolve", { note: 1 }],
          ["resolve", { by: "me" }],
          ["acknowledge", { force: true }],
        ];
        for (const [path, body] of bodies) {
          const res = await post(`/api/incidents/${id}/${path}`, body);
          expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
        }
        expect((await post(`/api/incidents/${id}/comments`, { text: "x".repeat(4000) })).status).toBe(200);
        const form = await app.request(`/api/incidents/${id}/comments`, {
          method: "POST",
          headers: { ...who.owner, "content-type": "text/plain" },
          body: "hello",
        });
        expect(form.status).toBe(415);
        for (const q of ["state=closed", "kind=meltdown", "limit=0", "limit=201", "limit=x", "offset=-1"]) {
          expect((await get(`/api/incidents?${q}`)).status, q).toBe(400);
        }
        for (const [method, path] of [
          ["GET", "/api/incidents"],
          ["GET", `/api/incidents/${id}`],
          ["POST", `/api/incidents/${id}/acknowledge`],
          ["POST", `/api/incidents/${id}/comments`],
          ["GET", `/api/products/${product}/measurements`],
          ["GET", `/api/products/${product}/profile`],
          ["GET", `/api/products/${product}/service-levels`],
        ] as const) {
          const res = await request(
            method,
            path,
            {},
            method === "GET" ? undefined : path.endsWith("comments") ? { text: "hi" } : {},
          );
          expect(res.status, path).toBe(401);
          expect(res.body.error.code).toBe("unauthenticated");
        }
        expect((await request("GET", "/api/incidents", { authorization: "Bearer qnt_nonsense" })).status).toBe(401);
        expect(errors).toEqual([]);
      });
    });

    describe("measurements, profiles and service levels over HTTP", () => {
      it("answers the latest profile of each output port with its run, the data's values to the owner team only", async () => {
        const { status, body } = await get(`/api/products/${product}/profile`);
        expect(status).toBe(200);
        expect(body.productId).toBe(product);
        expect(body.ports).toHaveLength(1);
        const port = body.ports[0];
        expect(port).toMatchObject({ port: "readings", status: "passed" });
        expect(typeof port.runId).toBe("number");
        const dataset = port.datasets.find((d: Json) => d.dataset === "readings");
        expect(dataset.rows).toBe(200);
        expect(dataset.columns.map((c: Json) => c.name)).toEqual(["reading_id", "station", "value", "measured_at"]);
        const id = dataset.columns.find((c: Json) => c.name === "reading_id");
        expect(id).toMatchObject({ nulls: 0, nullRate: 0 });
        const outsider = await get(`/api/products/${product}/profile?port=readings`, who.outsider);
        expect(outsider.status).toBe(200);
        const theirs = outsider.body.ports[0].datasets.find((d: Json) => d.dataset === "readings");
        expect(theirs.rows).toBe(200);
        for (const c of theirs.columns) expect(c).toMatchObject({ min: null, max: null, mean: null, top: null });
        expect(theirs.reason).toMatch(/owner team only/);
        const values = await get(`/api/products/${product}/measurements?metric=max`, who.outsider);
        expect(values.body.series).toEqual([]);
        expect((await get(`/api/products/${product}/measurements?metric=max`, who.member)).body.series.length).toBe(5);
        expect(
          (await get(`/api/products/${product}/measurements?metric=nullRate`, who.outsider)).body.series.length,
        ).toBe(5);
        // A product no run has profiled: no ports.
        expect((await get("/api/products/test.upstream/profile")).body).toEqual({
          productId: "test.upstream",
          ports: [],
        });
      });

      it("filters series by port, column and time", async () => {
        const col = await get(`/api/products/${product}/measurements?column=value&metric=nullRate`);
        expect(col.body.series).toEqual([
          expect.objectContaining({ dataset: "readings", column: "value", metric: "nullRate" }),
        ]);
        const future = encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString());
        expect((await get(`/api/products/${product}/measurements?since=${future}`)).body.series).toEqual([]);
        const past = await get(
          `/api/products/${product}/measurements?metric=rowCount&since=2020-01-01T00:00:00%2B02:00`,
        );
        expect(past.body.series[0].points.length).toBeGreaterThan(10);
        const day = await get(`/api/products/${product}/measurements?metric=rowCount&since=2020-01-01`);
        expect(day.body.series[0].points).toEqual(past.body.series[0].points);
      });

      it("refuses malformed measurement, profile and service level queries, and unknown products and ports", async () => {
        for (const q of [
          "since=yesterday",
          "since=2026-13-01T00:00:00Z",
          "since=2026-02-30",
          "since=2026-12-01T10:00:00",
          "limit=0",
          "limit=1001",
          "limit=ten",
          `port=${"p".repeat(201)}`,
        ]) {
          const res = await get(`/api/products/${product}/measurements?${q}`);
          expect(res.status, q).toBe(400);
          expect(res.body.error.code).toBe("invalid-request");
        }
        expect((await get("/api/products/no.such/measurements")).body.error).toEqual({
          code: "not-found",
          message: 'no data product "no.such"',
        });
        expect((await get("/api/products/no.such/profile")).status).toBe(404);
        expect((await get("/api/products/no.such/service-levels")).status).toBe(404);
        const port = await get(`/api/products/${product}/measurements?port=nope`);
        expect(port.status).toBe(404);
        expect(port.body.error.message).toMatch(/nope/);
        expect((await get(`/api/products/${product}/profile?port=events`)).status).toBe(404);
        for (const q of ["window=0", "window=367", "window=week"]) {
          expect((await get(`/api/products/${product}/service-levels?${q}`)).status, q).toBe(400);
        }
        // Hostile strings are just names that match nothing.
        const hostile = await get(
          `/api/products/${product}/measurements?metric=${encodeURIComponent("rowCount' OR '1'='1")}&column=${encodeURIComponent('"; DROP TABLE measurements; --')}`,
        );
        expect(hostile).toEqual({ status: 200, body: { productId: product, series: [] } });
        expect(
          (await get(`/api/products/${product}/measurements?metric=${encodeURIComponent("a\u0000b")}`)).status,
        ).toBe(400);
        expect(errors).toEqual([]);
      });

      it("reports time to detect, notify and repair as service levels", async () => {
        const { status, body } = await get(`/api/products/${product}/service-levels`, who.outsider);
        expect(status).toBe(200);
        expect(body).toMatchObject({ productId: product, windowDays: 30, incidents: 5 });
        expect(body.ttd).toEqual({ p50: 0, p95: 0, mean: 0 });
        expect(body.ttn).toEqual({ p50: null, p95: null, mean: null });
        expect(body.ttr.p95).toBeGreaterThan(0);
        expect(body.ttr.p50).toBeLessThanOrEqual(body.ttr.p95);
        expect((await get(`/api/products/${product}/service-levels?window=7`)).body.windowDays).toBe(7);
      });
    });

    it("resolves what the contract no longer checks: a check, a dataset, a volume gone from it", async () => {
      const gone = [
        { kind: "check-failed", key: "readings.dropped_rule" },
        { kind: "freshness", key: "sla.freshness.readings.old_column" },
        { kind: "schema-drift", key: "old_dataset" },
        { kind: "volume-anomaly", key: "batch:readings" },
      ] as const;
      for (const g of gone)
        await raise(db, { productId: product, port: "readings", ...g, severity: "medium", title: `${g.key} is bad` });
      // Still measured but not judged (learning): that one stays.
      await raise(db, {
        productId: product,
        port: "readings",
        kind: "volume-anomaly",
        key: "rows:readings",
        severity: "medium",
        title: "rows",
      });
      expect((await configure({ observability: { ports: { readings: { minHistory: 500 } } } })).status).toBe(200);
      await test();
      expect((await active()).map((i) => i.key)).toEqual(["rows:readings"]);
      expect((await configure({ observability: {} })).status).toBe(200);
      // That raise came within the cooldown of the first volume incident: it reopened it, doubling its
      // hysteresis, so it takes two healthy runs to resolve again.
      await test();
      expect((await active()).map((i) => i.key)).toEqual(["rows:readings"]);
      await test();
      expect(await active()).toEqual([]);
    }, 60_000);
  });
}
