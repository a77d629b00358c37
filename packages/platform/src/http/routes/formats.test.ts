import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testIdentity } from "../../identity/identity-fixtures.js";
import { IdentityStore } from "../../identity/identity-store.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { createApp } from "../create-app.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

let db: Database;
let app: OpenAPIHono;
let signedIn: Record<string, string>;
const errors: unknown[] = [];

const dcs = `dataContractSpecification: 1.2.1
id: orders
info:
  title: Orders
  version: 1.0.0
  owner: sales
models:
  orders:
    fields:
      order_id:
        type: string
        required: true
        unique: true
      total:
        type: decimal
        fancyKey: kept
`;

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const identity = new IdentityStore(db);
  app = createApp({ registry: new Registry(db), identity, logError: (e) => errors.push(e) });
  signedIn = (await testIdentity(identity)).headers;
}, 60_000);
afterAll(async () => {
  await db?.close();
  expect(errors).toEqual([]);
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = signedIn, type = "text/plain") =>
  app.request(path, { method: "POST", body, headers: { ...headers, "content-type": type } });

describe("GET /api/formats", () => {
  it("lists each direction's formats with their options, to anyone", async () => {
    const res = await app.request("/api/formats");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.import.map((f: Json) => f.name)).toContain("dcs");
    expect(body.import.find((f: Json) => f.name === "dcs")).toMatchObject({
      title: "Data Contract Specification",
      target: "odcs",
      input: "document",
      options: [],
    });
    expect(Array.isArray(body.export)).toBe(true);
  });
});

describe("POST /api/formats/{format}/import", () => {
  it("converts the body and answers the contract, its YAML and what did not map", async () => {
    const res = await post("/api/formats/dcs/import", dcs, signedIn, "application/yaml");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ format: "dcs", target: "odcs", document: { kind: "DataContract", id: "orders" } });
    expect(body.yaml).toContain("apiVersion: v3.1.0");
    expect(body.issues.some((i: Json) => i.line > 0 && i.file === "<upload>")).toBe(true);
  });

  it("refuses callers who are not signed in", async () => {
    const res = await post("/api/formats/dcs/import", dcs, {});
    expect(res.status).toBe(401);
  });

  it("answers an unknown format with 404 naming the known ones, and a wrong option with 400", async () => {
    const unknown = await post("/api/formats/cobol/import", dcs);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as Json).error.message).toMatch(/^no import format "cobol"; known: dcs, dps/);
    const option = await post("/api/formats/dcs/import?dialect=oracle", dcs);
    expect(option.status).toBe(400);
    expect(((await option.json()) as Json).error.message).toBe('dcs has no option "dialect"; it takes none');
    const twice = await post("/api/formats/dcs/import?a=1&a=2", dcs);
    expect(twice.status).toBe(400);
  });

  it("answers a body the format cannot read with 422 and its issues at their line", async () => {
    const broken = await post("/api/formats/dcs/import", "dataContractSpecification: 1.2.1\nid: [unclosed\n");
    expect(broken.status).toBe(422);
    const body = (await broken.json()) as Json;
    expect(body.error.code).toBe("conversion-failed");
    expect(body.error.details.issues[0]).toMatchObject({ file: "<upload>", severity: "error" });
    expect(body.error.details.issues[0].line).toBeGreaterThan(0);
    const binary = await post(
      "/api/formats/dcs/import",
      new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0xff]),
      signedIn,
      "application/octet-stream",
    );
    expect(binary.status).toBe(422);
    expect(((await binary.json()) as Json).error.message).toMatch(/not UTF-8 text|binary/);
  });
});
