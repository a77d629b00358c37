import { randomBytes } from "node:crypto";
import { InputError, NotFoundError } from "@quanta/core";
import type { ReadDataset } from "@quanta/core/engines";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresConfig, resolvePostgresConfig } from "../postgres-config.js";
import { issueLogin } from "./issue-login.js";
import { provisionShare } from "./provision-share.js";
import { revokeShare } from "./revoke-share.js";
import { scramVerifier } from "./scram-verifier.js";
import { defaultViewName, shareIdentifier } from "./share-identifier.js";

const customers: ReadDataset = {
  name: "customers",
  source: { kind: "table", schema: undefined, table: "customers" },
  masked: ["email"],
  rowFilters: ["region = 'EU'"],
};
const orders: ReadDataset = {
  name: "sales.orders",
  source: { kind: "table", schema: "sales", table: "orders" },
  masked: [],
  rowFilters: [],
};

describe("share names", () => {
  it("accepts only [a-z0-9_] up to 63 bytes, and no pg_ roles or schemas", () => {
    expect(shareIdentifier("role", "quanta_agr_42")).toBe("quanta_agr_42");
    expect(shareIdentifier("view", "pg_view_is_fine")).toBe("pg_view_is_fine");
    for (const [kind, bad] of [
      ["role", "Quanta"],
      ["role", 'a"; DROP ROLE postgres; --'],
      ["role", "a-b"],
      ["role", ""],
      ["role", "é"],
      ["schema", "x".repeat(64)],
      ["role", "pg_monitor"],
      ["schema", "pg_catalog"],
    ] as const) {
      expect(() => shareIdentifier(kind, bad), bad).toThrow(InputError);
    }
  });

  it("derives a view name per role and dataset that stays distinct past 63 bytes", () => {
    expect(defaultViewName("quanta_agr_1", "Sales.Orders")).toBe("quanta_agr_1__sales_orders");
    const a = defaultViewName("quanta_agr_1", `${"x".repeat(60)}a`);
    const b = defaultViewName("quanta_agr_1", `${"x".repeat(60)}b`);
    expect(a.length).toBe(63);
    expect(a).not.toBe(b);
  });
});

