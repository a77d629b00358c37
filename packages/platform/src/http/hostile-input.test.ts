import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testIdentity } from "../identity/identity-fixtures.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { createApp } from "./create-app.js";

let db: Database;
let app: OpenAPIHono;
const internal: unknown[] = [];
let asAdmin: Record<string, string> = {};

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  app = createApp({ registry: new Registry(db), logError: (e) => internal.push(e) });
  asAdmin = (await testIdentity(db, { username: "admin@example.com", roles: ["admin"] })).headers;
});
afterAll(async () => {
  await db?.close();
});

const status = async (path: string, init?: RequestInit) => {
  const res = await app.request(path, init);
  const body = (await res.json()) as { error?: { code: string; message: string } };
  return { status: res.status, code: body.error?.code };
};
const postJson = (body: string) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...asAdmin },
  body,
});

describe("hostile input never gets a 5xx", () => {
  it.each([
    ["/api/products/%00", 400],
    ["/api/products/a%00b/contracts", 400],
    ["/api/products?q=%00", 400],
    ["/api/products?q=a%00b", 400],
    ["/api/products?domain=%00", 400],
    ["/api/products?team=a%00", 400],
    ["/api/products?tag=%00b", 400],
    ["/api/products?status=%00", 400],
    ["/api/products?q=%F0%28%8C%28", 200], // invalid UTF-8 becomes U+FFFD
    [`/api/products?q=${encodeURIComponent("a | b & !c <-> (d:*")}`, 200],
    [`/api/products?q=${encodeURIComponent(Array.from({ length: 30 }, (_, i) => `w${i}`).join(" or "))}`, 200],
    [`/api/products?q=${encodeURIComponent(Array.from({ length: 60 }, (_, i) => `w${i}`).join(" or "))}`, 400],
    [`/api/products?q=${encodeURIComponent("'; DROP TABLE events; --")}`, 200],
    ["/api/products?q=%25%25%25_", 200],
    ["/api/products?limit=1&limit=2", 400],
    ["/api/products?offset=1e9", 400],
    ["/api/products?limit=-0x10", 400],
    ["/api/products?limit=Infinity", 400],
    [`/api/products/${"x".repeat(301)}`, 400],
    ["/api/products/none/contracts/none.rows/versions/%00", 404],
  ])("GET %s → %i", async (path, expected) => {
    expect((await status(path)).status).toBe(expected);
  });

  it.each([
    ["a JSON array", "[]", 400],
    ["null", "null", 400],
    ["a string", '"files"', 400],
    ["files as an object", '{"files":{"path":"a","text":"b"}}', 400],
    ["a NUL in a path", JSON.stringify({ files: [{ path: "a\u0000.odps.yaml", text: "kind: DataProduct" }] }), 422],
    [
      "a NUL in the text",
      JSON.stringify({ files: [{ path: "a.odps.yaml", text: "kind: DataProduct\nid: a\u0000b" }] }),
      422,
    ],
    ["deeply nested JSON", `{"files":${"[".repeat(5000)}${"]".repeat(5000)}}`, 400],
    ["an absolute path", JSON.stringify({ files: [{ path: "/etc/passwd", text: "x" }] }), 400],
    [
      "a YAML alias bomb",
      JSON.stringify({
        files: [
          {
            path: "a.odps.yaml",
            text: `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]`,
          },
        ],
      }),
      422,
    ],
    [
      "201 files",
      JSON.stringify({ files: Array.from({ length: 201 }, (_, i) => ({ path: `f${i}.odcs.yaml`, text: "" })) }),
      400,
    ],
  ])("POST %s → %s", async (_name, body, expected) => {
    expect((await status("/api/products", postJson(body))).status).toBe(expected);
  });

  it("logged no internal error", () => {
    expect(internal).toEqual([]);
  });
});
