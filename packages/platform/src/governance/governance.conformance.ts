import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { tinyProduct } from "../test-fixtures.js";
import { GovernanceService } from "./governance-service.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** The governance API on one storage driver; governance-pglite and governance-postgres tests run it on each. */
export function governanceConformance(name: string, target: StoreTarget): void {
  describe(`governance on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let gov: TestIdentity;
    let owner: TestIdentity;
    let consumer: TestIdentity;

    beforeAll(async () => {
      db = await target.open();
      const registry = new Registry(db);
      const harness = new Harness({
        db,
        registry,
        locator: new DataLocator(join(tmpdir(), `quanta-gov-${process.pid}`)),
      });
      app = createApp({ registry, harness });
      gov = await testIdentity(db, { username: "gov@example.com", roles: ["governance"] });
      owner = await testIdentity(db, { username: "owner@example.com", teams: [{ team: "test-team", role: "owner" }] });
      consumer = await testIdentity(db, { username: "c@example.com" });
    });
    afterAll(() => db?.close());

    const call = async (method: string, path: string, who?: TestIdentity, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(who?.headers ?? {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const apply = (who: TestIdentity | undefined, source: string) =>
      call("POST", "/api/policies", who, { source, file: "org.yaml" });
    const versions = async () => (await call("GET", "/api/policies", consumer)).body.versions.length;

    const domainPolicy = (params: string, version = "1.0.0") => `apiVersion: quanta/v1
kind: PolicySet
name: testing-domain
version: ${version}
rules:
  - id: documentation-coverage
    builtin: documentation-coverage
    severity: blocking
    levels: [raw]
    scope: { domain: testing }
    params: ${params}
`;

    describe("policies in the platform", () => {
      it("publishes a compliant product, stores the evaluation and answers govern with a certification", async () => {
        expect((await call("POST", "/api/products", owner, { files: tinyProduct("testing.tiny") })).status).toBe(201);
        const govern = await call("GET", "/api/products/testing.tiny/govern", consumer);
        expect(govern.status).toBe(200);
        expect(govern.body).toMatchObject({
          policyEngine: "available",
          policy: { name: "quanta-default", revision: 0 },
          evaluation: { trigger: "publish", productVersion: "1.0.0" },
          certification: { level: "none", status: "not-certified" },
        });
        expect(govern.body.certification.reason).toBe("contract testing.tiny.rows: no contract test run");
        expect(govern.body.policies.find((p: Json) => p.rule === "purpose-present").status).toBe("passed");
      });

      it("certifies once the contract test is green, filters the registry by it and lapses when the test fails", async () => {
        const run = async (status: string) => {
          const { rows } = await db.query<{ id: number }>(
            `INSERT INTO test_runs (product_id, contract_id, contract_version, server, status, finished_at)
         VALUES ('testing.tiny', 'testing.tiny.rows', '1.0.0', 'local', $1, now()) RETURNING id`,
            [status],
          );
          await new GovernanceService(db).evaluate("testing.tiny", "test-run");
          return rows[0];
        };
        await run("passed");
        const certified = await call("GET", "/api/products/testing.tiny/govern", consumer);
        expect(certified.body.certification).toMatchObject({ level: "raw", status: "certified" });
        expect(new Date(certified.body.certification.validUntil).getTime()).toBeGreaterThan(Date.now() + 3_500_000);
        const ids = async (q: string) =>
          ((await call("GET", `/api/products?${q}`, consumer)).body.items as Json[]).map((p) => p.id);
        expect(await ids("certification=raw")).toEqual(["testing.tiny"]);
        expect(await ids("certification=curated")).toEqual([]);
        expect((await call("GET", "/api/products?certification=gold", consumer)).status).toBe(400);
        await run("failed");
        const lapsed = await call("GET", "/api/products/testing.tiny/govern", consumer);
        expect(lapsed.body.certification).toMatchObject({ level: "none", status: "not-certified" });
        expect(lapsed.body.certification.reason).toBe("contract testing.tiny.rows: latest contract test failed");
        expect(await ids("certification=raw")).toEqual([]);
        const history = await call("GET", "/api/products/testing.tiny/evaluations", consumer);
        expect((history.body.items as Json[]).map((e) => [e.trigger, e.level])).toEqual([
          ["test-run", "none"],
          ["test-run", "raw"],
          ["publish", "none"],
        ]);
      });

      it("refuses bad policy files with their reasons and stores nothing", async () => {
        const unknown = await apply(
          gov,
          domainPolicy("{ descriptions: 1 }").replace("severity:", "severty: x\n    severity:"),
        );
        expect(unknown.status).toBe(422);
        expect(unknown.body.error.details.issues[0]).toMatchObject({ code: "policy-field-unknown", line: 8 });
        const cel = await apply(
          gov,
          "apiVersion: quanta/v1\nkind: Policy\nname: c\nversion: 1.0.0\nid: bad-cel\nseverity: advisory\ncel: product.id ==\nmessage: m\n",
        );
        expect(cel.status).toBe(422);
        expect(cel.body.error.message).toMatch(/not a valid policy file/);
        const loose = await apply(
          gov,
          domainPolicy("{ descriptions: 1 }")
            .replace("documentation-coverage\n    builtin", "purpose-present\n    builtin")
            .replace("builtin: documentation-coverage", "builtin: purpose-present")
            .replace("params: { descriptions: 1 }", "params: { minLength: 5 }"),
        );
        expect(loose.status).toBe(422);
        expect(loose.body.error.details.issues[0].code).toBe("policy-loosens-global");
        const reserved = await apply(gov, domainPolicy("{}").replace("name: testing-domain", "name: quanta-default"));
        expect(reserved.status).toBe(422);
        expect(await versions()).toBe(0);
      });

      it("lets governance apply policies, versioned; others are refused", async () => {
        expect((await apply(undefined, domainPolicy("{ descriptions: 1 }"))).status).toBe(401);
        expect((await apply(consumer, domainPolicy("{ descriptions: 1 }"))).status).toBe(403);
        const first = await apply(gov, domainPolicy("{ descriptions: 1 }"));
        expect(first.status).toBe(201);
        expect(first.body).toMatchObject({
          version: { name: "testing-domain", version: "1.0.0", revision: 1 },
          evaluated: 1,
        });
        expect((await apply(gov, domainPolicy("{ descriptions: 1 }"))).status).toBe(200);
        const sameVersion = await apply(gov, domainPolicy("{ descriptions: 0.5 }"));
        expect(sameVersion.status).toBe(422);
        const active = await call("GET", "/api/policies", consumer);
        expect(active.body).toMatchObject({ name: "quanta-default+testing-domain", revision: 1 });
        expect(active.body.versions).toHaveLength(1);
        await expect(db.query("UPDATE policy_versions SET version = '9'")).rejects.toThrow(/append-only/);
      });

      it("refuses a publish that breaks a blocking rule, with the reasons, and stores nothing", async () => {
        // The domain rule now demands a description on every property; the tiny contract has none.
        const refused = await call("POST", "/api/products", owner, {
          files: tinyProduct("testing.tiny", { version: "1.1.0" }),
        });
        expect(refused.status).toBe(422);
        expect(refused.body.error.message).toBe(
          "refused by policy quanta-default+testing-domain 1.0.0+1.0.0: blocking rule documentation-coverage failed",
        );
        expect(refused.body.error.details.issues[0]).toMatchObject({
          code: "policy-documentation-coverage",
          severity: "error",
          file: "contracts/rows.odcs.yaml",
        });
        expect((await call("GET", "/api/products/testing.tiny", consumer)).body.version).toBe("1.0.0");
        const govern = await call("GET", "/api/products/testing.tiny/govern", consumer);
        expect(govern.body.policy.revision).toBe(1);
      });
    });
  });
}
