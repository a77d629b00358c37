import { randomBytes } from "node:crypto";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { UnprocessableError } from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { openSecretStore } from "./open-secret-store.js";
import type { SecretStore } from "./secret-store.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const keyOf = () => randomBytes(32).toString("base64");
/** Values that must never be seen again outside a lookup: distinctive, so a leak is found by search. */
const secretValue = (tag: string) => `s3cr3t-${tag}-${randomBytes(8).toString("hex")}`;

/** Every row of every table of the store, as text: where a leaked value would be found. */
async function everything(db: Database): Promise<string> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const dump: unknown[] = [];
  for (const { table_name } of tables) dump.push((await db.query(`SELECT * FROM "${table_name}"`)).rows);
  return JSON.stringify(dump);
}

/** The secret store and its API on one storage driver; secrets-pglite and secrets-postgres run it on each. */
export function secretsConformance(name: string, target: StoreTarget): void {
  describe(`secrets on ${name}`, () => {
    let db: Database;
    let store: SecretStore;
    let app: OpenAPIHono;
    let admin: TestIdentity;
    let consumer: TestIdentity;
    let governance: TestIdentity;
    const key = keyOf();
    const values: string[] = [];
    const errors: unknown[] = [];
    const remember = (v: string) => {
      values.push(v);
      return v;
    };

    beforeAll(async () => {
      db = await target.open();
      store = openSecretStore(db, { env: { QUANTA_SECRETS_KEY: key } });
      app = createApp({ registry: new Registry(db), secrets: store, logError: (e) => errors.push(e) });
      admin = await testIdentity(db, { username: "root@example.com", roles: ["admin"] });
      consumer = await testIdentity(db, { username: "mia@example.com", teams: [{ team: "sales", role: "owner" }] });
      governance = await testIdentity(db, { username: "gov@example.com", roles: ["governance"] });
    });
    afterAll(async () => {
      await db?.close();
      expect(errors).toEqual([]);
    });

    const call = async (method: string, path: string, who?: { headers: Record<string, string> }, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(who?.headers ?? {}) },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, text, body: (text ? JSON.parse(text) : {}) as Json };
    };

    describe("the store", () => {
      it("sets, replaces, lists and deletes, with who and when, never the value", async () => {
        const first = await store.set("prod", "DB_PASSWORD", remember(secretValue("a")), "root@example.com");
        expect(first).toMatchObject({
          created: true,
          secret: { environment: "prod", name: "DB_PASSWORD", updatedBy: "root@example.com" },
        });
        const again = await store.set("prod", "DB_PASSWORD", remember(secretValue("b")), "ops@example.com");
        expect(again).toMatchObject({ created: false, secret: { updatedBy: "ops@example.com" } });
        expect(Date.parse(again.secret.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.secret.updatedAt));
        await store.set("dev", "DB_PASSWORD", remember(secretValue("c")), "root@example.com");
        expect((await store.list()).map((s) => `${s.environment}/${s.name}`)).toEqual([
          "dev/DB_PASSWORD",
          "prod/DB_PASSWORD",
        ]);
        expect(Object.keys((await store.list())[0] as object).sort()).toEqual([
          "environment",
          "name",
          "updatedAt",
          "updatedBy",
        ]);
        await store.delete("dev", "DB_PASSWORD", "root@example.com");
        await expect(store.delete("dev", "DB_PASSWORD", "root@example.com")).rejects.toThrow(
          "no secret DB_PASSWORD in environment dev",
        );
        expect((await store.list()).map((s) => s.environment)).toEqual(["prod"]);
      });

      it("keeps only ciphertext at rest: a fresh IV per value, bound to its environment and name", async () => {
        const value = remember(secretValue("rest"));
        await store.set("prod", "API_TOKEN", value, "root@example.com");
        await store.set("staging", "API_TOKEN", value, "root@example.com");
        const { rows } = await db.query<{ environment: string; ciphertext: string }>(
          "SELECT * FROM platform_secrets WHERE name = 'API_TOKEN' ORDER BY environment",
        );
        expect(rows).toHaveLength(2);
        const raw = JSON.stringify(rows);
        for (const form of [value, Buffer.from(value).toString("base64"), Buffer.from(value).toString("hex")])
          expect(raw).not.toContain(form);
        expect(rows[0]?.ciphertext).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
        // The same value twice: two different ciphertexts.
        expect(rows[0]?.ciphertext).not.toBe(rows[1]?.ciphertext);
        expect((await store.forEnvironment("prod")).lookup("API_TOKEN")).toBe(value);

        // A ciphertext moved onto another row does not open there (the environment and name are bound in).
        await db.query(
          "UPDATE platform_secrets SET ciphertext = $1 WHERE environment = 'staging' AND name = 'API_TOKEN'",
          [(rows.find((r) => r.environment === "prod") as { ciphertext: string }).ciphertext],
        );
        const moved = openSecretStore(db, { env: { QUANTA_SECRETS_KEY: key } });
        const staging = await moved.forEnvironment("staging");
        expect(() => staging.lookup("API_TOKEN")).toThrow(
          "secret API_TOKEN of environment staging cannot be decrypted",
        );
        await store.delete("staging", "API_TOKEN", "root@example.com");
      });

      it("answers the server's environment, then any, then QUANTA_VAR_ of the process", async () => {
        const prod = remember(secretValue("prod"));
        const shared = remember(secretValue("any"));
        await store.set("prod", "WAREHOUSE_PASSWORD", prod, "root@example.com");
        await store.set("any", "WAREHOUSE_PASSWORD", shared, "root@example.com");
        await store.set("any", "WAREHOUSE_USER", "quanta_reader", "root@example.com");
        process.env.QUANTA_VAR_WAREHOUSE_HOST = "warehouse.internal";
        process.env.QUANTA_VAR_WAREHOUSE_USER = "from-the-process";
        process.env.WAREHOUSE_PORT = "5432";
        try {
          const inProd = await store.forEnvironment("prod");
          expect(inProd.lookup("WAREHOUSE_PASSWORD")).toBe(prod);
          expect(inProd.lookup("WAREHOUSE_USER")).toBe("quanta_reader");
          expect(inProd.lookup("WAREHOUSE_HOST")).toBe("warehouse.internal");
          // The process environment only through the prefix: a contract cannot read the platform's settings.
          expect(inProd.lookup("WAREHOUSE_PORT")).toBeUndefined();
          expect(inProd.lookup("QUANTA_SECRETS_KEY")).toBeUndefined();
          expect(inProd.isSecret("WAREHOUSE_HOST")).toBe(true);
          expect(inProd.isSecret("WAREHOUSE_PASSWORD")).toBe(true);
          expect((await store.forEnvironment("dev")).lookup("WAREHOUSE_PASSWORD")).toBe(shared);
          expect((await store.forEnvironment(undefined)).lookup("WAREHOUSE_PASSWORD")).toBe(shared);
          expect((await store.forEnvironment("any")).lookup("WAREHOUSE_PASSWORD")).toBe(shared);
          // An environment no secret may be named (contracts write what they like) still sees any's.
          expect((await store.forEnvironment("Production")).lookup("WAREHOUSE_PASSWORD")).toBe(shared);
        } finally {
          delete process.env.QUANTA_VAR_WAREHOUSE_HOST;
          delete process.env.QUANTA_VAR_WAREHOUSE_USER;
          delete process.env.WAREHOUSE_PORT;
        }
      });

      it("names the secret, never its value, when the key is not the one it was stored with", async () => {
        const value = remember(secretValue("rekey"));
        await store.set("prod", "S3_SECRET_KEY", value, "root@example.com");
        const rekeyed = openSecretStore(db, { env: { QUANTA_SECRETS_KEY: keyOf() } });
        const vars = await rekeyed.forEnvironment("prod");
        let error: unknown;
        try {
          vars.lookup("S3_SECRET_KEY");
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(UnprocessableError);
        expect((error as UnprocessableError).message).toBe(
          "secret S3_SECRET_KEY of environment prod cannot be decrypted: QUANTA_SECRETS_KEY is not the key it was stored with (was it changed, or do the replicas have different ones?); set QUANTA_SECRETS_KEY to the key it was stored with, or set the secret again",
        );
        expect((error as UnprocessableError).code).toBe("secret-undecryptable");
        expect(JSON.stringify({ error, message: (error as Error).message })).not.toContain(value);
        // Names it cannot open do not stop the others: one broken secret fails only the servers using it.
        expect(vars.lookup("NOT_STORED")).toBeUndefined();
        // Without any key (PostgreSQL, no QUANTA_SECRETS_KEY): reading says so, storing is refused.
        const keyless = openSecretStore(db, { driver: "postgres", env: {} });
        await expect(keyless.forEnvironment("prod").then((v) => v.lookup("S3_SECRET_KEY"))).rejects.toThrow(
          "secret S3_SECRET_KEY of environment prod cannot be decrypted: QUANTA_SECRETS_KEY is not set",
        );
        await expect(keyless.set("prod", "OTHER", "x-value", "root@example.com")).rejects.toThrow(
          /has no QUANTA_SECRETS_KEY, so it cannot store secrets: set the same QUANTA_SECRETS_KEY .* on every replica/,
        );
        expect((await store.list()).some((s) => s.name === "OTHER")).toBe(false);
      });

      it("lets another replica see a change within its cache time, and its own writes at once", async () => {
        const replica = openSecretStore(db, { env: { QUANTA_SECRETS_KEY: key }, cacheMs: 100 });
        const before = remember(secretValue("before"));
        const after = remember(secretValue("after"));
        await store.set("prod", "ROTATED", before, "root@example.com");
        expect((await replica.forEnvironment("prod")).lookup("ROTATED")).toBe(before);
        await store.set("prod", "ROTATED", after, "root@example.com");
        expect((await store.forEnvironment("prod")).lookup("ROTATED")).toBe(after);
        await new Promise((r) => setTimeout(r, 150));
        expect((await replica.forEnvironment("prod")).lookup("ROTATED")).toBe(after);
        await replica.delete("prod", "ROTATED", "root@example.com");
        expect((await replica.forEnvironment("prod")).lookup("ROTATED")).toBeUndefined();
      });
    });

    describe("the API", () => {
      const put = (env: string, secret: string, who: { headers: Record<string, string> } | undefined, body: unknown) =>
        call("PUT", `/api/secrets/${encodeURIComponent(env)}/${encodeURIComponent(secret)}`, who, body);

      it("stores (201), replaces (200), lists and deletes (204, then 404) for an admin, answering no value", async () => {
        const value = remember(secretValue("api"));
        const created = await put("eu-staging", "KAFKA_SASL_PASSWORD", admin, { value });
        expect(created.status).toBe(201);
        expect(created.body).toEqual({
          environment: "eu-staging",
          name: "KAFKA_SASL_PASSWORD",
          updatedAt: expect.any(String),
          updatedBy: "root@example.com",
        });
        const replaced = await put("eu-staging", "KAFKA_SASL_PASSWORD", admin, {
          value: remember(secretValue("api2")),
        });
        expect(replaced.status).toBe(200);
        const list = await call("GET", "/api/secrets", admin);
        expect(list.status).toBe(200);
        expect(list.body.items).toContainEqual(
          expect.objectContaining({ environment: "eu-staging", name: "KAFKA_SASL_PASSWORD" }),
        );
        const removed = await call("DELETE", "/api/secrets/eu-staging/KAFKA_SASL_PASSWORD", admin);
        expect(removed).toMatchObject({ status: 204, text: "" });
        const missing = await call("DELETE", "/api/secrets/eu-staging/KAFKA_SASL_PASSWORD", admin);
        expect(missing.status).toBe(404);
        expect(missing.body.error.message).toBe("no secret KAFKA_SASL_PASSWORD in environment eu-staging");
        for (const answer of [created, replaced, list, removed, missing])
          for (const v of values) expect(answer.text).not.toContain(v);
      });

      it("audits each write with who, where and what, without the value", async () => {
        const value = remember(secretValue("audited"));
        await put("prod", "AUDITED", admin, { value });
        await call("DELETE", "/api/secrets/prod/AUDITED", admin);
        const audit = await call("GET", "/api/audit?action=secret.set", admin);
        expect(audit.body.items).toContainEqual(
          expect.objectContaining({
            actor: "root@example.com",
            action: "secret.set",
            decision: "recorded",
            details: { environment: "prod", name: "AUDITED", created: true },
          }),
        );
        const deleted = await call("GET", "/api/audit?action=secret.delete", governance);
        expect(deleted.body.items).toContainEqual(
          expect.objectContaining({ actor: "root@example.com", details: { environment: "prod", name: "AUDITED" } }),
        );
        expect(audit.text).not.toContain(value);
      });

      it("refuses everyone but admins: anonymous 401, others 403, before looking at the request", async () => {
        const scoped = await new IdentityStore(db).tokens.createToken(admin.user.id, { name: "ci", scopes: ["read"] });
        const readOnlyAdmin = { headers: { authorization: `Bearer ${scoped.token}` } };
        const requests: [string, string, unknown?][] = [
          ["GET", "/api/secrets"],
          ["PUT", "/api/secrets/prod/DB_PASSWORD", { value: "sneaky-value" }],
          ["PUT", "/api/secrets/BAD ENV/1bad", { value: "sneaky-value" }],
          ["DELETE", "/api/secrets/prod/DB_PASSWORD"],
        ];
        for (const [method, path, body] of requests) {
          const anonymous = await call(method, path, undefined, body);
          expect(anonymous.status, `${method} ${path}`).toBe(401);
          expect(anonymous.body.error.message).toContain("only admins manage the platform's secrets");
          for (const who of [consumer, governance, readOnlyAdmin]) {
            const refused = await call(method, path, who, body);
            expect(refused.status, `${method} ${path}`).toBe(403);
          }
        }
        expect((await call("GET", "/api/secrets", readOnlyAdmin)).body.error.message).toContain(
          "needs the admin scope",
        );
        expect((await store.forEnvironment("prod")).lookup("DB_PASSWORD")).not.toBe("sneaky-value");
      });

      it("refuses bad names, environments and values with a 400 that says which rule, never the value", async () => {
        const names: [string, string][] = [
          ["1PASSWORD", "starts with a digit"],
          ["DB-PASSWORD", "has a dash"],
          ["DB PASSWORD", "has a space"],
          ["PASSWÖRD", "is not ASCII"],
          ["A\u0000B", "has a NUL"],
          ["../etc", "climbs"],
          [`A${"B".repeat(128)}`, "is 129 characters"],
          ["${X}", "is a reference"],
        ];
        for (const [bad, why] of names) {
          const res = await put("prod", bad, admin, { value: "fine-value" });
          expect(res.status, why).toBe(400);
          expect(res.body.error.code, why).toBe("invalid-secret-name");
          expect(res.body.error.message, why).toContain('is not a secret name: a letter or "_", then letters');
        }
        const environments = ["Prod", "-prod", "prod/eu", "pr od", "p".repeat(64), "prod\u0000"];
        for (const bad of environments) {
          const res = await put(bad, "DB_PASSWORD", admin, { value: "fine-value" });
          expect(res.status, bad).toBe(400);
          expect(res.body.error.message, bad).toContain("is not an environment name: lower-case letters, digits");
        }
        const nul = remember(`before-nul-${randomBytes(4).toString("hex")}\u0000after`);
        const huge = remember(`huge-${randomBytes(4).toString("hex")}${"x".repeat(64 * 1024)}`);
        const wide = "€".repeat(22_000); // 66,000 bytes in 22,000 characters
        const refusals: [unknown, string][] = [
          [{ value: nul }, "the value of secret prod/DB_PASSWORD holds a NUL character"],
          [
            { value: huge },
            `the value of secret prod/DB_PASSWORD is ${huge.length} bytes of UTF-8; at most 65536 (64 KiB)`,
          ],
          [{ value: wide }, "the value of secret prod/DB_PASSWORD is 66000 bytes of UTF-8; at most 65536 (64 KiB)"],
          [
            { value: "" },
            "the value of secret prod/DB_PASSWORD is empty (an empty value counts as unset; delete the secret instead)",
          ],
        ];
        for (const [body, message] of refusals) {
          const res = await put("prod", "DB_PASSWORD", admin, body);
          expect(res.status).toBe(400);
          expect(res.body.error.message).toBe(message);
        }
        for (const body of [{}, { value: 42 }, { value: "ok-value", extra: 1 }, "not json", [`${nul}`]]) {
          const res = await put("prod", "DB_PASSWORD", admin, body);
          expect(res.status, JSON.stringify(body)).toBe(400);
          expect(res.text).not.toContain("before-nul");
        }
        // The largest value allowed is taken.
        expect((await put("prod", "BIG", admin, { value: remember("y".repeat(64 * 1024)) })).status).toBe(201);
        await store.delete("prod", "BIG", "root@example.com");
      });

      it("answers 422 with what to do when the platform has no key to store with", async () => {
        const keyless = createApp({
          registry: new Registry(db),
          secrets: openSecretStore(db, { driver: "postgres", env: {} }),
        });
        const res = await keyless.request("/api/secrets/prod/NEW_SECRET", {
          method: "PUT",
          headers: { ...admin.headers, "content-type": "application/json" },
          body: JSON.stringify({ value: "unstored-value" }),
        });
        expect(res.status).toBe(422);
        const body = (await res.json()) as Json;
        expect(body.error.code).toBe("no-secrets-key");
        expect(body.error.message).toContain("set the same QUANTA_SECRETS_KEY");
        expect(JSON.stringify(body)).not.toContain("unstored-value");
      });

      it("leaves no value anywhere in the store but the ciphertexts", async () => {
        const dump = await everything(db);
        expect(values.length).toBeGreaterThan(10);
        for (const v of values) {
          expect(dump).not.toContain(v);
          expect(dump).not.toContain(Buffer.from(v).toString("base64"));
        }
        expect(dump).not.toContain("unstored-value");
      });
    });
  });
}
