import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;

beforeAll(async () => {
  fixture = await writeSensorProducts(100);
});
afterAll(async () => {
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe("starting the platform", () => {
  it("answers health as soon as the store does; other requests wait for the whole catalogue", async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let readyAt = Number.POSITIVE_INFINITY;
    const starting = startPlatform({
      store: { memory: true },
      port,
      hostname: "127.0.0.1",
      publishFolders: [fixture.upstreamDir, fixture.sensorsDir],
      dataDir: join(fixture.root, "platform"),
      demoIdentities: {},
      runJobs: false,
    }).then((p) => {
      readyAt = performance.now();
      return p;
    });
    let platform: RunningPlatform | undefined;
    try {
      let health: Response | undefined;
      for (let i = 0; i < 6000 && !health; i++) {
        health = await fetch(`${base}/api/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 5));
      }
      const healthAt = performance.now();
      expect(health?.status).toBe(200);
      expect(await health?.json()).toMatchObject({ status: "ok", version: "0.1.0", storage: "pglite" });
      // Asked while the demo is still being published: answered once it is, never half of it.
      const products = await fetch(`${base}/api/products`);
      expect(products.status).toBe(200);
      const ids = ((await products.json()) as { items: { id: string }[] }).items.map((p) => p.id).sort();
      expect(ids).toEqual(["test.sensors", "test.upstream"]);
      // Listing read the catalogue into the search index (serve had started that already).
      expect(await (await fetch(`${base}/api/health`)).json()).toMatchObject({ search: "ready" });
      platform = await starting;
      expect(healthAt).toBeLessThan(readyAt);
      expect(platform.published).toEqual(["test.upstream", "test.sensors"]);
    } finally {
      platform ??= await starting.catch(() => undefined);
      await platform?.close();
    }
  });

  it("frees the port and the store when starting fails after the listener opened", async () => {
    const port = await freePort();
    const failing = startPlatform({
      store: { memory: true },
      port,
      hostname: "127.0.0.1",
      // A tokens file inside a file cannot be written: the demo identities fail after listening.
      demoIdentities: { tokensFile: join(fixture.sensorsDir, "data", "readings.parquet", "tokens.json") },
      runJobs: false,
    });
    await expect(failing).rejects.toThrow();
    const again = await startPlatform({ store: { memory: true }, port, hostname: "127.0.0.1", runJobs: false });
    try {
      expect((await fetch(`${again.url.replace("localhost", "127.0.0.1")}/api/health`)).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
