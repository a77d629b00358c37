import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IdentityStore } from "../identity/identity-store.js";
import { startPlatform } from "../server/start-platform.js";
import { liveStreamCount } from "./live-streams.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "quanta-live-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("a stopping server ends its live event streams at once, instead of waiting out its bound", async () => {
  const platform = await startPlatform({
    store: { memory: true },
    port: 0,
    hostname: "127.0.0.1",
    dataDir: dir,
    runJobs: false,
    shutdownTimeoutMs: 20_000,
  });
  const identity = new IdentityStore(platform.db);
  const admin = await identity.users.createUser({ username: "root-admin@example.com", roles: ["admin"] });
  const { token } = await identity.tokens.createToken(admin.id, { name: "test" });
  const res = await fetch(`${platform.url}/api/events/stream`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read(); // the stream is open: its first bytes came
  expect(liveStreamCount()).toBe(1);
  const stopping = Date.now();
  await platform.close();
  expect(Date.now() - stopping).toBeLessThan(10_000);
  let done = false;
  while (!done) done = (await reader.read()).done;
  expect(liveStreamCount()).toBe(0);
}, 60_000);
