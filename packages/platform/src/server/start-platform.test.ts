import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase, freePort, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { contractTestKind } from "../jobs/contract-test.js";
import { JobQueue } from "../jobs/job-queue.js";
import { writeSlowProduct } from "../jobs/slow-product.test-helpers.js";
import { openDatabase } from "../storage/open-database.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;

beforeAll(async () => {
  fixture = await writeSensorProducts(100);
});
afterAll(async () => {
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

describe("starting the platform", () => {
  it("keeps published data under the storage root it is given, and refuses object storage it cannot reach", async () => {
    for (const [url, extension] of [
      ["s3://bucket/lake", "httpfs"],
      ["gs://bucket/lake", "httpfs"],
      ["abfss://container@account.dfs.core.windows.net/lake", "azure"],
    ] as const) {
      const refused = await startPlatform({ store: { memory: true }, port: 0, storageRoot: url }).catch((e) => e);
      expect(refused).toMatchObject({ name: "InputError", code: "extension-missing", details: { extension } });
      expect(refused.message).toContain(`the storage root ${url} needs DuckDB's ${extension} extension`);
      expect(refused.message).toContain("QUANTA_DUCKDB_EXTENSION_DIR");
    }
    await expect(startPlatform({ store: { memory: true }, port: 0, storageRoot: "ftp://host/lake" })).rejects.toThrow(
      "the storage root ftp://host/lake is not a folder or an object-storage URL",
    );
    const root = join(fixture.root, "mounted", "lake");
    const platform = await startPlatform({
      store: { memory: true },
      port: 0,
      hostname: "127.0.0.1",
      publishFolders: [fixture.upstreamDir, fixture.sensorsDir],
      dataDir: join(fixture.root, "platform-mounted"),
      storageRoot: root,
      runJobs: false,
    });
    try {
      const { IdentityStore } = await import("../identity/identity-store.js");
      const identity = new IdentityStore(platform.db);
      const admin = await identity.users.createUser({ username: "root-admin@example.com", roles: ["admin"] });
      const { token } = await identity.tokens.createToken(admin.id, { name: "test" });
      const { readFile } = await import("node:fs/promises");
      const res = await fetch(`${platform.url}/api/products/test.sensors/ports/readings/data`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/vnd.apache.parquet" },
        body: await readFile(join(fixture.sensorsDir, "data", "readings.parquet")),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      expect(await res.json()).toMatchObject({ version: 1, rows: 100 });
      const { readdir } = await import("node:fs/promises");
      expect(await readdir(join(root, "test.sensors", "readings"))).toEqual([expect.stringMatching(/^v1-/)]);
    } finally {
      await platform.close();
    }
  });

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

describe.skipIf(postgresSkipReason())("stopping the platform", () => {
  it("interrupts a long contract test within its bound and leaves the job to another replica", async () => {
    const store = await createTestDatabase("stop_platform");
    const slow = await writeSlowProduct(fixture);
    let platform: RunningPlatform | undefined;
    try {
      platform = await startPlatform({
        store: { url: store.url },
        port: 0,
        hostname: "127.0.0.1",
        publishFolders: [fixture.upstreamDir, fixture.sensorsDir, slow.dir],
        dataDir: join(fixture.root, "platform-stop"),
        testLimits: { checkTimeoutMs: 120_000 },
        shutdownTimeoutMs: 4_000,
      });
      const db = platform.db;
      const running = async () =>
        (
          await db.query<{ id: number }>(
            "SELECT id FROM test_runs WHERE product_id = 'test.slow' AND status = 'running'",
          )
        ).rows[0];
      let run = await running();
      for (let i = 0; i < 400 && !run; i++) {
        await new Promise((r) => setTimeout(r, 50));
        run = await running();
      }
      expect(run).toBeDefined();
      await new Promise((r) => setTimeout(r, 300)); // well inside the slow rule
      const stopping = Date.now();
      await platform.close();
      platform = undefined;
      expect(Date.now() - stopping).toBeLessThan(4_000);

      // Another replica: the run is abandoned, the job due again with its attempt given back.
      const replica = await openDatabase({ url: store.url });
      try {
        const { rows } = await replica.query<{ status: string; reason: string }>(
          "SELECT status, reason FROM test_runs WHERE id = $1",
          [run?.id],
        );
        expect(rows).toEqual([{ status: "abandoned", reason: "stopped before it finished: the server is stopping" }]);
        const queue = new JobQueue(replica);
        const slowJob = (await queue.list({ kind: contractTestKind })).find((j) => j.payload.productId === "test.slow");
        expect(slowJob).toMatchObject({ status: "queued", attempts: 0 });
        let claimed = await queue.claim("next-replica", [contractTestKind], 60_000);
        while (claimed && claimed.id !== slowJob?.id)
          claimed = await queue.claim("next-replica", [contractTestKind], 60_000);
        expect(claimed).toMatchObject({ id: slowJob?.id, attempts: 1, lockedBy: "next-replica" });
      } finally {
        await replica.close();
      }
    } finally {
      await platform?.close();
      await store.drop();
    }
  });
});
