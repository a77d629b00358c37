import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";

/**
 * The API's docs at /api/docs: Swagger UI over /api/openapi.json, served from the npm package
 * (no CDN: Quanta runs on machines without internet access). Operations are listed by tag, as a
 * table of contents, with a filter; "Try it out" sends real requests, with a token given once
 * under "Authorize" and kept in this browser.
 */
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quanta API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<style>body{margin:0}.topbar{display:none}</style>
</head><body><div id="swagger"><p style="font:15px system-ui;padding:1rem 2rem">Loading <a href="/api/openapi.json">/api/openapi.json</a>…</p></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>
`;

const init = `window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  filter: true,
  displayRequestDuration: true,
  persistAuthorization: true,
  tryItOutEnabled: false,
});
`;

/** The files of the swagger-ui-dist package the page loads, and their media types. */
const assets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const distDir = () => dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

export function registerDocs(app: OpenAPIHono): void {
  const cache = new Map<string, Promise<Buffer>>();
  const security = {
    "content-security-policy":
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
  };
  app.get("/api/docs", (c) => c.html(page, 200, security));
  app.get("/api/docs/init.js", (c) =>
    c.body(init, 200, { ...security, "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/api/docs/:file", async (c, next) => {
    const file = c.req.param("file");
    const type = Object.hasOwn(assets, file) ? assets[file] : undefined;
    if (!type) return next();
    let body = cache.get(file);
    if (!body) {
      body = readFile(join(distDir(), file));
      cache.set(file, body);
      body.catch(() => cache.delete(file));
    }
    return c.body(new Uint8Array(await body), 200, {
      ...security,
      "content-type": type,
      "cache-control": "public, max-age=86400",
    });
  });
}
