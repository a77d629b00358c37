import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Context, Env, Hono } from "hono";

/** The built marketplace (packages/web/dist), the same relative place from src/ and dist/. */
export const defaultWebRoot = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Vite names every file under assets/ by its content hash: it never changes, so cache it for a year. */
const immutable = "public, max-age=31536000, immutable";
/** index.html names the current hashes: always revalidate it, so a new build shows at once. */
const revalidate = "no-cache";

// The page loads only its own scripts and styles and talks only to its own API (and, with OIDC
// sign-in, to the issuer: its discovery document and token endpoint).
const pageHeadersFor = (connectSrc: readonly string[]) => ({
  "content-security-policy": `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src ${["'self'", ...connectSrc].join(" ")}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
});

const notBuilt = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Quanta</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>The marketplace is not built</h1>
<p>The Quanta API is running (<a href="/api/docs">API docs</a>), but the web UI has not been built here.
Run <code>npm run build</code> in the Quanta repository and reload.</p>`;

/** The file under `root` a URL path names, or undefined when the path is malformed or leaves root. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.includes("\0") || path.includes("\\")) return undefined;
  // No dotfiles or dot-folders (.env, .git): the build has none, a request for one is a probe.
  if (path.split("/").some((seg) => seg.startsWith("."))) return undefined;
  const base = resolve(root);
  const file = resolve(base, `.${path}`);
  return file === base || file.startsWith(base + sep) ? file : undefined;
}

interface Cached {
  body: Buffer;
  mtimeMs: number;
  /** Gzipped once, on first request, for text types worth it. */
  gzip: Buffer | undefined;
}

// Built files, kept in memory once read (a build is a few hundred kB); a new build changes mtime.
const cache = new Map<string, Cached>();
const compressible = /^(text\/|application\/json|image\/svg)/;

async function readIfFile(file: string): Promise<Cached | undefined> {
  try {
    const s = await stat(file);
    if (!s.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === s.mtimeMs && hit.body.length === s.size) return hit;
    const body = await readFile(file);
    const type = contentTypes[extname(file).toLowerCase()] ?? "";
    const gzip = compressible.test(type) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
    const entry = { body, mtimeMs: s.mtimeMs, gzip };
    cache.set(file, entry);
    return entry;
  } catch {
    return undefined;
  }
}

function send<E extends Env>(
  c: Context<E>,
  file: string,
  data: Cached,
  cacheControl: string,
  pageHeaders: Record<string, string>,
): Response {
  const type = contentTypes[extname(file).toLowerCase()] ?? "application/octet-stream";
  const useGzip = data.gzip !== undefined && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  const tag = `${data.body.length.toString(16)}-${Math.round(data.mtimeMs).toString(16)}${useGzip ? "-gz" : ""}`;
  const etag = `W/"${tag}"`;
  const headers: Record<string, string> = { "content-type": type, "cache-control": cacheControl, etag };
  if (data.gzip) headers.vary = "accept-encoding";
  if (type.startsWith("text/html")) Object.assign(headers, pageHeaders);
  else headers["x-content-type-options"] = "nosniff";
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  if (useGzip) headers["content-encoding"] = "gzip";
  const body = useGzip && data.gzip ? data.gzip : data.body;
  return new Response(new Uint8Array(body), { status: 200, headers });
}

/**
 * A request for a file rather than a page: anything under /assets/, or a top-level name with a
 * known file type (/favicon.ico). Page paths hold product ids with dots (/products/sales.orders).
 */
function looksLikeFile(path: string): boolean {
  if (path.startsWith("/assets/")) return true;
  return !path.slice(1).includes("/") && extname(path).toLowerCase() in contentTypes;
}

/**
 * Serves the marketplace at `/`: built files as they are, and index.html for every other page
 * path so the browser's router can show it (SPA fallback). /api paths are never touched; a
 * missing asset (an old hash, a typo) is a 404, not the page.
 */
export function registerStatic<E extends Env>(
  app: Hono<E>,
  root: string = defaultWebRoot,
  connectSrc: readonly string[] = [],
): void {
  const pageHeaders = pageHeadersFor(connectSrc);
  app.get("*", async (c) => {
    const path = new URL(c.req.url).pathname;
    if (path === "/api" || path.startsWith("/api/")) return c.notFound();
    const file = resolveStaticPath(root, path);
    if (!file) return c.text("bad path", 400);
    const found = path.endsWith("/") ? undefined : await readIfFile(file);
    if (found) return send(c, file, found, path.startsWith("/assets/") ? immutable : revalidate, pageHeaders);
    if (looksLikeFile(path)) return c.text(`no file ${path}`, 404, { "cache-control": revalidate });
    const index = resolve(root, "index.html");
    const page = await readIfFile(index);
    if (!page) return c.html(notBuilt, 503, { "cache-control": revalidate });
    return send(c, index, page, revalidate, pageHeaders);
  });
}
