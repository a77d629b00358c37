import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { createApp } from "./create-app.js";
import { registerStatic, resolveStaticPath } from "./static-files.js";

let root: string;
let app: Hono;
const page = '<!doctype html><title>Quanta</title><script type="module" src="/assets/app-1a2b.js"></script>';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "quanta-web-"));
  await mkdir(join(root, "assets"));
  await writeFile(join(root, "index.html"), page);
  await writeFile(join(root, "assets", "app-1a2b.js"), "console.log('quanta')");
  await writeFile(join(root, "assets", "app-1a2b.css"), "body{}");
  await writeFile(
    join(root, "assets", "big-9f9f.js"),
    `export const words = ${JSON.stringify("quanta ".repeat(2000))};`,
  );
  await writeFile(join(root, "robots.txt"), "User-agent: *");
  app = new Hono();
  app.get("/api/health", (c) => c.json({ status: "ok" }));
  registerStatic(app, root);
  app.notFound((c) => c.json({ error: { code: "not-found" } }, 404));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the marketplace files", () => {
  it("serves index.html at / and revalidates it on every visit", async () => {
    const res = await app.request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe(page);
  });

  it("answers every page path with index.html so the browser's router shows it (SPA fallback)", async () => {
    for (const path of ["/products/sales.orders", "/map?focus=sales.orders", "/products/a%20b", "/deep/er/path/"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toBe(page);
    }
  });

  it("caches hashed assets for a year, with their content type", async () => {
    const js = await app.request("/assets/app-1a2b.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe("console.log('quanta')");
    const css = await app.request("/assets/app-1a2b.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const txt = await app.request("/robots.txt");
    expect(txt.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers 304 to a request that already has the current version", async () => {
    const first = await app.request("/assets/app-1a2b.js");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^W\/"/);
    const again = await app.request("/assets/app-1a2b.js", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("sends text files gzipped to browsers that accept it, and the same bytes to those that do not", async () => {
    const plain = await app.request("/assets/big-9f9f.js");
    const plainText = await plain.text();
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("vary")).toBe("accept-encoding");
    const zipped = await app.request("/assets/big-9f9f.js", { headers: { "accept-encoding": "br, gzip, deflate" } });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("etag")).not.toBe(plain.headers.get("etag"));
    const bytes = new Uint8Array(await zipped.arrayBuffer());
    expect(bytes.length).toBeLessThan(plainText.length / 10);
    expect(gunzipSync(bytes).toString()).toBe(plainText);
    // Small files are not worth it.
    const small = await app.request("/assets/app-1a2b.css", { headers: { "accept-encoding": "gzip" } });
    expect(small.headers.get("content-encoding")).toBeNull();
  });

  it("notices a new build of a file it has cached", async () => {
    await writeFile(join(root, "robots.txt"), "User-agent: quanta");
    expect(await (await app.request("/robots.txt")).text()).toBe("User-agent: quanta");
    await writeFile(join(root, "robots.txt"), "User-agent: *");
    expect(await (await app.request("/robots.txt")).text()).toBe("User-agent: *");
  });

  it("answers HEAD like GET without a body", async () => {
    const res = await app.request("/", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("gives a 404 for a missing file, not the page (an old asset must fail, not load HTML as script)", async () => {
    const res = await app.request("/assets/app-0000.js");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("no file /assets/app-0000.js");
    expect((await app.request("/favicon.ico")).status).toBe(404);
  });

  it("leaves /api alone: unknown API paths keep the API's JSON 404", async () => {
    expect((await app.request("/api/health")).status).toBe(200);
    for (const path of ["/api/nothing", "/api", "/api/"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: { code: "not-found" } });
    }
  });

  it("never serves a file outside the build or a dotfile", async () => {
    await writeFile(join(root, ".env"), "SECRET=1");
    for (const path of [
      "/../package.json",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/assets/..%2f..%2fetc/passwd",
      "/.env",
      "/%2eenv",
      "/a%00b",
      "/%E0%A4%A",
      "/..%5c..%5cetc",
    ]) {
      const res = await app.request(path);
      const body = await res.text();
      expect(body, path).not.toContain("SECRET");
      expect(body, path).not.toContain("root:");
      expect([200, 400, 404], path).toContain(res.status);
      if (res.status === 200) expect(body, path).toBe(page);
    }
    expect(resolveStaticPath(root, "/../x")).toBeUndefined();
    expect(resolveStaticPath(root, "/%2e%2e/x")).toBeUndefined();
    expect(resolveStaticPath(root, "/.git/config")).toBeUndefined();
    expect(resolveStaticPath(root, "/%zz")).toBeUndefined();
    expect(resolveStaticPath(root, "/assets/app.js")).toBe(join(root, "assets", "app.js"));
  });

  it("says how to build the marketplace when it is not built", async () => {
    const bare = new Hono();
    registerStatic(bare, join(root, "no-such-dir"));
    const res = await bare.request("/products/x");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("npm run build");
  });
});

describe("createApp serves the marketplace beside the API", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ memory: true });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("serves the page at / and keeps the API's routes and JSON 404", async () => {
    const full = createApp({ registry: new Registry(db), webRoot: root });
    const home = await full.request("/products/sales.orders");
    expect(home.status).toBe(200);
    expect(await home.text()).toBe(page);
    const list = await full.request("/api/products");
    expect(list.status).toBe(200);
    expect(await list.json()).toMatchObject({ items: [], total: 0 });
    const missing = await full.request("/api/no-such-route");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not-found" } });
    const post = await full.request("/products/x", { method: "POST" });
    expect(post.status).toBe(404);
  });
});
