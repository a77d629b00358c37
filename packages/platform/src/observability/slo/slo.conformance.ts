import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../../harness/data-locator.js";
import { Harness } from "../../harness/harness.js";
import { writeSensorProducts } from "../../harness/harness-fixtures.js";
import { as, asAdmin, testAuthenticator } from "../../harness/test-principal.js";
import { createApp } from "../../http/create-app.js";
import { runContractTest } from "../../jobs/contract-test.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import type { StoreTarget } from "../../storage/store-target.js";
import { ProbeReaders, probePort, recordProbe } from "./probe.js";
import { sloBurn } from "./slo-burn.js";
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
    const readers = new ProbeReaders(join("/tmp", "quanta-slo-probe"));
    const errors: unknown[] = [];

    beforeAll(async () => {
      fixture = await writeSensorProducts(200);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
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
    });

    it("refuses bad input with a clear 4xx", async () => {
      expect((await get("/api/products/no.such/slos")).status).toBe(404);
      const bad = await get("/api/products/test.sensors/slos?window=0");
      expect(bad.status).toBe(400);
      expect((await get("/api/products/test.sensors/slos?window=abc")).status).toBe(400);
      expect((await get("/api/products/test.sensors/slos", {})).status).toBe(401);
      expect((await get("/api/mesh/health", {})).status).toBe(401);
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
  });
}