describe.skipIf(postgresSkipReason())("share grants on a real server", () => {
  let db: { url: string; drop(): Promise<void> };
  let superuser: pg.Client;
  let admin: PostgresConfig;
  const run = randomBytes(4).toString("hex");
  const adminRole = `quanta_test_admin_${run}`;
  const role = `quanta_test_agr_${run}`;
  const roles = [adminRole, role, `${role}_b`];

  /** A new session as `user`, with `password` (the test server trusts local logins, so it is checked apart). */
  const connectAs = async (user: string, password?: string) => {
    const u = new URL(db.url);
    u.username = user;
    if (password) u.password = password;
    const client = new pg.Client({ connectionString: u.toString() });
    client.on("error", () => {});
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase("engine_pg_grants");
    superuser = new pg.Client({ connectionString: db.url });
    await superuser.connect();
    const database = new URL(db.url).pathname.slice(1);
    // The admin has only what the grants need: no superuser.
    await superuser.query(`
      CREATE SCHEMA sales;
      CREATE TABLE sales.customers (id integer, name text, email text, region text);
      INSERT INTO sales.customers VALUES (1, 'Ada', 'ada@x.eu', 'EU'), (2, 'Bob', 'bob@x.us', 'US'), (3, 'Cleo', 'cleo@x.eu', 'EU');
      CREATE TABLE sales.orders (id integer, amount numeric(10,2));
      INSERT INTO sales.orders VALUES (1, 9.50);
      CREATE TABLE public.elsewhere (x integer);
      CREATE ROLE ${adminRole} LOGIN CREATEROLE;
      GRANT pg_signal_backend TO ${adminRole};
      GRANT CREATE ON DATABASE "${database}" TO ${adminRole};
      GRANT USAGE ON SCHEMA sales TO ${adminRole};
      GRANT SELECT ON ALL TABLES IN SCHEMA sales TO ${adminRole};`);
    const u = new URL(db.url);
    admin = resolvePostgresConfig(
      { type: "postgres", host: u.hostname, port: Number(u.port), database, schema: "sales" },
      { QUANTA_POSTGRES_USER: adminRole },
    );
  });
  afterAll(async () => {
    if (superuser) {
      for (const r of roles) {
        await superuser.query(`DROP OWNED BY ${r}`).catch(() => {});
        await superuser.query(`DROP ROLE IF EXISTS ${r}`).catch(() => {});
      }
      await superuser.end();
    }
    await db?.drop();
  });

  it("gives the agreement's role exactly the masked, filtered rows through its views, nothing else", async () => {
    const share = await provisionShare(admin, { role, schema: "quanta_shares", datasets: [customers, orders] });
    expect(share).toEqual({
      role,
      views: [`quanta_shares.${role}__customers`, `quanta_shares.${role}__sales_orders`],
    });
    const password = await issueLogin(admin, role);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The server holds the password's SCRAM verifier (the same salt gives the same verifier), never the password.
    const stored = String(
      (await superuser.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role])).rows[0].rolpassword,
    );
    const salt = Buffer.from(stored.split("$")[1]!.split(":")[1]!, "base64");
    expect(stored).toBe(scramVerifier(password, salt));

    const consumer = await connectAs(role, password);
    try {
      const { rows } = await consumer.query(`SELECT * FROM quanta_shares.${role}__customers ORDER BY id`);
      expect(rows).toEqual([
        { id: 1, name: "Ada", email: "***", region: "EU" },
        { id: 3, name: "Cleo", email: "***", region: "EU" },
      ]);
      // security_barrier: the reader's condition runs after the row filter, so it never divides by zero on Bob's row.
      const guarded = await consumer.query(
        `SELECT id FROM quanta_shares.${role}__customers WHERE (CASE WHEN region <> 'EU' THEN 1 / (id - id) ELSE 1 END) = 1`,
      );
      expect(guarded.rows).toHaveLength(2);
      for (const sql of [
        "SELECT * FROM sales.customers",
        "SELECT * FROM public.elsewhere",
        "CREATE TABLE public.mine (x integer)",
        "CREATE VIEW quanta_shares.mine AS SELECT 1",
      ]) {
        await expect(consumer.query(sql), sql).rejects.toMatchObject({
          code: expect.stringMatching(/^(42501|25006)$/),
        });
      }
      await expect(consumer.query("SELECT * FROM sales.customers")).rejects.toThrow(/permission denied/);
      await expect(consumer.query("SHOW default_transaction_read_only")).resolves.toMatchObject({
        rows: [{ default_transaction_read_only: "on" }],
      });
    } finally {
      await consumer.end();
    }
  });

  it("replaces the views on a second run and drops those no longer shared", async () => {
    const share = await provisionShare(admin, {
      role,
      schema: "quanta_shares",
      datasets: [{ ...customers, masked: ["email", "name"], rowFilters: ["region = 'EU'", "id > 1"] }],
    });
    expect(share.views).toEqual([`quanta_shares.${role}__customers`]);
    const consumer = await connectAs(role);
    try {
      const { rows } = await consumer.query(`SELECT * FROM quanta_shares.${role}__customers`);
      expect(rows).toEqual([{ id: 3, name: "***", email: "***", region: "EU" }]);
      await expect(consumer.query(`SELECT * FROM quanta_shares.${role}__sales_orders`)).rejects.toThrow(
        /does not exist/,
      );
    } finally {
      await consumer.end();
    }
    // A view another share holds is not taken over.
    await expect(
      provisionShare(admin, {
        role: `${role}_b`,
        schema: "quanta_shares",
        datasets: [customers],
        viewName: () => `${role}__customers`,
      }),
    ).rejects.toMatchObject({ code: "share-view-taken" });
    await expect(
      provisionShare(admin, { role, schema: "quanta_shares", datasets: [customers], viewName: () => "Bad" }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(issueLogin(admin, "quanta_never_provisioned")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("revokes: open sessions end, the role is gone, a second revoke is fine", async () => {
    const password = await issueLogin(admin, role);
    const open = await connectAs(role, password);
    const ended = new Promise((resolve) => open.once("end", () => resolve("ended")));
    await open.query(`SELECT 1 FROM quanta_shares.${role}__customers`);

    const views = [`quanta_shares.${role}__customers`, `quanta_shares.${role}__sales_orders`];
    const revoked = await revokeShare(admin, role, views);
    expect(revoked).toEqual({ role, dropped: [`quanta_shares.${role}__customers`], terminated: 1 });
    expect(await ended).toBe("ended");
    await expect(open.query("SELECT 1")).rejects.toThrow();
    await expect(connectAs(role, password)).rejects.toMatchObject({ code: "28000" });
    const left = await superuser.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1", [role]);
    expect(left.rows).toEqual([{ n: 0 }]);

    expect(await revokeShare(admin, role, views)).toEqual({ role, dropped: [], terminated: 0 });
    // Views the caller does not list lose their grants, so the role can still be dropped.
    const other = `${role}_b`;
    const kept = await provisionShare(admin, { role: other, schema: "quanta_shares", datasets: [orders] });
    expect(await revokeShare(admin, other, [])).toEqual({ role: other, dropped: [], terminated: 0 });
    const view = await superuser.query("SELECT relacl::text AS acl FROM pg_class WHERE relname = $1", [
      kept.views[0]!.split(".")[1],
    ]);
    expect(view.rows[0].acl).not.toContain(other);
    await expect(revokeShare(admin, role, ["no-schema"])).rejects.toBeInstanceOf(InputError);
  });
});
