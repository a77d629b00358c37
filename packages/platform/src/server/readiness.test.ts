import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import type { DemoTokens } from "../identity/demo-identities.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
beforeAll(async () => {
  fixture = await writeSensorProducts(10);
});
afterAll(async () => {
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

describe("a real server, as a new user's scripts meet it", () => {
  it("answers ?ready with 200 only once the demo products, users and tokens file exist", async () => {
    const tokensFile = join(fixture.root, "ready", "demo-tokens.json");
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const starting = startPlatform({
      store: { memory: true },
      port,
      hostname: "127.0.0.1",
      publishFolders: [fixture.upstreamDir, fixture.sensorsDir],
      dataDir: join(fixture.root, "ready"),
      demoIdentities: { tokensFile },
      runJobs: false,
    });
    let platform: RunningPlatform | undefined;
    try {
      // Poll as an orchestrator's readiness probe does: every answer before 200 is a 503.
      const seen: number[] = [];
      let tokensAtReady = false;
      for (let i = 0; i < 4000; i++) {
        const res = await fetch(`${base}/api/health?ready`).catch(() => undefined);
        if (res) seen.push(res.status);
        if (res?.status === 200) {
          tokensAtReady = existsSync(tokensFile);
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(seen.at(-1)).toBe(200);
      expect(seen.slice(0, -1).every((s) => s === 503)).toBe(true);
      expect(seen.length).toBeGreaterThan(1);
      expect(tokensAtReady).toBe(true);
      const tokens = JSON.parse(await readFile(tokensFile, "utf8")) as DemoTokens;
      expect(Object.keys(tokens)).toContain("admin@quanta.example");
      const products = (await (await fetch(`${base}/api/products`)).json()) as { items: { id: string }[] };
      expect(products.items.map((p) => p.id).sort()).toEqual(["test.sensors", "test.upstream"]);
      platform = await starting;
    } finally {
      platform ??= await starting.catch(() => undefined);
      await platform?.close();
    }
  });

  describe("actions with an optional body", () => {
    let platform: RunningPlatform;
    let admin: string;
    beforeAll(async () => {
      const tokensFile = join(fixture.root, "actions", "demo-tokens.json");
      platform = await startPlatform({
        store: { memory: true },
        port: 0,
        hostname: "127.0.0.1",
        dataDir: join(fixture.root, "actions"),
        demoIdentities: { tokensFile },
        runJobs: false,
      });
      admin = (JSON.parse(await readFile(tokensFile, "utf8")) as DemoTokens)["admin@quanta.example"]!.token;
    });
    afterAll(async () => {
      await platform?.close();
    });
    const post = (path: string, init: RequestInit = {}) =>
      fetch(`${platform.url}${path}`, {
        method: "POST",
        ...init,
        headers: { authorization: `Bearer ${admin}`, ...(init.headers as Record<string, string>) },
      });

    it.each([
      "/api/access-requests/999/approve",
      "/api/access-requests/999/reject",
      "/api/agreements/999/terminate",
      "/api/agreements/999/accept-version",
    ])("POST %s with no body reaches the route (404 for an unknown id, not 415)", async (path) => {
      const res = await post(path);
      expect(res.status).toBe(404);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      // The route ran and looked the id up: not the app's "no route" answer.
      expect(error.code).toBe("not-found");
      expect(error.message).not.toMatch(/^no route/);
    });

    it("a body that is sent must still be JSON", async () => {
      const form = await post("/api/access-requests/999/approve", {
        body: "reason=ok",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(form.status).toBe(415);
      const text = await post("/api/access-requests/999/approve", { body: '{"reason":"ok"}' });
      expect(text.status).toBe(415); // fetch sends a string as text/plain
      const bad = await post("/api/access-requests/999/approve", {
        body: '{"reason":',
        headers: { "content-type": "application/json" },
      });
      expect(bad.status).toBe(400);
      const ok = await post("/api/access-requests/999/approve", {
        body: '{"reason":"fine"}',
        headers: { "content-type": "application/json" },
      });
      expect(ok.status).toBe(404);
    });
  });
});
