import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oidcConfigFromEnv } from "../../identity/oidc-verifier.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import { openDatabase } from "../../storage/open-database.js";
import { createApp } from "../create-app.js";

let db: Database;
let webRoot: string;
beforeAll(async () => {
  db = await openDatabase({ memory: true });
  webRoot = await mkdtemp(join(tmpdir(), "quanta-auth-config-"));
  await writeFile(join(webRoot, "index.html"), "<!doctype html><title>Quanta</title>");
});
afterAll(async () => {
  await db?.close();
  if (webRoot) await rm(webRoot, { recursive: true, force: true });
});

const appFor = (env: Record<string, string>) =>
  createApp({ registry: new Registry(db), webRoot, oidc: oidcConfigFromEnv(env) });
const configOf = async (env: Record<string, string>) => {
  const res = await appFor(env).request("/api/auth/config");
  expect(res.status).toBe(200);
  return res.json();
};

describe("GET /api/auth/config", () => {
  it("offers no OIDC sign-in without an issuer, or with an issuer but no client id", async () => {
    expect(await configOf({})).toEqual({ oidc: null });
    expect(await configOf({ QUANTA_OIDC_ISSUER: "https://id.example", QUANTA_OIDC_AUDIENCE: "quanta-api" })).toEqual({
      oidc: null,
    });
  });

  it("names issuer, client id and scopes; the ID token is the bearer when the audience defaults to the client id", async () => {
    expect(
      await configOf({ QUANTA_OIDC_ISSUER: "https://id.example/realms/data", QUANTA_OIDC_CLIENT_ID: "quanta" }),
    ).toEqual({
      oidc: {
        issuer: "https://id.example/realms/data",
        clientId: "quanta",
        scopes: ["openid", "profile", "email"],
        bearer: "id_token",
      },
    });
    expect(
      await configOf({
        QUANTA_OIDC_ISSUER: "https://id.example",
        QUANTA_OIDC_CLIENT_ID: "quanta-web",
        QUANTA_OIDC_AUDIENCE: "quanta-api",
        QUANTA_OIDC_SCOPES: "openid email, groups",
      }),
    ).toEqual({
      oidc: {
        issuer: "https://id.example",
        clientId: "quanta-web",
        scopes: ["openid", "email", "groups"],
        bearer: "access_token",
      },
    });
  });

  it("is public, and described in the OpenAPI document", async () => {
    const app = appFor({});
    const doc = (await (await app.request("/api/openapi.json")).json()) as {
      paths: Record<string, { get?: { operationId?: string } }>;
    };
    expect(doc.paths["/api/auth/config"]?.get?.operationId).toBe("authConfig");
  });

  it("lets the marketplace page talk to the issuer's origin (CSP connect-src) only when OIDC sign-in is on", async () => {
    const csp = async (env: Record<string, string>) =>
      (await appFor(env).request("/sign-in")).headers.get("content-security-policy") ?? "";
    expect(await csp({})).toContain("connect-src 'self';");
    expect(
      await csp({ QUANTA_OIDC_ISSUER: "https://id.example:8443/realms/data", QUANTA_OIDC_CLIENT_ID: "quanta" }),
    ).toContain("connect-src 'self' https://id.example:8443;");
  });
});

describe("OIDC settings from the environment", () => {
  it("takes the audience from the client id when unset, and keeps an explicit audience", () => {
    expect(oidcConfigFromEnv({ QUANTA_OIDC_ISSUER: "https://id.example", QUANTA_OIDC_CLIENT_ID: "quanta" })).toEqual({
      issuer: "https://id.example",
      audience: "quanta",
      clientId: "quanta",
      claims: {},
    });
    expect(oidcConfigFromEnv({ QUANTA_OIDC_ISSUER: "https://id.example", QUANTA_OIDC_AUDIENCE: "api" })).toEqual({
      issuer: "https://id.example",
      audience: "api",
      claims: {},
    });
    expect(() => oidcConfigFromEnv({ QUANTA_OIDC_ISSUER: "https://id.example" })).toThrowErrorMatchingInlineSnapshot(
      `[InputError: QUANTA_OIDC_ISSUER is set but neither QUANTA_OIDC_AUDIENCE nor QUANTA_OIDC_CLIENT_ID is; set the client id tokens are issued for]`,
    );
  });
});
