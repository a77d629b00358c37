import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../../harness/data-locator.js";
import { Harness } from "../../harness/harness.js";
import { writeSensorProducts } from "../../harness/harness-fixtures.js";
import { as, asAdmin, testAuthenticator } from "../../harness/test-principal.js";
import { createApp } from "../../http/create-app.js";
import { runContractTest } from "../../jobs/contract-test.js";
import { JobQueue } from "../../jobs/job-queue.js";
import { Lake } from "../../lake/lake.js";
import { StorageRoot } from "../../lake/storage-root.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import type { StoreTarget } from "../../storage/store-target.js";
import { ProbeReaders, probePort, recordProbe } from "./probe.js";
import { sloBurn } from "./slo-burn.js";
import { evaluateSlos, hasServed, probedPorts, sloPart } from "./slo-part.js";
import { evaluateProduct } from "./slo-service.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** SLOs (ADR 0039) on one store: real probes of the serving path, real contract tests, real HTTP. */
export function sloConformance(name: string, target: StoreTarget): void {
  describe(`SLOs on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let locator: DataLocator;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let sensors: { path: string; text: string }[];
    const readers = new ProbeReaders(join("/tmp", "quanta-slo-probe"));
    const errors: unknown[] = [];

    beforeAll(async () => {
      fixture = await writeSensorProducts(200);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      // Every SLA kind an objective is made of (freshness, frequency, availability are the fixture's own).
      const extra = `  - property: latency
    value: 1
    unit: d
    element: readings.measured_at
  - property: retention
    value: 1
    unit: d
    element: readings.measured_at
  - property: throughput
    value: 1
    unit: rows/s
  - property: errorRate
    value: 10
    unit: percent
`;
      // An end of life years ahead: today's reads and probes go on; a later clock sees a tombstone.
      const endOfLife = 'customProperties:\n  - property: endOfLife\n    value: "2031-01-01T12:00:00Z"\n';
      sensors = fixture.sensors.map((f) =>
        f.path.endsWith(".odcs.yaml")
          ? { ...f, text: f.text + extra }
          : { ...f, text: f.text.replace("customProperties:\n", endOfLife) },
      );
      await registry.publish({ files: sensors });
      locator = new DataLocator(join(fixture.root, "platform"));
      locator.setFolder("test.sensors", fixture.sensorsDir);
      const harness = new Harness({ db, registry, locator });
      app = createApp({ registry, harness, authenticator: testAuthenticator, logError: (e) => errors.push(e) });
    }, 60_000);
    afterAll(async () => {
      await readers.close();
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const get = async (path: string, headers: Record<string, string> = asAdmin) => {
      const res = await app.request(path, { headers });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const objective = async (property: string) => {
      const { status, body } = await get("/api/products/test.sensors/slos");
      expect(status, JSON.stringify(body)).toBe(200);
      return body.objectives.find((o: Json) => o.port === "readings" && o.property === property) as Json;
    };

    it("knows nothing before anything was measured, and says why", async () => {
      const a = await objective("availability");
      expect(a).toMatchObject({ status: "unknown", sli: null, total: 0, unit: "probes", target: 0.995 });
      expect(a.reason).toMatch(/no probe/);
      const q = await objective("quality");
      expect(q).toMatchObject({ status: "unknown", total: 0 });
    });

    it("probes the serving path of real data: up, once per slot", async () => {
      const up = await probePort(db, locator, readers, "test.sensors", "readings");
      expect(up, up.reason ?? "").toMatchObject({ up: true, reason: null });
      const slot = new Date(Math.floor(Date.now() / 300_000) * 300_000);
      expect(await recordProbe(db, "test.sensors", "readings", slot, up)).toBe(true);
      // A second replica probing the same slot stores nothing.
      expect(await recordProbe(db, "test.sensors", "readings", slot, up)).toBe(false);
      const a = await objective("availability");
      expect(a).toMatchObject({ status: "met", sli: 1, good: 1, total: 1 });
    });

    it("is down, with the reason, when the data's file is missing", async () => {
      // Not the folder the product was published from: its Parquet file is not there.
      const elsewhere = new DataLocator(join(fixture.root, "elsewhere"));
      const down = await probePort(db, elsewhere, readers, "test.sensors", "readings");
      expect(down.up).toBe(false);
      expect(down.reason).toMatch(/readings\.parquet|no such file|not found|does not exist/i);
      const unknownPort = await probePort(db, locator, readers, "test.sensors", "nope");
      expect(unknownPort).toMatchObject({ up: false });
      expect(unknownPort.reason).toMatch(/no output port "nope"/);
    });

    it("records no probe of a port that never served data: not yet up is not down", async () => {
      const part = sloPart({
        db,
        queue: new JobQueue(db),
        locator,
        lake: new Lake(new StorageRoot(join(fixture.root, "lake"))),
        poke: () => {},
        log: () => {},
      });
      try {
        // test.upstream's data folder is not set: it has nothing to serve yet, and never had.
        expect(await hasServed(db, "test.upstream", "events")).toBe(false);
        const slot = new Date(Math.floor(Date.now() / 300_000) * 300_000).toISOString();
        const probe = part.handlers?.["slo-probe"];
        const job = { payload: { productId: "test.upstream", port: "events", slot } };
        expect(await probe?.(job as never, new AbortController().signal)).toMatchObject({ up: false, recorded: false });
        const stored = await db.query("SELECT 1 FROM slo_probes WHERE product_id = 'test.upstream'");
        expect(stored.rows).toHaveLength(0);
        // A port that served once counts its downs from then on.
        expect(await hasServed(db, "test.sensors", "readings")).toBe(true);
        // A version staged is not served yet; once current, it counts from then, not before.
        const lake = new Lake(new StorageRoot(join(fixture.root, "lake")));
        const staged = await lake.stage(db, {
          productId: "test.upstream",
          port: "events",
          source: "ingest",
          createdBy: null,
        });
        expect(await hasServed(db, "test.upstream", "events")).toBe(false);
        const before = new Date(Date.now() - 1000);
        await db.transaction((tx) => lake.versions.makeCurrent(tx, staged.row, () => []));
        expect(await hasServed(db, "test.upstream", "events", before)).toBe(false);
        expect(await hasServed(db, "test.upstream", "events")).toBe(true);
      } finally {
        await part.stop?.();
      }
    });

    it("burns the availability budget fast when the last hour's probes fail", async () => {
      const now = Date.now();
      for (let i = 1; i <= 3; i++)
        await recordProbe(db, "test.sensors", "readings", new Date(now - i * 300_000), {
          up: false,
          latencyMs: 5,
          reason: "server stopped",
        });
      const a = await objective("availability");
      expect(a).toMatchObject({ status: "breached", good: 1, total: 4 });
      // 3 of 4 failed over a 0.5% allowance: 150× the sustainable rate.
      expect(a.burnRate["1h"]).toBe(150);
      expect(a.budget.remaining).toBeLessThan(0);
      const evaluated = await evaluateProduct(db, "test.sensors");
      expect(evaluated.find((o) => o.property === "availability")).toMatchObject({ burning: true, severity: "medium" });
      const burn = await sloBurn(db);
      expect(burn).toContainEqual(
        expect.objectContaining({ productId: "test.sensors", property: "availability", burnRate: 150 }),
      );
    });

    it("counts a real contract test run for quality and freshness", async () => {
      const run = await runContractTest(db, locator, { productId: "test.sensors", port: "readings" });
      const q = await objective("quality");
      expect(q).toMatchObject({ total: 1, unit: "runs", target: 0.95 });
      expect(q.good).toBe(run.status === "passed" || run.status === "warning" ? 1 : 0);
      const f = await objective("freshness");
      expect(f.total).toBe(1);
      expect(f.objective).toMatch(/at most 30 d/);
    });

    it("answers the mesh's health per domain, worst first", async () => {
      const { status, body } = await get("/api/mesh/health", as("someone"));
      expect(status).toBe(200);
      const testing = body.domains.find((d: Json) => d.domain === "testing");
      const sensors = testing.products.find((p: Json) => p.id === "test.sensors");
      expect(sensors).toMatchObject({ status: "failing", breachedSlos: 1 });
      expect(sensors.reasons.join(" ")).toMatch(/availability SLO breached/);
      expect(testing.failing).toBeGreaterThanOrEqual(1);
      // Asked again at once, and many times together, it is read once: the same reading for all.
      const again = await get("/api/mesh/health", as("someone"));
      const many = await Promise.all(Array.from({ length: 20 }, () => get("/api/mesh/health", as("someone"))));
      expect(new Set([body.at, again.body.at, ...many.map((r) => r.body.at)]).size).toBe(1);
    });

    it("refuses bad input with a clear 4xx", async () => {
      expect((await get("/api/products/no.such/slos")).status).toBe(404);
      const bad = await get("/api/products/test.sensors/slos?window=0");
      expect(bad.status).toBe(400);
      expect((await get("/api/products/test.sensors/slos?window=abc")).status).toBe(400);
      expect((await get("/api/products/test.sensors/slos", {})).status).toBe(401);
      expect((await get("/api/mesh/health", {})).status).toBe(401);
      for (const window of ["-1", "1.5", "367", "1e400", "7%00", "x".repeat(5000), "%F0%9F%92%A5", ""]) {
        const r = await get(`/api/products/test.sensors/slos?window=${window}`);
        expect(r.status, window.slice(0, 20)).toBe(400);
        expect(r.body.error.message).toMatch(/^query\.window: /);
        expect(r.body.error.message).not.toContain("xxxxxxxx");
      }
      expect((await get("/api/products/%3Cscript%3E/slos")).status).toBe(404);
      expect((await get(`/api/products/${"p".repeat(201)}/slos`)).status).toBe(400);
      const w = await get("/api/products/test.sensors/slos?window=7");
      expect(w.body.windowDays).toBe(7);
    });

    it("records a failed read, counting only the serving path's failures against the error rate", async () => {
      const res = await app.request("/api/products/test.sensors/consume", {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", sql: "SELECT nope FROM readings" }),
      });
      expect(res.status).toBe(400);
      const { rows } = await db.query<{ action: string; failure: string | null }>(
        "SELECT action, failure FROM usage_records WHERE product_id = 'test.sensors' ORDER BY id DESC LIMIT 1",
      );
      expect(rows[0]).toEqual({ action: "consume-failed", failure: "request" });
    });
    it("measures latency and retention from real contract test runs, and counts a breach of retention", async () => {
      expect(await objective("latency")).toMatchObject({ total: 1, good: 1, unit: "runs", status: "met" });
      const kept = await objective("retention");
      expect(kept).toMatchObject({ total: 1, good: 1, status: "met" });
      expect(kept.objective).toMatch(/no row older than 1 d is kept/);
      // New data whose oldest reading is three days old: fresh still, but kept past the retention.
      await writeData(
        join(fixture.sensorsDir, "data", "readings.parquet"),
        `SELECT i::BIGINT AS reading_id, 'S-' || lpad(CAST(i % 50 AS VARCHAR), 3, '0') AS station, 1.5::DOUBLE AS value,
           date_trunc('minute', now()::TIMESTAMP) - to_minutes(i * 30) AS measured_at FROM range(1, 145) t(i)`,
      );
      await runContractTest(db, locator, { productId: "test.sensors", port: "readings" });
      expect(await objective("latency")).toMatchObject({ total: 2, good: 2 });
      const breached = await objective("retention");
      expect(breached).toMatchObject({ total: 2, good: 1, status: "breached", sli: 0.5 });
      expect(breached.reason).toMatch(/1 of 2 bad/);
      expect(await objective("quality")).toMatchObject({ total: 2 });
    });

    /** A read through the harness over HTTP, to its last byte; its usage is recorded when it ends. */
    const consume = async (sql: string) => {
      const before = await usageCount();
      const res = await app.request("/api/products/test.sensors/consume", {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", sql }),
      });
      await res.text();
      for (let i = 0; i < 100 && (await usageCount()) === before; i++) await new Promise((r) => setTimeout(r, 20));
      return res.status;
    };
    const usageCount = async () =>
      (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM usage_records WHERE product_id = 'test.sensors'"))
        .rows[0]?.n ?? 0;

    it("measures throughput and error rate from real reads, the serving path's failures only", async () => {
      expect(await objective("throughput")).toMatchObject({ status: "unknown", total: 0, unit: "reads" });
      // The bad-SQL read before was the request's fault: it spends no budget.
      expect(await objective("errorRate")).toMatchObject({ status: "unknown", total: 0 });
      expect(await consume("SELECT * FROM readings")).toBe(200);
      const t = await objective("throughput");
      expect(t).toMatchObject({ total: 1, good: 1, status: "met", target: 0.95 });
      expect(t.objective).toMatch(/at least 1 rows\/s/);
      expect(await objective("errorRate")).toMatchObject({ total: 1, good: 1, target: 0.9, status: "met" });
      // The port's file gone: the serving path fails, and that read is a bad one.
      const file = join(fixture.sensorsDir, "data", "readings.parquet");
      await rename(file, `${file}.away`);
      try {
        const status = await consume("SELECT * FROM readings");
        expect(status).toBeGreaterThanOrEqual(400);
      } finally {
        await rename(`${file}.away`, file);
      }
      const { rows } = await db.query<{ action: string; failure: string | null }>(
        "SELECT action, failure FROM usage_records WHERE product_id = 'test.sensors' ORDER BY id DESC LIMIT 1",
      );
      expect(rows[0]).toEqual({ action: "consume-failed", failure: "serving" });
      const e = await objective("errorRate");
      // 1 of 2 reads failed over a 10% allowance: 5× the sustainable rate.
      expect(e).toMatchObject({ total: 2, good: 1, status: "breached" });
      expect(e.burnRate).toEqual({ "1h": 5, "6h": 5, "24h": 5 });
      // A failed read delivered no rows: throughput counts reads that did.
      expect(await objective("throughput")).toMatchObject({ total: 1 });
      // A consumer hanging up half-way is its own doing: recorded, and no bad read of the port.
      const before = await usageCount();
      const res = await app.request("/api/products/test.sensors/consume", {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", sql: "SELECT * FROM readings", format: "csv" }),
      });
      expect(res.status).toBe(200);
      await res.body?.cancel();
      for (let i = 0; i < 100 && (await usageCount()) === before; i++) await new Promise((r) => setTimeout(r, 20));
      const hungUp = await db.query<{ action: string; failure: string | null }>(
        "SELECT action, failure FROM usage_records WHERE product_id = 'test.sensors' ORDER BY id DESC LIMIT 1",
      );
      expect(hungUp.rows[0]).toEqual({ action: "consume-incomplete", failure: "request" });
      expect(await objective("errorRate")).toMatchObject({ total: 2, good: 1 });
    });

    it("opens one slo-burn incident for a fast burn, and resolves it once the budget burns no more", async () => {
      const burns = async () =>
        (
          await db.query<{
            key: string;
            state: string;
            severity: string;
            occurrences: number;
            resolvedBy: string | null;
          }>(
            `SELECT key, state, severity, occurrences, resolved_by AS "resolvedBy" FROM incidents
             WHERE product_id = 'test.sensors' AND kind = 'slo-burn' ORDER BY id`,
          )
        ).rows;
      await evaluateSlos(db, "test.sensors");
      // Availability burns 150× (1h and 6h both over the page threshold); the error rate's 5× does not page.
      expect(await burns()).toEqual([
        { key: "availability", state: "open", severity: "medium", occurrences: 1, resolvedBy: null },
      ]);
      await evaluateSlos(db, "test.sensors");
      expect(await burns()).toMatchObject([{ state: "open", occurrences: 2 }]);
      const opened = await db.query<{ payload: Json }>(
        "SELECT payload FROM events WHERE type = 'incident.opened' AND subject = 'test.sensors' ORDER BY id",
      );
      expect(opened.rows.map((r) => r.payload.kind)).toContain("slo-burn");
      // The serving path answers again: 3 of 104 probes down in the hour is a 5.8× burn, under the page.
      const now = Date.now();
      for (let i = 1; i <= 100; i++) {
        const at = new Date(now - i * 1000);
        await recordProbe(db, "test.sensors", "readings", at, { up: true, latencyMs: 1, reason: null }, at);
      }
      await evaluateSlos(db, "test.sensors");
      expect(await burns()).toMatchObject([{ key: "availability", state: "resolved", resolvedBy: "quanta" }]);
      const resolved = await db.query(
        "SELECT 1 FROM events WHERE type = 'incident.resolved' AND subject = 'test.sensors'",
      );
      expect(resolved.rows).toHaveLength(1);
    });

    it("probes each port once per slot however many replicas tick", async () => {
      const lake = new Lake(new StorageRoot(join(fixture.root, "lake")));
      const ctx = (log: string[]) => ({
        db,
        queue: new JobQueue(db),
        locator,
        lake,
        poke: () => {},
        log: (line: string) => log.push(line),
      });
      const logs: string[] = [];
      const replicas = [sloPart(ctx(logs)), sloPart(ctx(logs)), sloPart(ctx(logs))];
      for (const r of replicas) r.start?.();
      const jobs = async () =>
        (
          await db.query<{ id: number; key: string; payload: Json }>(
            "SELECT id, key, payload FROM jobs WHERE kind = 'slo-probe' ORDER BY id",
          )
        ).rows;
      for (let i = 0; i < 200 && (await jobs()).length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 300));
      try {
        const queued = await jobs();
        const slots = new Set(queued.map((j) => j.payload.slot));
        // Output ports of both products, one job each per slot (a tick may straddle two slots).
        expect(queued.length).toBe(2 * slots.size);
        expect(new Set(queued.map((j) => j.key)).size).toBe(queued.length);
        const job = queued.find((j) => j.payload.productId === "test.sensors") as { payload: Json };
        // Each replica runs the same job (a retry, a lost lock): one probe is stored for the slot.
        for (const r of replicas) {
          const result = await r.handlers?.["slo-probe"]?.(job as never, new AbortController().signal);
          expect(result).toMatchObject({ up: true });
        }
        const stored = await db.query("SELECT 1 FROM slo_probes WHERE product_id = 'test.sensors' AND slot = $1", [
          job.payload.slot,
        ]);
        expect(stored.rows).toHaveLength(1);
        expect(logs).toEqual([]);
      } finally {
        for (const r of replicas) await r.stop?.();
      }
    });

    it("probes no port of a product past its end of life", async () => {
      const today = await probedPorts(db);
      expect(today).toContainEqual({ productId: "test.sensors", port: "readings" });
      const later = await probedPorts(db, new Date("2031-06-01T00:00:00Z"));
      expect(later).not.toContainEqual({ productId: "test.sensors", port: "readings" });
      expect(later).toContainEqual({ productId: "test.upstream", port: "events" });
    });

    it("measures the frequency of updates from the port's real versions, an overdue one counting bad", async () => {
      expect(await objective("frequency")).toMatchObject({ status: "unknown", total: 0 });
      const lake = new Lake(new StorageRoot(join(fixture.root, "lake")));
      for (let i = 0; i < 2; i++) {
        const staged = await lake.stage(db, {
          productId: "test.sensors",
          port: "readings",
          source: "ingest",
          createdBy: null,
        });
        await db.transaction((tx) => lake.versions.makeCurrent(tx, staged.row, () => []));
      }
      const f = await objective("frequency");
      expect(f).toMatchObject({ total: 1, good: 1, status: "met", unit: "updates" });
      expect(f.objective).toMatch(/every 6 h/);
      // A rollback makes a version current, but it is no new data: not an update.
      const back = await lake.stage(db, {
        productId: "test.sensors",
        port: "readings",
        source: "rollback",
        createdBy: null,
      });
      await db.transaction((tx) => lake.versions.makeCurrent(tx, back.row, () => []));
      expect(await objective("frequency")).toMatchObject({ total: 1, good: 1 });
      const late = await evaluateProduct(db, "test.sensors", { now: new Date(Date.now() + 7 * 3600_000) });
      expect(late.find((o) => o.property === "frequency")).toMatchObject({ total: 2, good: 1, status: "breached" });
    });
  });
}
