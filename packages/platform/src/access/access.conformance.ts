import { createHmac } from "node:crypto";
import { rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { JobQueue } from "../jobs/job-queue.js";
import { JobWorker } from "../jobs/worker.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { WebhookAddressPolicy } from "../webhooks/webhook-address.js";
import { webhookDelivery, webhookDeliveryKind } from "../webhooks/webhook-service.js";
import { ordersContract, productYaml, writeShop } from "./access-fixtures.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** The webhook receiver of these tests listens on loopback, which webhooks reach only when allowed. */
const loopback = ["127.0.0.0/8"];

/** The access API on one storage driver; access-pglite and access-postgres tests run it on each. */
export function accessConformance(name: string, target: StoreTarget): void {
  describe(`access on ${name}`, () => {
    let db: Database;
    let registry: Registry;
    let app: OpenAPIHono;
    let shop: Awaited<ReturnType<typeof writeShop>>;
    let owner: TestIdentity;
    let consumer: TestIdentity;
    let otherOwner: TestIdentity;
    let governance: TestIdentity;
    let admin: TestIdentity;
    const errors: unknown[] = [];

    beforeAll(async () => {
      shop = await writeShop(30);
      db = await target.open();
      registry = new Registry(db);
      await registry.publish({ files: shop.files });
      const locator = new DataLocator(join(shop.root, "platform"));
      locator.setFolder("shop.orders", shop.folder);
      const harness = new Harness({ db, registry, locator });
      app = createApp({ registry, harness, logError: (e) => errors.push(e), webhookAllowedNetworks: loopback });
      owner = await testIdentity(db, { username: "owner@shop.example", teams: [{ team: "shop-team", role: "owner" }] });
      consumer = await testIdentity(db, {
        username: "ana@analytics.example",
        teams: [{ team: "analytics", role: "member" }],
      });
      otherOwner = await testIdentity(db, {
        username: "olga@other.example",
        teams: [{ team: "other-team", role: "owner" }],
      });
      governance = await testIdentity(db, { username: "gov@example.com", roles: ["governance"] });
      admin = await testIdentity(db, { username: "root@example.com", roles: ["admin"] });
    });
    afterAll(async () => {
      await db?.close();
      if (shop) await rm(shop.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const call = async (method: string, path: string, who?: TestIdentity, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(who?.headers ?? {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: Json = {};
      try {
        json = JSON.parse(text) as Json;
      } catch {
        json = { text };
      }
      return { status: res.status, body: json, text };
    };
    const consume = (who: TestIdentity | undefined, sql?: string, port = "orders") =>
      call("POST", "/api/products/shop.orders/consume", who, { port, ...(sql ? { sql } : {}) });
    const request = { productId: "shop.orders", port: "orders", consumerTeam: "analytics", purpose: "Churn analysis" };
    const agreementState = async (id: string) => (await call("GET", `/api/agreements/${id}`, owner)).body.state;

    describe("from no access to masked data", () => {
      let agreementId = "";

      it("refuses anonymous (401) and a consumer without an agreement (403), audited", async () => {
        expect((await consume(undefined)).status).toBe(401);
        const refused = await consume(consumer);
        expect(refused.status).toBe(403);
        expect(refused.body.error.message).toContain(
          "none of your teams (analytics) has an active data usage agreement",
        );
      });

      it("takes a request once; a replay is a 409 naming the existing request", async () => {
        const created = await call("POST", "/api/access-requests", consumer, request);
        expect(created.status).toBe(201);
        expect(created.body).toMatchObject({ state: "requested", consumerTeam: "analytics", contractVersion: "1.0.0" });
        agreementId = created.body.id;
        const replay = await call("POST", "/api/access-requests", consumer, request);
        expect(replay.status).toBe(409);
        expect(replay.body.error.details).toEqual({ existingId: agreementId, state: "requested" });
      });

      it("refuses requests for a team the caller is not in, unknown ports and bad bodies, changing nothing", async () => {
        expect((await call("POST", "/api/access-requests", otherOwner, request)).status).toBe(403);
        expect((await call("POST", "/api/access-requests", undefined, request)).status).toBe(401);
        expect((await call("POST", "/api/access-requests", consumer, { ...request, port: "nope" })).status).toBe(404);
        expect((await call("POST", "/api/access-requests", consumer, { ...request, evil: 1 })).status).toBe(400);
        const columns = await call("POST", "/api/access-requests", consumer, {
          ...request,
          port: "totals",
          columns: ["day"],
        });
        expect(columns.status).toBe(400);
        expect(columns.body.error.message).toContain("not sensitive columns");
        const list = await call("GET", "/api/agreements?productId=shop.orders", governance);
        expect(list.body.items).toHaveLength(1);
      });

      it("refuses a consumer approving its own request and an owner of another team (403), state unchanged", async () => {
        const own = await call("POST", `/api/access-requests/${agreementId}/approve`, consumer, {});
        expect(own.status).toBe(403);
        expect(own.body.error.message).toContain("a consumer cannot approve or reject its own request");
        const foreign = await call("POST", `/api/access-requests/${agreementId}/approve`, otherOwner, {});
        expect(foreign.status).toBe(403);
        expect(foreign.body.error.message).toContain("only the owner team of shop.orders (shop-team)");
        const forged = await app.request(`/api/access-requests/${agreementId}/approve`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer qnt_forged" },
          body: "{}",
        });
        expect(forged.status).toBe(401);
        expect(await agreementState(agreementId)).toBe("requested");
      });

      it("the owner approves; the consumer reads consented rows with personal data masked", async () => {
        const approved = await call("POST", `/api/access-requests/${agreementId}/approve`, owner, { reason: "ok" });
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ state: "active", decidedBy: "owner@shop.example" });
        expect((await call("POST", `/api/access-requests/${agreementId}/approve`, owner, {})).status).toBe(409);
        const read = await consume(consumer, "SELECT * FROM orders ORDER BY order_id");
        expect(read.status).toBe(200);
        expect(read.body.rowCount).toBe(20);
        expect(read.body.rows[0]).toEqual({
          order_id: 1,
          customer_email: "***",
          customer_id: "***",
          amount: 10,
          analytical_consent: true,
        });
        // The owner team reads its own product unmasked (row filters still apply).
        const own = await consume(owner, "SELECT customer_email FROM orders ORDER BY order_id LIMIT 1");
        expect(own.body.rows).toEqual([{ customer_email: "person1@customers.example" }]);
      });

      it("cannot be seen around: hostile SQL never reveals a masked value or a filtered row", async () => {
        const hostile = [
          "SELECT customer_email FROM orders",
          "SELECT * FROM orders",
          "SELECT (SELECT max(customer_email) FROM orders) AS e",
          "SELECT customer_email FROM orders UNION ALL SELECT customer_id FROM orders",
          "SELECT upper(customer_email) AS u, length(customer_email) AS n, md5(customer_email) AS h FROM orders",
          "WITH x AS (SELECT * FROM orders) SELECT customer_email FROM x",
          "SELECT customer_email FROM orders WHERE customer_email LIKE '%@%'",
          "SELECT string_agg(customer_email, ',') AS all_emails FROM orders",
          "SELECT count(*) AS n FROM orders WHERE NOT analytical_consent",
          "SELECT order_id FROM orders WHERE order_id % 3 = 0",
        ];
        for (const sql of hostile) {
          const res = await consume(consumer, sql);
          expect(res.status, sql).toBe(200);
          expect(res.text, sql).not.toContain("@customers.example");
          expect(res.text, sql).not.toMatch(/"C\d+"/);
          if (sql.includes("NOT analytical_consent")) expect(res.body.rows).toEqual([{ n: 0 }]);
          if (sql.includes("% 3 = 0")) expect(res.body.rows).toEqual([]);
        }
        // Admins run the platform; reading a product's data takes an agreement like anyone else.
        const root = await consume(admin, "SELECT 1 AS one FROM orders");
        expect(root.status).toBe(403);
        expect(root.body.error.message).toMatch(/active data usage agreement .*\(admins too\)$/);
        const escapes = [
          `SELECT * FROM read_parquet('${join(shop.folder, "data", "orders.parquet")}')`,
          `SELECT * FROM '${join(shop.folder, "data", "orders.parquet")}'`,
          "SELECT sql FROM duckdb_views()",
          "SELECT * FROM information_schema.columns",
          "COPY orders TO '/tmp/x.csv'",
          "SELECT 1; SELECT * FROM orders",
        ];
        for (const sql of escapes) {
          const res = await consume(consumer, sql);
          expect(res.status, sql).toBe(400);
          expect(res.text, sql).not.toContain("@customers.example");
        }
      });

      it("writes every step to the append-only audit log that owners and governance read", async () => {
        const log = await call("GET", "/api/audit?productId=shop.orders", owner);
        expect(log.status).toBe(200);
        const steps = (log.body.items as Json[]).map((e) => `${e.action} ${e.decision} ${e.actor}`);
        // Anonymous calls are refused (401) before any product is looked at; known callers are audited.
        expect(steps.slice(0, 4)).toEqual([
          "consume denied ana@analytics.example",
          "access.request recorded ana@analytics.example",
          "access.approve denied ana@analytics.example",
          "access.approve denied olga@other.example",
        ]);
        expect(steps).toContain("access.approve allowed owner@shop.example");
        const read = (log.body.items as Json[]).find((e) => e.action === "consume" && e.decision === "allowed");
        expect(read).toMatchObject({
          actor: "ana@analytics.example",
          agreementId,
          purpose: "Churn analysis",
          rows: 20,
          details: {
            basis: "agreement",
            masked: ["customer_email", "customer_id"],
            rowFilters: ["analytical_consent = true"],
          },
        });
        expect(
          (await call("GET", "/api/audit?actor=ana@analytics.example", governance)).body.items.length,
        ).toBeGreaterThan(3);
        expect((await call("GET", "/api/audit", consumer)).status).toBe(403);
        expect((await call("GET", "/api/audit?productId=shop.orders", consumer)).status).toBe(403);
        expect((await call("GET", "/api/audit", owner)).body.items.length).toBe(log.body.items.length);
        await expect(db.query("UPDATE audit_log SET actor = 'nobody'")).rejects.toThrow(/append-only/);
        await expect(db.query("DELETE FROM audit_log")).rejects.toThrow(/append-only/);
        await expect(db.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
        // Time windows and paging: timestamps and ids come back as ISO strings and numbers on every driver.
        const items = log.body.items as Json[];
        expect(typeof items[0]?.id).toBe("number");
        expect(items[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        const window = (q: string) => call("GET", `/api/audit?productId=shop.orders&${q}`, owner);
        const first = items[0] as Json;
        // An hour from now, written in another zone.
        const later = new Date(Date.now() + 3 * 3_600_000).toISOString().replace("Z", "+02:00");
        expect(
          (await window(`from=${encodeURIComponent(first.at)}&to=${encodeURIComponent(later)}`)).body.items,
        ).toHaveLength(items.length);
        expect((await window(`from=${encodeURIComponent(later)}`)).body.items).toEqual([]);
        expect((await window(`to=${encodeURIComponent(first.at)}`)).body.items).toEqual([]);
        const paged = (await window(`afterId=${first.id}`)).body.items as Json[];
        expect(paged.map((e) => e.id)).toEqual(items.slice(1).map((e) => e.id));
      });

      it("every state change is an event, and active agreements are the edges of the mesh", async () => {
        const events = await db.query<{ type: string }>("SELECT type FROM events WHERE subject = $1 ORDER BY id", [
          agreementId,
        ]);
        expect(events.rows.map((e) => e.type)).toEqual(["agreement.requested", "agreement.approved"]);
        const mesh = await call("GET", "/api/mesh", consumer);
        expect(mesh.body.edges).toEqual([
          expect.objectContaining({ agreementId, productId: "shop.orders", port: "orders", consumerTeam: "analytics" }),
        ]);
      });

      it("the mesh also counts products reading a port through their declared input ports", async () => {
        // A product of another team reads shop.orders' two ports through input ports, with no agreement.
        const reader = `apiVersion: v1.0.0
kind: DataProduct
id: churn.scores
name: Churn scores
version: 1.0.0
status: active
domain: churn
description:
  purpose: Churn scores computed from the shop's orders.
support:
  - channel: "#churn"
    url: https://chat.example.com/churn
    tool: slack
inputPorts:
  - name: shop-orders
    version: 1.0.0
    contractId: shop.orders.orders
  - name: shop-totals
    version: 1.0.0
    contractId: shop.orders.totals
team:
  name: Churn team
  members:
    - username: carla@churn.example
      role: owner
      dateIn: "2024-01-01"
`;
        const published = await registry.publish({ files: [{ path: "churn.odps.yaml", text: reader }] });
        expect(published.product).toMatchObject({ id: "churn.scores" });
        const mesh = await call("GET", "/api/mesh", consumer);
        expect(mesh.status).toBe(200);
        expect(mesh.body.edges).toEqual([
          expect.objectContaining({ kind: "agreement", agreementId, productId: "shop.orders", port: "orders" }),
          {
            kind: "input-port",
            agreementId: "",
            productId: "shop.orders",
            port: "orders",
            consumerTeam: "churn-team",
            consumerProducts: ["churn.scores"],
            inputPort: "shop-orders",
            purpose: "input port shop-orders of churn.scores",
            since: null,
          },
          expect.objectContaining({
            kind: "input-port",
            productId: "shop.orders",
            port: "totals",
            consumerProducts: ["churn.scores"],
            inputPort: "shop-totals",
          }),
        ]);
        // Each product of the map has its connections: shop.orders two readers' edges, churn.scores its inputs.
        const of = (id: string) =>
          mesh.body.edges.filter((e: Json) => e.productId === id || e.consumerProducts.includes(id)).length;
        expect(of("shop.orders")).toBe(3);
        expect(of("churn.scores")).toBe(2);
      });

      it("grants requested columns unmasked when the owner approves them", async () => {
        const team = await testIdentity(db, {
          username: "fin@finance.example",
          teams: [{ team: "finance", role: "owner" }],
        });
        const asked = await call("POST", "/api/access-requests", team, {
          ...request,
          consumerTeam: "finance",
          columns: ["customer_email", "customer_id"],
        });
        expect(asked.status).toBe(201);
        const more = await call("POST", `/api/access-requests/${asked.body.id}/approve`, owner, {
          columns: ["amount"],
        });
        expect(more.status).toBe(400);
        const approved = await call("POST", `/api/access-requests/${asked.body.id}/approve`, owner, {
          columns: ["customer_email"],
        });
        expect(approved.body.grantedColumns).toEqual(["customer_email"]);
        const read = await consume(team, "SELECT customer_email, customer_id FROM orders ORDER BY order_id LIMIT 1");
        expect(read.body.rows).toEqual([{ customer_email: "person1@customers.example", customer_id: "***" }]);
      });

      it("approves by itself on an accessApproval: auto port; ends at once when its notice is zero", async () => {
        const auto = await call("POST", "/api/access-requests", consumer, { ...request, port: "totals" });
        expect(auto.body).toMatchObject({ state: "active", decidedBy: "policy:accessApproval=auto", noticeDays: 0 });
        expect((await consume(consumer, undefined, "totals")).body.rowCount).toBe(5);
        const ended = await call("POST", `/api/agreements/${auto.body.id}/terminate`, consumer, { reason: "done" });
        expect(ended.body.state).toBe("terminated");
        expect((await consume(consumer, undefined, "totals")).status).toBe(403);
        // The slot is free again.
        expect((await call("POST", "/api/access-requests", consumer, { ...request, port: "totals" })).status).toBe(201);
      });

      it("joins ports in one query, each read under its own agreement, masked and filtered by it", async () => {
        const across = (who: TestIdentity | undefined, sql: string, ports = ["orders", "totals"]) =>
          call("POST", "/api/consume", who, { ports: ports.map((port) => ({ product: "shop.orders", port })), sql });
        const joined = await across(
          consumer,
          `SELECT o.order_id, o.customer_email, t.total FROM orders.orders o
           JOIN totals.totals t ON t.day = DATE '2024-01-01' + o.order_id ORDER BY o.order_id`,
        );
        expect(joined.status).toBe(200);
        // Orders' row filter and masks hold inside the join: consented orders only, e-mail masked.
        expect(joined.body.rows).toEqual([
          { order_id: 1, customer_email: "***", total: 100 },
          { order_id: 2, customer_email: "***", total: 200 },
          { order_id: 4, customer_email: "***", total: 400 },
        ]);
        const aliased = await call("POST", "/api/consume", consumer, {
          ports: [
            { product: "shop.orders", port: "orders", as: "o" },
            { product: "shop.orders", port: "totals", as: "t" },
          ],
          sql: "SELECT (SELECT count(*) FROM o.orders) AS orders, (SELECT count(*) FROM t.totals) AS days",
        });
        expect(aliased.body.rows).toEqual([{ orders: 20, days: 5 }]);
        // A port the caller has no right to refuses the whole query, audited like any read.
        expect((await across(otherOwner, "SELECT 1 FROM orders.orders")).status).toBe(403);
        expect((await across(undefined, "SELECT 1 FROM orders.orders")).status).toBe(401);
        // Unqualified names, other schemas and the raw files are not reachable across ports either.
        for (const sql of ["SELECT * FROM orders", "SELECT * FROM main.orders", "SELECT * FROM quanta.orders"]) {
          expect((await across(consumer, sql)).body.error?.code, sql).toBe("sql-refused");
        }
        const twice = await call("POST", "/api/consume", consumer, {
          ports: [
            { product: "shop.orders", port: "orders" },
            { product: "shop.orders", port: "orders" },
          ],
          sql: "SELECT 1",
        });
        expect(twice.status).toBe(400);
        expect(twice.body.error.code).toBe("alias-taken");
        const cased = await call("POST", "/api/consume", consumer, {
          ports: [
            { product: "shop.orders", port: "orders", as: "O" },
            { product: "shop.orders", port: "totals", as: "o" },
          ],
          sql: "SELECT 1",
        });
        expect(cased.body.error?.code).toBe("alias-taken");
        for (const as of ["main", "MAIN", "pg_catalog", "quanta_db_0", "information_schema"]) {
          const res = await call("POST", "/api/consume", consumer, {
            ports: [{ product: "shop.orders", port: "orders", as }],
            sql: "SELECT 1",
          });
          expect([res.status, res.body.error?.code], as).toEqual([400, "alias-reserved"]);
        }
        expect((await call("POST", "/api/consume", consumer, { ports: [], sql: "SELECT 1" })).status).toBe(400);
      });
    });

    describe("breaking changes meet consumers", () => {
      const received: { type: string; attempt: number; body: string; headers: Record<string, string> }[] = [];
      let receiver: Server;
      let url = "";

      beforeAll(async () => {
        let calls = 0;
        receiver = createServer((req, res) => {
          let body = "";
          req.on("data", (c) => {
            body += c;
          });
          req.on("end", () => {
            calls++;
            received.push({
              type: (JSON.parse(body) as { type: string }).type,
              attempt: calls,
              body,
              headers: req.headers as Record<string, string>,
            });
            // The first delivery fails: the queue must retry it.
            res.writeHead(calls === 1 ? 503 : 204).end();
          });
        });
        await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
        url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      });
      afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

      it("keeps serving the agreed major version until accepted, notifying the consumer through a retried webhook", async () => {
        const hook = await call("POST", "/api/teams/analytics/webhooks", consumer, { url });
        expect(hook.status).toBe(403); // a member, not an owner, of analytics
        const lead = await testIdentity(db, {
          username: "lead@analytics.example",
          teams: [{ team: "analytics", role: "owner" }],
        });
        expect((await call("POST", "/api/teams/analytics/webhooks", lead, { url: "file:///etc/passwd" })).status).toBe(
          400,
        );
        const registered = await call("POST", "/api/teams/analytics/webhooks", lead, { url });
        expect(registered.status).toBe(201);
        // Only breaking changes, on this webhook: not every publish or agreement change of the mesh.
        const subscribed = await call("POST", "/api/teams/analytics/subscriptions", lead, {
          types: ["contract.breaking-change"],
        });
        expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
        const secret = registered.body.secret as string;
        expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
        // The secret is shown once: listing the webhooks does not return it.
        const listed = await call("GET", "/api/teams/analytics/webhooks", lead);
        expect(listed.body.items[0]).not.toHaveProperty("secret");

        const v2 = ordersContract("2.0.0", "orders_v2").replace("name: amount\n", "name: amount_eur\n");
        const announced = `${v2}customProperties:\n  - property: breakingChangeAnnounced\n    value: "2020-01-01"\n`;
        const files = [
          { path: "shop-orders.odps.yaml", text: productYaml("2.0.0", "2.0.0") },
          { path: "contracts/orders.odcs.yaml", text: announced },
          shop.files[2] as { path: string; text: string },
        ];
        const published = await call("POST", "/api/products", owner, { files });
        expect(published.status, JSON.stringify(published.body)).toBe(201);
        const list = await call(
          "GET",
          "/api/agreements?productId=shop.orders&consumerTeam=analytics&state=active",
          consumer,
        );
        const agreement = (list.body.items as Json[]).find((a) => a.port === "orders") as Json;
        expect(agreement).toMatchObject({ contractVersion: "1.0.0", pendingVersion: "2.0.0", noticeDays: 7 });
        // Still version 1: the column is `amount`, from orders.parquet.
        const before = await consume(consumer, "SELECT * FROM orders ORDER BY order_id LIMIT 1");
        expect(Object.keys(before.body.rows[0])).toContain("amount");

        const queue = new JobQueue(db, { backoffBaseMs: 20 });
        const delivery = webhookDelivery(db, new WebhookAddressPolicy({ allowedNetworks: loopback }));
        const worker = new JobWorker(queue, { handlers: { [webhookDeliveryKind]: delivery } });
        for (let i = 0; i < 50 && received.length < 2; i++) {
          await worker.drain();
          await new Promise((r) => setTimeout(r, 30));
        }
        expect(received.map((r) => r.type)).toEqual([
          "dev.quanta.contract.breaking-change",
          "dev.quanta.contract.breaking-change",
        ]);
        // Each delivery is signed as Standard Webhooks says, with the same id on the retry.
        const key = Buffer.from(secret.slice("whsec_".length), "base64");
        for (const r of received) {
          const { "webhook-id": id, "webhook-timestamp": at, "webhook-signature": signature } = r.headers;
          const expected = createHmac("sha256", key).update(`${id}.${at}.${r.body}`).digest("base64");
          expect(signature).toBe(`v1,${expected}`);
          expect(Math.abs(Date.now() / 1000 - Number(at))).toBeLessThan(60);
        }
        expect(received[0]?.headers["webhook-id"]).toBe(received[1]?.headers["webhook-id"]);
        const jobs = await queue.list({ kind: webhookDeliveryKind });
        expect(jobs.map((j) => [j.status, j.attempts])).toEqual([["done", 2]]);

        const accepted = await call("POST", `/api/agreements/${agreement.id}/accept-version`, consumer);
        expect(accepted.body).toMatchObject({ contractVersion: "2.0.0", pendingVersion: null });
        const after = await consume(consumer, "SELECT * FROM orders ORDER BY order_id LIMIT 1");
        expect(after.body.rows[0]).toMatchObject({ amount_eur: 10, customer_email: "***" });
        expect((await call("POST", `/api/agreements/${agreement.id}/accept-version`, consumer)).status).toBe(409);
      });

      it("terminating honours the contract's notice period, from either side", async () => {
        const list = await call("GET", "/api/agreements?consumerTeam=analytics&state=active", consumer);
        const agreement = (list.body.items as Json[]).find((a) => a.port === "orders") as Json;
        expect((await call("POST", `/api/agreements/${agreement.id}/terminate`, otherOwner, {})).status).toBe(403);
        const ending = await call("POST", `/api/agreements/${agreement.id}/terminate`, owner, { reason: "retiring" });
        expect(ending.body.state).toBe("terminating");
        const days = (new Date(ending.body.noticeEndsAt).getTime() - Date.now()) / 86_400_000;
        expect(days).toBeGreaterThan(6.9);
        expect(days).toBeLessThanOrEqual(7);
        // Within the notice period the consumer still reads.
        expect((await consume(consumer, "SELECT order_id FROM orders LIMIT 1")).status).toBe(200);
        expect((await call("POST", `/api/agreements/${agreement.id}/terminate`, consumer, {})).status).toBe(409);
      });
    });

    describe("over a real socket", () => {
      it("serves a masked read to a consumer with an agreement", async () => {
        const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
        await new Promise<void>((r) => server.once("listening", () => r()));
        try {
          const { port } = server.address() as AddressInfo;
          const res = await fetch(`http://127.0.0.1:${port}/api/products/shop.orders/consume`, {
            method: "POST",
            headers: { "content-type": "application/json", ...consumer.headers },
            body: JSON.stringify({ port: "orders", sql: "SELECT customer_email FROM orders LIMIT 2", format: "csv" }),
          });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe("customer_email\r\n***\r\n***\r\n");
          // Every format reads through the same masked views: Arrow too.
          const arrow = await fetch(`http://127.0.0.1:${port}/api/products/shop.orders/consume`, {
            method: "POST",
            headers: { "content-type": "application/json", ...consumer.headers },
            body: JSON.stringify({ port: "orders", sql: "SELECT customer_email FROM orders LIMIT 2", format: "arrow" }),
          });
          expect(arrow.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
          const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
          expect(table.toArray().map((r) => r.toJSON())).toEqual([
            { customer_email: "***" },
            { customer_email: "***" },
          ]);
        } finally {
          await new Promise<void>((r) => server.close(() => r()));
        }
      });
    });

    describe("at the same time", () => {
      /**
       * Runs `fire` so that its `n` calls meet in the database. On PostgreSQL another transaction
       * holds a row lock (`lockSql`) until all n calls wait on a lock, so each one has passed its
       * checks and races at the write; PGlite has one connection and runs them in turn.
       */
      const atOnce = async <T>(lockSql: string, param: string, n: number, fire: () => Promise<T>): Promise<T> => {
        if (db.driver !== "postgres") return fire();
        let fired: Promise<T> | undefined;
        await db.transaction(async (tx) => {
          await tx.query(lockSql, [param]);
          fired = fire();
          fired.catch(() => {}); // awaited below, after the lock is released
          for (let waiting = 0, i = 0; waiting < n; i++) {
            if (i === 500) throw new Error(`only ${waiting} of ${n} calls reached the database at once`);
            await new Promise((r) => setTimeout(r, 10));
            const { rows } = await db.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            waiting = rows[0]?.n ?? 0;
          }
        });
        return fired as Promise<T>;
      };

      it("two owners approving one request at once make exactly one transition and one event", async () => {
        const second = await testIdentity(db, {
          username: "second@shop.example",
          teams: [{ team: "shop-team", role: "owner" }],
        });
        const lead = await testIdentity(db, {
          username: "lead@marketing.example",
          teams: [{ team: "marketing", role: "owner" }],
        });
        const asked = await call("POST", "/api/access-requests", lead, { ...request, consumerTeam: "marketing" });
        expect(asked.status).toBe(201);
        const id = asked.body.id as string;
        const results = await atOnce("SELECT 1 FROM agreements WHERE id = $1 FOR UPDATE", id, 2, () =>
          Promise.all(
            [owner, second].map((who) => call("POST", `/api/access-requests/${id}/approve`, who, { reason: "ok" })),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
        const lost = results.find((r) => r.status === 409) as { body: Json };
        // On PostgreSQL both passed the state check: the fenced UPDATE is what refused the loser.
        if (db.driver === "postgres") expect(lost.body.error.message).toContain("changed meanwhile");
        const events = await db.query<{ type: string }>("SELECT type FROM events WHERE subject = $1 ORDER BY id", [id]);
        expect(events.rows.map((e) => e.type)).toEqual(["agreement.requested", "agreement.approved"]);
        const audit = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log
           WHERE agreement_id = $1 AND action = 'access.approve' AND decision = 'allowed'`,
          [id],
        );
        expect(audit.rows[0]?.n).toBe(1);
        expect(await agreementState(id)).toBe("active");
      });

      it("the same access request sent several times at once creates one; the others are 409s naming it", async () => {
        const member = await testIdentity(db, {
          username: "sam@sales.example",
          teams: [{ team: "sales", role: "member" }],
        });
        // The request's foreign key check waits for the lock on its consumer team's row.
        const results = await atOnce("SELECT 1 FROM teams WHERE id = $1 FOR UPDATE", "sales", 4, () =>
          Promise.all(
            Array.from({ length: 4 }, () =>
              call("POST", "/api/access-requests", member, { ...request, consumerTeam: "sales" }),
            ),
          ),
        );
        expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
        const created = results.find((r) => r.status === 201) as { body: Json };
        for (const r of results.filter((x) => x.status === 409)) {
          expect(r.body.error.details).toEqual({ existingId: created.body.id, state: "requested" });
        }
        const stored = await db.query<{ id: string }>("SELECT id FROM agreements WHERE consumer_team = 'sales'");
        expect(stored.rows).toEqual([{ id: created.body.id }]);
        const recorded = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM audit_log WHERE action = 'access.request' AND details->>'consumerTeam' = 'sales'",
        );
        expect(recorded.rows[0]?.n).toBe(1);
      });
    });
  });
}
