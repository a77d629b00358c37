import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { exampleProducts } from "../test-fixtures.js";
import { ensureDemoIdentities } from "./demo-identities.js";
import { IdentityStore } from "./identity-store.js";

let db: Database;
let dir: string;
let identity: IdentityStore;

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  const registry = new Registry(db);
  for (const p of await exampleProducts()) await registry.publish({ files: p.files, publishedBy: "quanta-demo" });
  identity = new IdentityStore(db);
  dir = await mkdtemp(join(tmpdir(), "quanta-demo-ids-"));
});
afterAll(async () => {
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("demo identities", () => {
  it("creates an admin, governance, an owner per team and two consumers, each with a working token", async () => {
    const file = join(dir, "demo-tokens.json");
    const tokens = await ensureDemoIdentities(identity, file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(tokens);
    const summary = Object.fromEntries(Object.entries(tokens).map(([u, t]) => [u, `${t.role} ${t.team ?? "-"}`]));
    expect(summary).toEqual({
      "admin@quanta.example": "admin -",
      "governance@quanta.example": "governance -",
      "mia.chen@marketing.example": "consumer marketing-analytics",
      "omar.haddad@insurance.example": "consumer insurance-underwriting",
      "amara.okafor@climate-quantum.example": "owner climate-quantum-climate-analytics",
      "emma.larsen@webshop.example": "owner web-shop-customer-analytics",
      "ingrid.bakker@climate-quantum.example": "owner climate-quantum-observations",
      "lukas.meyer@climate-quantum.example": "owner climate-quantum-climate-risk",
      "sofia.rossi@webshop.example": "owner web-shop-sales-data",
    });
    for (const [user, t] of Object.entries(tokens)) {
      const p = await identity.tokens.authenticateToken(t.token);
      expect(p.name).toBe(user);
      if (t.team) expect(p.teams, user).toContainEqual({ team: t.team, role: t.role === "owner" ? "owner" : "member" });
    }
  });

  it("keeps live tokens across restarts and replaces a revoked one", async () => {
    const file = join(dir, "demo-tokens.json");
    const first = await ensureDemoIdentities(identity, file);
    const again = await ensureDemoIdentities(identity, file);
    expect(again).toEqual(first);
    const admin = first["admin@quanta.example"]?.token as string;
    const p = await identity.tokens.authenticateToken(admin);
    await identity.tokens.revokeToken(p.tokenId as string, "test");
    const third = await ensureDemoIdentities(identity, file);
    expect(third["admin@quanta.example"]?.token).not.toBe(admin);
    expect(third["governance@quanta.example"]).toEqual(first["governance@quanta.example"]);
    expect((await identity.users.listUsers()).length).toBe(Object.keys(first).length);
  });
});
