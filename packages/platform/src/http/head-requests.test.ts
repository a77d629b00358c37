import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { createApp } from "./create-app.js";

/**
 * Hono answers HEAD with the GET route: every GET of the API document must be authorized the
 * same way for HEAD, or a HEAD runs a handler its caller may not (and says so with a 200).
 */
let db: Database;
let app: OpenAPIHono;
let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
let paths: string[] = [];
const callers: Record<"anonymous" | "consumer", Record<string, string>> = { anonymous: {}, consumer: {} };

beforeAll(async () => {
  fixture = await writeSensorProducts(50);
  db = await openDatabase({ memory: true });
  const registry = new Registry(db);
  await registry.publish({ files: fixture.upstream });
  await registry.publish({ files: fixture.sensors });
  const locator = new DataLocator(join(fixture.root, "platform"));
  locator.setFolder("test.sensors", fixture.sensorsDir);
  const identity = new IdentityStore(db);
  app = createApp({ registry, identity, harness: new Harness({ db, registry, locator }) });
  const consumer = await testIdentity(identity);
  callers.consumer = consumer.headers;
  const contracts = (await (await app.request("/api/products/test.sensors/contracts")).json()) as {
    items: { id: string; version: string }[];
  };
  const contract = contracts.items[0];
  if (!contract) throw new Error("the fixture has no contract");
  // Real ids where the route reads one, so the handlers run past their lookups.
  const values: Record<string, string> = {
    "/api/products/{id}": "test.sensors",
    "/api/users/{id}": consumer.user.id,
    "/api/teams/{id}": "sensor-team",
    "/api/agreements/{id}": "agr_none",
    "/api/incidents/{id}": "1",
    "{contractId}": contract.id,
    "{version}": contract.version,
    "{runId}": "1",
    "{port}": "readings",
  };
  const doc = (await (await app.request("/api/openapi.json")).json()) as { paths: Record<string, { get?: unknown }> };
  paths = Object.entries(doc.paths)
    .filter(([, ops]) => ops.get)
    .map(([template]) => {
      let path = template;
      for (const [prefix, value] of Object.entries(values)) {
        path = prefix.startsWith("{")
          ? path.replace(prefix, encodeURIComponent(value))
          : path.startsWith(prefix)
            ? path.replace(prefix, prefix.replace("{id}", encodeURIComponent(value)))
            : path;
      }
      return path;
    });
});
afterAll(async () => {
  await db?.close();
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

describe("HEAD", () => {
  it("covers every GET route, the harness interfaces included", () => {
    expect(paths.some((p) => p.includes("{"))).toBe(false);
    for (const iface of ["discover", "observe", "govern", "control"]) {
      expect(paths).toContain(`/api/products/test.sensors/${iface}`);
    }
  });

  for (const caller of ["anonymous", "consumer"] as const) {
    it(`answers ${caller} callers with the status GET answers, and no body`, async () => {
      const differ: string[] = [];
      for (const path of paths) {
        const get = await app.request(path, { headers: callers[caller] });
        const head = await app.request(path, { method: "HEAD", headers: callers[caller] });
        await get.body?.cancel();
        if (head.status !== get.status) differ.push(`${path}: GET ${get.status}, HEAD ${head.status}`);
        expect(await head.text()).toBe("");
      }
      expect(differ).toEqual([]);
    });
  }

  it("refuses an anonymous HEAD on observe, govern and control with 401", async () => {
    for (const iface of ["observe", "govern", "control"]) {
      const res = await app.request(`/api/products/test.sensors/${iface}`, { method: "HEAD" });
      expect(res.status, iface).toBe(401);
    }
  });
});
