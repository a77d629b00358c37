import { serve } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { NotAllowedError } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testIdentity } from "../identity/identity-fixtures.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { exampleProducts, tinyProduct } from "../test-fixtures.js";
import { createApp } from "./create-app.js";
import { errorResponse } from "./error-response.js";

let db: Database;
let app: OpenAPIHono;
const errors: unknown[] = [];
let asAdmin: { authorization: string };

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  app = createApp({ registry: new Registry(db), maxBodyBytes: 64 * 1024, logError: (e) => errors.push(e) });
  asAdmin = (await testIdentity(db, { username: "admin@example.com", roles: ["admin"] })).headers;
  for (const p of await exampleProducts()) {
    const res = await app.request("/api/products", {
      method: "POST",
      headers: { "content-type": "application/json", ...asAdmin },
      body: JSON.stringify({ files: p.files }),
    });
    expect(res.status, p.folder).toBe(201);
  }
});
afterAll(async () => {
  await db?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const get = async (path: string) => {
  const res = await app.request(path);
  return { status: res.status, body: (await res.json()) as Json };
};
const post = async (path: string, body: string, type = "application/json") => {
  const res = await app.request(path, { method: "POST", headers: { "content-type": type, ...asAdmin }, body });
  return { status: res.status, body: (await res.json()) as Json };
};

describe("API skeleton", () => {
  it("reports health, the store it runs on, and whether search has read the catalogue", async () => {
    expect(await get("/api/health")).toEqual({
      status: 200,
      body: { status: "ok", version: "0.1.0", storage: "pglite", search: "starting" },
    });
    // A readiness probe gets 503 until search can answer.
    expect(await get("/api/health?ready")).toMatchObject({ status: 503, body: { status: "starting" } });
    await get("/api/products?q=temperature");
    expect((await get("/api/health")).body).toMatchObject({ status: "ok", search: "ready" });
    expect(await get("/api/health?ready")).toMatchObject({ status: 200, body: { status: "ok" } });
  });

  it("serves an OpenAPI 3.1 document of every route", async () => {
    const { status, body } = await get("/api/openapi.json");
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths).sort()).toEqual([
      "/api/access-requests",
      "/api/access-requests/{id}/approve",
      "/api/access-requests/{id}/reject",
      "/api/agreements",
      "/api/agreements/{id}",
      "/api/agreements/{id}/accept-version",
      "/api/agreements/{id}/terminate",
      "/api/audit",
      "/api/auth/config",
      "/api/demo/users",
      "/api/demo/users/{username}/sign-in",
      "/api/events",
      "/api/events/stream",
      "/api/facets",
      "/api/formats",
      "/api/formats/{format}/export",
      "/api/formats/{format}/import",
      "/api/health",
      "/api/incidents",
      "/api/incidents/{id}",
      "/api/incidents/{id}/acknowledge",
      "/api/incidents/{id}/comments",
      "/api/incidents/{id}/resolve",
      "/api/lineage",
      "/api/lineage/impact",
      "/api/lineage/openlineage",
      "/api/me",
      "/api/mesh",
      "/api/mesh/health",
      "/api/policies",
      "/api/products",
      "/api/products/{id}",
      "/api/products/{id}/contracts",
      "/api/products/{id}/contracts/{contractId}/export",
      "/api/products/{id}/contracts/{contractId}/versions",
      "/api/products/{id}/contracts/{contractId}/versions/{version}",
      "/api/products/{id}/evaluations",
      "/api/products/{id}/measurements",
      "/api/products/{id}/profile",
      "/api/products/{id}/service-levels",
      "/api/products/{id}/slos",
      "/api/secrets",
      "/api/secrets/{environment}/{name}",
      "/api/teams",
      "/api/teams/{id}",
      "/api/teams/{id}/members/{user}",
      "/api/teams/{id}/subscriptions",
      "/api/teams/{id}/subscriptions/{sub}",
      "/api/teams/{id}/webhooks",
      "/api/teams/{id}/webhooks/{webhookId}",
      "/api/tokens",
      "/api/tokens/{id}",
      "/api/users",
      "/api/users/{id}",
      "/api/users/{id}/roles/{role}",
    ]);
    expect(body.components.schemas.Error).toBeDefined();
    const params = body.paths["/api/products"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(["q", "domain", "team", "tag", "status", "certification", "limit", "offset"]);
  });

  it("serves the docs page and its files from the server itself, nothing from elsewhere", async () => {
    const res = await app.request("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="https?:/);
    const files = [...html.matchAll(/(?:src|href)="(\/api\/docs\/[^"]+)"/g)].map((m) => m[1]!);
    expect(files.sort()).toEqual(["/api/docs/init.js", "/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-ui.css"]);
    for (const file of files) {
      const asset = await app.request(file);
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(20);
    }
    expect(await (await app.request("/api/docs/init.js")).text()).toContain('url: "/api/openapi.json"');
    for (const bad of ["/api/docs/package.json", "/api/docs/..%2Fpackage.json", "/api/docs/index.html"]) {
      expect((await app.request(bad)).status).toBe(404);
    }
  });

  it("answers unknown routes, bad JSON, big and non-JSON bodies in the one error shape", async () => {
    expect(await get("/api/nothing")).toEqual({
      status: 404,
      body: { error: { code: "not-found", message: "no route GET /api/nothing" } },
    });
    expect(await post("/api/products", "{ not json")).toEqual({
      status: 400,
      body: { error: { code: "bad-request", message: "Malformed JSON in request body" } },
    });
    expect(
      await post("/api/products", JSON.stringify({ files: [{ path: "a.odps.yaml", text: "x".repeat(70_000) }] })),
    ).toEqual({
      status: 413,
      body: { error: { code: "payload-too-large", message: "request body is larger than 65536 bytes" } },
    });
    expect(await post("/api/products", "files=1", "application/x-www-form-urlencoded")).toEqual({
      status: 415,
      body: {
        error: {
          code: "unsupported-media-type",
          message: 'send the body as application/json (got "application/x-www-form-urlencoded")',
        },
      },
    });
  });

  it("reports every invalid field of a body", async () => {
    const { status, body } = await post(
      "/api/products",
      JSON.stringify({ files: [{ path: "../etc/passwd", text: 1 }], extra: true }),
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid-request");
    expect(body.error.details.issues.map((i: { path: string }) => i.path)).toEqual([
      "json.files.0.path",
      "json.files.0.text",
      "json",
    ]);
    expect(body.error.message).toMatchInlineSnapshot(
      `"json.files.0.path: must be a relative path inside the product folder; json.files.0.text: Invalid input: expected string, received number; json: Unrecognized key: "extra""`,
    );
    expect((await post("/api/products", JSON.stringify({ files: [] }))).body.error.message).toMatch(/files: Too small/);
  });

  it.each([
    ["limit=-1", "query.limit: Too small: expected number to be >=1"],
    ["limit=abc", "query.limit: Invalid input: expected number, received NaN"],
    ["limit=1000", "query.limit: Too big: expected number to be <=100"],
    ["limit=1.5", "query.limit: Invalid input: expected int, received number"],
    ["offset=99999999", "query.offset: Too big: expected number to be <=10000"],
    [`q=${"a".repeat(201)}`, "query.q: Too big: expected string to have <=200 characters"],
    ["color=blue", 'query: Unrecognized key: "color"'],
    ["domain=", "query.domain: Too small: expected string to have >=1 characters"],
  ])("refuses the query string %s", async (qs, message) => {
    expect(await get(`/api/products?${qs}`)).toEqual({
      status: 400,
      body: { error: expect.objectContaining({ code: "invalid-request", message }) },
    });
  });

  it("maps the error classes to statuses in one place and hides unexpected errors", () => {
    expect(errorResponse(new NotAllowedError("only owners"))).toEqual({
      status: 403,
      body: { error: { code: "not-allowed", message: "only owners" } },
    });
    expect(errorResponse(new TypeError("secret internals"))).toEqual({
      status: 500,
      body: { error: { code: "internal", message: "internal error; the server log has the details" } },
    });
  });
});

describe("registry API", () => {
  it("lists products with their total and pages through them", async () => {
    const all = await get("/api/products?limit=100");
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(8);
    expect(all.body.items.map((p: { id: string }) => p.id)).toContain("climate.weather-station-readings");
    const page = await get("/api/products?limit=3&offset=3");
    expect(page.body.total).toBe(8);
    expect(page.body.items.map((p: { id: string }) => p.id)).toEqual(
      all.body.items.slice(3, 6).map((p: { id: string }) => p.id),
    );
    expect((await get("/api/products?offset=10000")).body).toEqual({ items: [], total: 8 });
  });

  it("filters by domain, tag, status and team", async () => {
    const climate = await get("/api/products?domain=climate&limit=100");
    expect(climate.body.total).toBe(5);
    expect(climate.body.items.every((p: { domain: string }) => p.domain === "climate")).toBe(true);
    expect(
      (await get("/api/products?tag=aggregate&domain=webshop")).body.items.every((p: { tags: string[] }) =>
        p.tags.includes("aggregate"),
      ),
    ).toBe(true);
    expect((await get("/api/products?status=nonexistent")).body).toEqual({ items: [], total: 0 });
    const readings = (await get("/api/products/climate.weather-station-readings")).body;
    const team = await get(`/api/products?team=${encodeURIComponent(readings.team)}`);
    expect(team.body.items.map((p: { id: string }) => p.id)).toContain("climate.weather-station-readings");
  });

  it("ranks a name match above a mere mention and tolerates typos", async () => {
    const hit = await get("/api/products?q=temperature");
    expect(hit.body.items[0].id).toBe("climate.temperature");
    expect(hit.body.total).toBeGreaterThan(1);
    expect(hit.body.items[0].score).toBeGreaterThan(hit.body.items[1].score);
    expect((await get("/api/products?q=temprature")).body.items[0].id).toBe("climate.temperature");
    expect((await get("/api/products?q=precipitaton")).body.items[0].id).toBe("climate.precipitation");
    // A glossary term and a schema property name find their products.
    expect((await get("/api/products?q=wet%20hour")).body.items.map((p: { id: string }) => p.id)).toContain(
      "climate.precipitation",
    );
    expect((await get("/api/products?q=station_id")).body.total).toBeGreaterThan(0);
    expect(await get("/api/products?q=%22%27%3B%20drop%20table%20events%3B--%20%26%7C!%3A*")).toMatchObject({
      status: 200,
    });
  });

  it("counts facets over a search's matches, with the listing's filters and checks", async () => {
    const all = await get("/api/facets");
    expect(all.status).toBe(200);
    expect(all.body.domain.length).toBeGreaterThan(0);
    for (const { value, count } of all.body.domain as { value: string; count: number }[]) {
      expect(count).toBe((await get(`/api/products?domain=${encodeURIComponent(value)}`)).body.total);
    }
    // Counted over the search's matches, and a domain filter narrows every facet but its own.
    const searched = await get("/api/facets?q=temperature&domain=climate");
    expect(searched.body.domain.find((d: { value: string }) => d.value === "climate")?.count).toBe(
      (await get("/api/products?q=temperature&domain=climate")).body.total,
    );
    const tagCounts = searched.body.tag.map((t: { count: number }) => t.count);
    expect(Math.max(...tagCounts)).toBeLessThanOrEqual(
      (await get("/api/products?q=temperature&domain=climate")).body.total,
    );
    for (const [path, status] of [
      ["/api/facets?limit=5", 400],
      ["/api/facets?domain=%00", 400],
      ["/api/facets?certification=gold", 400],
      [`/api/facets?q=${"x".repeat(201)}`, 400],
    ] as const) {
      expect((await get(path)).status, path).toBe(status);
    }
  });

  it("returns a product with its ports, contracts and versions", async () => {
    const { status, body } = await get("/api/products/climate.weather-station-readings");
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: "climate.weather-station-readings",
      version: "1.2.0",
      domain: "climate",
      status: "active",
    });
    expect(
      body.ports.filter((p: { direction: string }) => p.direction === "output").map((p: { name: string }) => p.name),
    ).toEqual(["readings", "stations"]);
    expect(body.contracts.map((c: { id: string }) => c.id)).toEqual([
      "climate.weather-station-readings.readings",
      "climate.weather-station-readings.stations",
    ]);
    expect(body.versions).toHaveLength(1);
    expect(body.document.kind).toBe("DataProduct");
  });

  it("returns contracts and their immutable versions", async () => {
    const id = "climate.weather-station-readings";
    const contracts = await get(`/api/products/${id}/contracts`);
    expect(contracts.body.items).toHaveLength(2);
    const versions = await get(`/api/products/${id}/contracts/${id}.readings/versions`);
    expect(versions.body.items.map((v: { version: string }) => v.version)).toEqual(["1.2.0"]);
    const v = await get(`/api/products/${id}/contracts/${id}.readings/versions/1.2.0`);
    expect(v.body).toMatchObject({
      contractId: `${id}.readings`,
      version: "1.2.0",
      file: "contracts/readings.odcs.yaml",
    });
    expect(v.body.source).toContain("kind: DataContract");
    expect(v.body.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("answers 404 for unknown products, contracts and versions", async () => {
    expect(await get("/api/products/nope")).toEqual({
      status: 404,
      body: { error: { code: "not-found", message: 'no data product "nope"' } },
    });
    expect((await get("/api/products/nope/contracts")).status).toBe(404);
    const other = await get(
      "/api/products/climate.temperature/contracts/climate.weather-station-readings.readings/versions",
    );
    expect(other.body.error.message).toBe(
      'data product "climate.temperature" has no contract "climate.weather-station-readings.readings"',
    );
    expect(
      (await get("/api/products/climate.temperature/contracts/climate.temperature.daily-temperature/versions/9.9.9"))
        .body.error.message,
    ).toBe('contract "climate.temperature.daily-temperature" has no published version "9.9.9"');
  });

  it("refuses a product with lint errors with every issue", async () => {
    const files = tinyProduct("api.bad");
    const broken = [
      {
        path: files[0]!.path,
        text: files[0]!.text.replace("version: 1.0.0\nstatus", "version: not-a-version\nstatus"),
      },
      files[1]!,
    ];
    const { status, body } = await post("/api/products", JSON.stringify({ files: broken }));
    expect(status).toBe(422);
    expect(body.error.code).toBe("refused");
    expect(
      body.error.details.issues.some(
        (i: { file: string; line: number }) => i.file === "api.bad.odps.yaml" && i.line > 0,
      ),
    ).toBe(true);
    expect((await get("/api/products/api.bad")).status).toBe(404);
  });

  it("publishes idempotently and refuses to rewrite a published version", async () => {
    const body = JSON.stringify({ files: tinyProduct("api.tiny"), publishedBy: "owner@example.com" });
    expect((await post("/api/products", body)).status).toBe(201);
    const again = await post("/api/products", body);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    const changed = await post(
      "/api/products",
      JSON.stringify({ files: tinyProduct("api.tiny", { extra: "Changed." }) }),
    );
    expect(changed.status).toBe(409);
    const stale = await post(
      "/api/products",
      JSON.stringify({ files: tinyProduct("api.tiny", { version: "1.1.0" }), expectedVersion: "0.9.0" }),
    );
    expect(stale).toMatchObject({
      status: 409,
      body: { error: { message: "api.tiny is at version 1.0.0, not 0.9.0 as this publish expected" } },
    });
    expect(changed.body.error.message).toBe(
      "version 1.0.0 of api.tiny is already published with different content; published versions are immutable, bump the version",
    );
  });

  it("never answers 5xx to bad input", () => {
    expect(errors).toEqual([]);
  });
});

describe("over a real socket", () => {
  it("serves the API with @hono/node-server", async () => {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    try {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const res = await fetch(`http://127.0.0.1:${port}/api/products?q=sea%20level&limit=1`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { items: { id: string }[] }).items[0]?.id).toBe("climate.sea-level");
      const bad = await fetch(`http://127.0.0.1:${port}/api/products`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "[",
      });
      expect(bad.status).toBe(400);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
