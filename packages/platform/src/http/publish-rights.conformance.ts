import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { generateProductData } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { ensureDemoIdentities } from "../identity/demo-identities.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { readProductFolder } from "../registry/product-folder.js";
import type { ProductFile } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { examplesDir } from "../test-fixtures.js";
import { createApp } from "./create-app.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const mia = "mia.chen@marketing.example";
const salesTeam = "web-shop-sales-data";

/**
 * Who may publish what (ADR 0020), on one store: the takeover a probe found (a consumer publishing
 * another team's product under a file name the permission check skipped, listing herself as its
 * owner, then reading its personal data) and every variant of it, through the real app with the
 * demo mesh's `sales.orders`, its generated data and the demo identities.
 */
export function publishRightsConformance(name: string, target: StoreTarget): void {
  describe(`publish rights on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let root: string;
    let files: ProductFile[];
    let tokens: Awaited<ReturnType<typeof ensureDemoIdentities>>;
    const errors: unknown[] = [];

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "quanta-publish-rights-"));
      const folder = join(root, "orders");
      await cp(join(examplesDir, "webshop", "orders"), folder, {
        recursive: true,
        filter: (src) => !src.endsWith(".parquet"),
      });
      await generateProductData(folder, { rowCount: 200 });
      files = await readProductFolder(folder);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files, publishedBy: "quanta-demo" });
      const locator = new DataLocator(join(root, "platform"));
      locator.setFolder("sales.orders", folder);
      const identity = new IdentityStore(db);
      app = createApp({
        registry,
        identity,
        harness: new Harness({ db, registry, locator }),
        logError: (e) => errors.push(e),
      });
      tokens = await ensureDemoIdentities(identity);
    });
    afterAll(async () => {
      await db?.close();
      if (root) await rm(root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const bearer = (user: string) => ({ authorization: `Bearer ${tokens[user]?.token}` });
    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
    };
    const productText = () => files.find((f) => f.path === "orders.odps.yaml")?.text ?? "";
    const contract = () => files.filter((f) => f.path !== "orders.odps.yaml");
    /** The probe's product file: version 1.3.1, and the caller added to the team as its owner. */
    const takeover = (who: string, role = "owner") =>
      productText()
        .replace(/^version: 1\.3\.0$/m, "version: 1.3.1")
        .replace(/^ {2}members:\n/m, `  members:\n    - username: ${who}\n      role: ${role}\n`);
    const state = async () => ({
      version: (await db.query<{ version: string }>("SELECT version FROM data_products WHERE id = 'sales.orders'"))
        .rows[0]?.version,
      versions: Number(
        (
          await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM product_versions WHERE product_id = 'sales.orders'",
          )
        ).rows[0]?.n,
      ),
      grants: (
        await db.query<{ user_id: string; role: string }>(
          "SELECT user_id, role FROM team_grants WHERE team_id = $1 AND valid_to IS NULL ORDER BY user_id",
          [salesTeam],
        )
      ).rows,
    });
    const piiRead = () =>
      call("POST", "/api/products/sales.orders/consume", bearer(mia), {
        port: "orders",
        sql: "SELECT order_id, customer_email FROM orders",
      });

    it("gives the demo consumer no access to sales.orders to begin with", async () => {
      expect((await call("GET", "/api/me", bearer(mia))).body.teams).toEqual([
        { team: "marketing-analytics", role: "member" },
      ]);
      expect((await piiRead()).status).toBe(403);
    });

    // The product file under every name the probe tried, and the forms a name can take.
    const names = [
      "orders.odps.yaml",
      "orders.odps.yaml.txt",
      "orders.odps.yml",
      "ORDERS.ODPS.YAML",
      "orders",
      "README",
      "temperature.odps",
      "orders.odps.yaml~",
      "orders.odps.yaml.bak",
      "sub/orders.odps.yaml",
      "./orders.odps.yaml",
      "sub/../orders.odps.json",
    ];
    it.each(names)("refuses a consumer's takeover sent as %j (403, nothing changed, audited)", async (path) => {
      const before = await state();
      const res = await call("POST", "/api/products", bearer(mia), {
        files: [{ path, text: takeover(mia) }, ...contract()],
      });
      if (path.includes("..")) {
        // A path that climbs is refused before anything is read.
        expect(res.status).toBe(400);
      } else {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `sales.orders belongs to team ${salesTeam}; only its owners or an admin may publish it`,
        );
      }
      expect(await state()).toEqual(before);
      expect(before.version).toBe("1.3.0");
    });

    it.each([
      ["a NUL byte", "orders.odps.yaml\u0000.txt", "control character"],
      ["a URL-encoded climb", "%2e%2e/orders.odps.yaml", "URL-encoded"],
      ["an encoded NUL", "orders.odps.yaml%00.txt", "URL-encoded"],
      ["a backslash", "sub\\orders.odps.yaml", "separate folders with /"],
    ])("refuses a product file whose path holds %s (4xx, nothing changed)", async (_, path, reason) => {
      const before = await state();
      const res = await call("POST", "/api/products", bearer(mia), {
        files: [{ path, text: takeover(mia) }, ...contract()],
      });
      expect(res.status).toBe(422);
      expect(JSON.stringify(res.body)).toContain(reason);
      expect(await state()).toEqual(before);
    });

    it("refuses a folder with two product files, or one file under two spellings", async () => {
      const twice = await call("POST", "/api/products", bearer(mia), {
        files: [
          { path: "orders.odps.yaml", text: productText() },
          { path: "contracts/readme.txt", text: takeover(mia) },
          ...contract(),
        ],
      });
      expect(twice.status).toBe(422);
      expect(twice.body.error.details.issues.map((i: Json) => i.code)).toContain("product-odps-multiple");
      const spelled = await call("POST", "/api/products", bearer(mia), {
        files: [
          { path: "orders.odps.yaml", text: productText() },
          { path: "Orders.odps.yaml", text: takeover(mia) },
          ...contract(),
        ],
      });
      expect(spelled.status).toBe(422);
      expect(spelled.body.error.details.issues.map((i: Json) => i.code)).toContain("publish-path-duplicate");
      const stray = await call("POST", "/api/products", bearer(mia), {
        files: [...files, { path: "notes.md", text: "# notes\nnot a document" }],
      });
      expect(stray.status).toBe(422);
      expect(stray.body.error.details.issues[0]).toMatchObject({ code: "publish-file-unrecognised", file: "notes.md" });
    });

    it("holds an owner's publish to the policies whatever the product file is named", async () => {
      const before = await state();
      // No support channel: the default blocking rule owner-and-support refuses it.
      const unsupported = productText()
        .replace(/^version: 1\.3\.0$/m, "version: 1.3.1")
        .replace(/^support:\n(?: {2}.*\n)+/m, "");
      expect(unsupported).not.toContain("support:");
      for (const path of ["orders.odps.yaml.txt", "README"]) {
        const res = await call("POST", "/api/products", bearer("sofia.rossi@webshop.example"), {
          files: [{ path, text: unsupported }, ...contract()],
        });
        expect(res.status, path).toBe(422);
        expect(res.body.error.message).toMatch(/^refused by policy .*owner-and-support/);
      }
      expect(await state()).toEqual(before);
    });

    it("still gives her no access: no membership, no unmasked personal data", async () => {
      expect((await call("GET", "/api/me", bearer(mia))).body.teams).toEqual([
        { team: "marketing-analytics", role: "member" },
      ]);
      const read = await piiRead();
      expect(read.status).toBe(403);
      expect(JSON.stringify(read.body)).not.toMatch(/@example\.(com|net|org)|customer_email":"[^*]/);
    });

    it("audits every refused publish with who tried and why", async () => {
      const { rows } = await db.query<{ actor: string; decision: string; reason: string; details: Json }>(
        "SELECT actor, decision, reason, details FROM audit_log WHERE action = 'publish' AND product_id = 'sales.orders'",
      );
      expect(rows.length).toBe(names.filter((n) => !n.includes("..")).length);
      for (const r of rows) {
        expect(r).toMatchObject({
          actor: mia,
          decision: "denied",
          reason: expect.stringContaining(`belongs to team ${salesTeam}`),
        });
        expect(r.details).toMatchObject({ version: "1.3.1", declaredTeam: salesTeam });
      }
      // The owner team reads its product's audit log, where the attempt shows.
      const owners = await call("GET", "/api/audit?productId=sales.orders", bearer("sofia.rossi@webshop.example"));
      expect(owners.body.items.some((e: Json) => e.action === "publish" && e.actor === mia)).toBe(true);
    });

    it("lets a member neither publish nor promote themselves; an owner's publish grants nobody anything", async () => {
      const sofia = bearer("sofia.rossi@webshop.example");
      const mei = await testIdentity(db, { username: "mei.chen@webshop.example" });
      const granted = await call("PUT", `/api/teams/${salesTeam}/members/${mei.user.id}`, sofia, { role: "member" });
      expect(granted.status).toBe(200);
      const before = await state();
      // Mei is listed as a data engineer; she publishes with her role changed to owner.
      const promoted = productText()
        .replace(/^version: 1\.3\.0$/m, "version: 1.3.1")
        .replace(
          "username: mei.chen@webshop.example\n      name: Mei Chen\n      role: data engineer",
          "username: mei.chen@webshop.example\n      name: Mei Chen\n      role: owner",
        );
      expect(promoted).toContain("Mei Chen\n      role: owner");
      const res = await call("POST", "/api/products", mei.headers, {
        files: [{ path: "orders.odps.yaml", text: promoted }, ...contract()],
      });
      expect(res.status).toBe(403);
      expect(await state()).toEqual(before);
      // Owner-only actions stay closed to her.
      expect(
        (
          await call("POST", "/api/products/sales.orders/control", mei.headers, {
            action: "configure",
            config: { maxRows: 10 },
          })
        ).status,
      ).toBe(403);
      expect(
        (await call("PUT", `/api/teams/${salesTeam}/members/${mei.user.id}`, mei.headers, { role: "owner" })).status,
      ).toBe(403);
      expect(
        (await call("POST", `/api/teams/${salesTeam}/webhooks`, mei.headers, { url: "https://hooks.example.com/q" }))
          .status,
      ).toBe(403);

      // The owner publishes the very file that lists Mia and Mei as owners: it lands, as documentation.
      const both = takeover(mia).replace("Mei Chen\n      role: data engineer", "Mei Chen\n      role: owner");
      const published = await call("POST", "/api/products", sofia, {
        files: [{ path: "orders.odps.yaml", text: both }, ...contract()],
      });
      expect(published.status).toBe(201);
      const after = await state();
      expect(after).toMatchObject({ version: "1.3.1", versions: before.versions + 1, grants: before.grants });
      const team = (await call("GET", `/api/teams/${salesTeam}`, sofia)).body;
      expect(team.declared).toContainEqual({ username: mia, role: "owner" });
      expect(team.members.map((m: Json) => m.username)).not.toContain(mia);
      expect((await call("GET", "/api/me", bearer(mia))).body.teams).toEqual([
        { team: "marketing-analytics", role: "member" },
      ]);
      expect((await call("GET", "/api/me", mei.headers)).body.teams).toEqual([{ team: salesTeam, role: "member" }]);
      expect((await piiRead()).status).toBe(403);
    });
  });
}
