import { rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { Registry } from "../registry/registry.js";
import { type RunningPlatform, startPlatform } from "../server/start-platform.js";
import { openDatabase } from "../storage/open-database.js";
import { writeSensorProducts } from "./harness-fixtures.js";
import { startHarness } from "./start-harness.js";
import { asAdmin, testAuthenticator } from "./test-principal.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const rows = 300_000;
let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;

beforeAll(async () => {
  fixture = await writeSensorProducts(rows);
});
afterAll(async () => {
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

describe("the harness in a running platform", () => {
  it("tests the published products' contracts in the background right after start", async () => {
    let platform: RunningPlatform | undefined;
    try {
      platform = await startPlatform({
        store: { memory: true },
        port: 0,
        hostname: "127.0.0.1",
        publishFolders: [fixture.upstreamDir, fixture.sensorsDir],
        dataDir: join(fixture.root, "platform"),
      });
      expect(platform.published).toEqual(["test.upstream", "test.sensors"]);
      const db = platform.db;
      let runs: { status: string; contract_id: string }[] = [];
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        runs = (
          await db.query<{ status: string; contract_id: string }>(
            "SELECT status, contract_id FROM test_runs WHERE status <> 'running'",
          )
        ).rows;
        if (runs.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(runs).toEqual([{ status: "passed", contract_id: "test.sensors.readings" }]);
      const events = await new Registry(db).events({ subject: "test.sensors" });
      expect(events.find((e) => e.type === "contract.tested")?.payload).toMatchObject({
        trigger: "start",
        status: "passed",
      });
    } finally {
      await platform?.close();
    }
  });

  it("streams a large consume over a real socket, in chunks, and keeps answering other requests meanwhile", async () => {
    const db = await openDatabase({ memory: true });
    const registry = new Registry(db);
    await registry.publish({ files: fixture.sensors });
    const runtime = startHarness({
      db,
      registry,
      dataDir: join(fixture.root, "platform-2"),
      productFolders: new Map([["test.sensors", fixture.sensorsDir]]),
      runJobs: false,
    });
    const app = createApp({ registry, harness: runtime.harness, authenticator: testAuthenticator });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const started = performance.now();
      const res = await fetch(`${url}/api/products/test.sensors/consume`, {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", format: "csv", limit: rows }),
      });
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let chunks = 0;
      let lines = 0;
      let healthOk = false;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks++;
        for (const b of value) if (b === 10) lines++;
        if (chunks === 2) healthOk = (await fetch(`${url}/api/health`)).ok;
      }
      const seconds = (performance.now() - started) / 1000;
      expect(lines).toBe(rows + 1);
      expect(chunks).toBeGreaterThan(10);
      expect(healthOk).toBe(true);
      console.log(`consume: ${rows} rows as CSV in ${seconds.toFixed(2)} s (${Math.round(rows / seconds)} rows/s)`);
      const json = await fetch(`${url}/api/products/test.sensors/consume`, {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", limit: rows }),
      });
      const t = performance.now();
      const body = (await json.json()) as Json;
      expect(body.rowCount).toBe(rows);
      console.log(`consume: ${rows} rows as JSON in ${((performance.now() - t) / 1000).toFixed(2)} s`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.stop();
      await db.close();
    }
  });
});
