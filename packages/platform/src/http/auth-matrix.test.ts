import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore, type User } from "../identity/identity-store.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { tinyProduct } from "../test-fixtures.js";
import { createApp } from "./create-app.js";

/**
 * The authorization matrix (ADR 0013): every role against every harness interface and every
 * identity/admin route, through the real app, real tokens and a real product with data.
 */
const roles = ["anonymous", "consumer", "otherTeam", "member", "owner", "governance", "admin"] as const;
type Role = (typeof roles)[number];

let db: Database;
let app: OpenAPIHono;
let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
let target: User;
const headers: Record<Role, Record<string, string>> = {} as never;

beforeAll(async () => {
  fixture = await writeSensorProducts(200);
  db = await openDatabase({ memory: true });
  const registry = new Registry(db);
  await registry.publish({ files: fixture.upstream });
  await registry.publish({ files: fixture.sensors });
  const locator = new DataLocator(join(fixture.root, "platform"));
  locator.setFolder("test.sensors", fixture.sensorsDir);
  const identity = new IdentityStore(db);
  app = createApp({ registry, identity, harness: new Harness({ db, registry, locator }) });
  const make = {
    anonymous: async () => ({}),
    consumer: async () => (await testIdentity(identity)).headers,
    otherTeam: async () =>
      (await testIdentity(identity, { teams: [{ team: "upstream-team", role: "member" }] })).headers,
    member: async () => (await testIdentity(identity, { teams: [{ team: "sensor-team", role: "member" }] })).headers,
    // The product's team section names ada as its owner; the rights come from the grant alone.
    owner: async () =>
      (await testIdentity(identity, { username: "ada@example.com", teams: [{ team: "sensor-team", role: "owner" }] }))
        .headers,
    governance: async () => (await testIdentity(identity, { roles: ["governance"] })).headers,
    admin: async () => (await testIdentity(identity, { roles: ["admin"] })).headers,
  } satisfies Record<Role, () => Promise<Record<string, string>>>;
  for (const role of roles) headers[role] = await make[role]();
  target = await identity.users.createUser({ username: "target@example.com" });
});
afterAll(async () => {
  await db?.close();
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

const event = (id: number) => ({ event_id: id, kind: "start", level: 1, day: "2025-01-02", ok: true });
let n = 0;

interface Row {
  route: string;
  body?: (role: Role) => unknown;
  /** A body that is not JSON (a data file), with its content type. */
  file?: () => Promise<{ type: string; bytes: Uint8Array }>;
  /** Reads what later rows need (e.g. the id of a request this row created). */
  after?: (res: Response, role: Role) => Promise<void>;
  /** anonymous, consumer, member of another team, member, owner, governance, admin */
  expect: [number, number, number, number, number, number, number];
}

const P = "/api/products/test.sensors";
let requestId = "";
// An advisory global rule: applying it re-evaluates the mesh but never refuses anything.
const policySource = [
  "apiVersion: quanta/v1",
  "kind: PolicySet",
  "name: matrix-rules",
  "version: 1.0.0",
  "rules:",
  "  - id: matrix-purpose",
  "    builtin: purpose-present",
  "    severity: advisory",
  "    levels: [curated]",
  "",
].join("\n");
const matrix: Row[] = [
  { route: "GET /api/health", expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: "GET /api/products", expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: "GET /api/facets", expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}`, expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}/contracts`, expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}/discover`, expect: [200, 200, 200, 200, 200, 200, 200] },
  {
    route: `POST ${P}/consume`,
    body: () => ({ port: "readings", limit: 2 }),
    expect: [401, 200, 200, 200, 200, 200, 200],
  },
  {
    route: "POST /api/consume",
    body: () => ({
      ports: [{ product: "test.sensors", port: "readings" }],
      sql: "SELECT * FROM readings.readings",
      limit: 2,
    }),
    expect: [401, 200, 200, 200, 200, 200, 200],
  },
  {
    route: `POST ${P}/ingest`,
    body: () => ({ port: "events", records: [event(++n)] }),
    expect: [401, 403, 403, 201, 201, 403, 201],
  },
  // Publishing a port's data: the owner team (any member) and admins, as ingest.
  {
    route: `PUT ${P}/ports/readings/data`,
    file: async () => ({
      type: "application/vnd.apache.parquet",
      bytes: await readFile(join(fixture.sensorsDir, "data", "readings.parquet")),
    }),
    expect: [401, 403, 403, 201, 201, 403, 201],
  },
  { route: `GET ${P}/observe`, expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}/govern`, expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}/control`, expect: [401, 200, 200, 200, 200, 200, 200] },
  {
    route: `POST ${P}/control`,
    body: () => ({ action: "configure", config: { maxRows: 20_000 } }),
    expect: [401, 403, 403, 403, 200, 403, 200],
  },
  // Publishing the published version again: allowed callers (owners, admins) get 200 (nothing changed).
  {
    route: "POST /api/products",
    body: () => ({ files: fixture.sensors }),
    expect: [401, 403, 403, 403, 200, 403, 200],
  },
  { route: "GET /api/me", expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: "POST /api/tokens", body: () => ({ name: "matrix" }), expect: [401, 201, 201, 201, 201, 201, 201] },
  { route: "GET /api/tokens?all=true", expect: [401, 403, 403, 403, 403, 403, 200] },
  { route: "GET /api/users", expect: [401, 403, 403, 403, 403, 200, 200] },
  { route: "GET /api/users/{target}", expect: [401, 403, 403, 403, 403, 200, 200] },
  {
    route: "POST /api/users",
    body: (role) => ({ username: `new-${role}@example.com` }),
    expect: [401, 403, 403, 403, 403, 403, 201],
  },
  { route: "PUT /api/users/{target}/roles/governance", expect: [401, 403, 403, 403, 403, 403, 200] },
  { route: "DELETE /api/users/{target}/roles/governance", expect: [401, 403, 403, 403, 403, 403, 200] },
  { route: "GET /api/teams", expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: "GET /api/teams/sensor-team", expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: "POST /api/teams", body: (role) => ({ name: `Team ${role}` }), expect: [401, 403, 403, 403, 403, 403, 201] },
  {
    route: "PUT /api/teams/sensor-team/members/{target}",
    body: () => ({ role: "member" }),
    expect: [401, 403, 403, 403, 200, 403, 200],
  },
  // The owner removes the member added above; the admin then finds no membership to end.
  { route: "DELETE /api/teams/sensor-team/members/{target}", expect: [401, 403, 403, 403, 200, 403, 404] },
  // Governance: anyone reads the rules in force; governance and admins apply global ones (the
  // admin's identical file is "unchanged", 200).
  { route: "GET /api/policies", expect: [200, 200, 200, 200, 200, 200, 200] },
  {
    route: "POST /api/policies",
    body: () => ({ source: policySource, file: "matrix.policy.yaml" }),
    expect: [401, 403, 403, 403, 403, 201, 200],
  },
  { route: `GET ${P}/evaluations`, expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: "GET /api/audit?productId=test.sensors", expect: [401, 403, 403, 200, 200, 200, 200] },
  // Without a productId a team member gets the audit of their own teams' products; no team, 403.
  { route: "GET /api/audit", expect: [401, 403, 200, 200, 200, 200, 200] },
  // The platform's secrets (ADR 0026): admins only, whatever the caller's teams or roles.
  { route: "GET /api/secrets", expect: [401, 403, 403, 403, 403, 403, 200] },
  {
    route: "PUT /api/secrets/prod/MATRIX_PASSWORD",
    body: () => ({ value: "matrix-value" }),
    expect: [401, 403, 403, 403, 403, 403, 201],
  },
  { route: "DELETE /api/secrets/prod/MATRIX_PASSWORD", expect: [401, 403, 403, 403, 403, 403, 204] },
  // Pipelines (ADR 0029): the owner team and admins run and roll back (test.sensors has no
  // pipeline, 422; no version 99, 404); whoever may see the product reads its runs.
  { route: `POST ${P}/pipeline/runs`, expect: [401, 403, 403, 422, 422, 403, 422] },
  { route: `GET ${P}/pipeline/runs`, expect: [401, 200, 200, 200, 200, 200, 200] },
  { route: `GET ${P}/pipeline/runs/1`, expect: [401, 404, 404, 404, 404, 404, 404] },
  { route: `GET ${P}/pipeline/runs/1/logs`, expect: [401, 404, 404, 404, 404, 404, 404] },
  // Cancelling is the owner team's and admins' (no run 1 here, 404 once allowed).
  { route: `POST ${P}/pipeline/runs/1/cancel`, expect: [401, 403, 403, 404, 404, 403, 404] },
  {
    route: `POST ${P}/pipeline/rollback`,
    body: () => ({ port: "readings", version: 99 }),
    expect: [401, 403, 403, 404, 404, 403, 404],
  },
  // Agreements: a member of the consumer team asks (the admin's second ask meets the open one,
  // 409); only the owner team decides (its member first, so the owner then finds it decided, 409),
  // never the consumer, governance or an admin.
  { route: "GET /api/mesh", expect: [200, 200, 200, 200, 200, 200, 200] },
  { route: "GET /api/agreements", expect: [401, 200, 200, 200, 200, 200, 200] },
  {
    route: "POST /api/access-requests",
    body: () => ({ productId: "test.sensors", port: "readings", consumerTeam: "upstream-team", purpose: "matrix" }),
    after: async (res) => {
      if (res.status === 201) requestId = ((await res.clone().json()) as { id: string }).id;
    },
    expect: [401, 403, 201, 403, 403, 403, 409],
  },
  { route: "GET /api/agreements/{request}", expect: [401, 403, 200, 200, 200, 200, 200] },
  {
    route: "POST /api/access-requests/{request}/approve",
    body: () => ({}),
    expect: [401, 403, 403, 200, 409, 403, 403],
  },
  // A store's connection for the agreement: its consumer team only (files here: nothing to connect
  // to, 409), never the provider, governance or an admin.
  { route: "GET /api/agreements/{request}/connection", expect: [401, 403, 409, 403, 403, 403, 403] },
  { route: "POST /api/agreements/{request}/connection", expect: [401, 403, 409, 403, 403, 403, 403] },
];

describe("authorization matrix", () => {
  it("answers every role on every interface and admin route as the access table says", async () => {
    const got: Record<string, Record<Role, number>> = {};
    const want: Record<string, Record<Role, number>> = {};
    for (const row of matrix) {
      const [method, rawPath] = row.route.split(" ") as [string, string];
      const path = rawPath.replace("{target}", target.id).replace("{request}", requestId);
      got[row.route] = {} as Record<Role, number>;
      want[row.route] = {} as Record<Role, number>;
      for (const [i, role] of roles.entries()) {
        const body = row.body?.(role);
        const file = await row.file?.();
        const res = await app.request(path, {
          method,
          headers: {
            ...headers[role],
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...(file ? { "content-type": file.type } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(file ? { body: file.bytes as Uint8Array<ArrayBuffer> } : {}),
        });
        await row.after?.(res, role);
        await res.arrayBuffer();
        (got[row.route] as Record<Role, number>)[role] = res.status;
        (want[row.route] as Record<Role, number>)[role] = row.expect[i] as number;
      }
    }
    expect(got).toEqual(want);
  });

  it("refuses every write whose body claims another team or another's resource (403, nothing changed)", async () => {
    const ids = Object.fromEntries(
      await Promise.all(
        roles.map(async (role) => {
          const res = await app.request("/api/me", { headers: headers[role] });
          return [role, res.status === 200 ? ((await res.json()) as { userId: string }).userId : "nobody"];
        }),
      ),
    ) as Record<Role, string>;
    const sensorsProduct = fixture.sensors.find((f) => f.path.endsWith(".odps.yaml")) as { path: string; text: string };
    /** test.sensors at a new version that names another team and lists the caller as its owner. */
    const handOver = (me: Role) => [
      {
        path: sensorsProduct.path,
        text: sensorsProduct.text
          .replace(/^version: 1\.0\.0$/m, "version: 1.0.1")
          .replace("name: Sensor team", "name: Upstream team")
          .replace("  members:\n", `  members:\n    - username: ${me}@example.com\n      role: owner\n`),
      },
      ...fixture.sensors.filter((f) => f !== sensorsProduct),
    ];
    const upstreamRule = policySource
      .replace("name: matrix-rules", "name: finance-rules")
      .replace("    levels: [curated]", "    levels: [curated]\n    scope: { domain: finance }");
    // A webhook of upstream-team, to be removed through another team's path.
    const hook = await app.request("/api/teams/upstream-team/webhooks", {
      method: "POST",
      headers: { ...headers.admin, "content-type": "application/json" },
      body: JSON.stringify({ url: "https://hooks.example.com/upstream" }),
    });
    const hookId = ((await hook.json()) as { id?: string }).id ?? "missing";
    const claims: { what: string; route: string; body?: (role: Role) => unknown; roles: Role[]; want: number }[] = [
      {
        what: "publish: hand test.sensors to another team, listing oneself as owner",
        route: "POST /api/products",
        body: (role) => ({ files: handOver(role) }),
        roles: ["consumer", "otherTeam", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "publish: a new product for a team one does not own",
        route: "POST /api/products",
        body: () => ({
          files: tinyProduct("test.claimed").map((f) => ({ ...f, text: f.text.replace("Test team", "Sensor team") })),
        }),
        roles: ["consumer", "otherTeam", "member", "governance"],
        want: 403,
      },
      {
        what: "policies: rules for a domain none of one's teams is in",
        route: "POST /api/policies",
        body: () => ({ source: upstreamRule, file: "finance.policy.yaml" }),
        roles: ["consumer", "otherTeam", "member", "owner"],
        want: 403,
      },
      {
        what: "webhooks: register one for another team",
        route: "POST /api/teams/upstream-team/webhooks",
        body: () => ({ url: "https://hooks.example.com/mine" }),
        roles: ["consumer", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "webhooks: remove another team's through one's own team",
        route: `DELETE /api/teams/sensor-team/webhooks/${hookId}`,
        roles: ["owner"],
        want: 404,
      },
      {
        what: "agreements: request access for a team one is not in",
        route: "POST /api/access-requests",
        body: () => ({ productId: "test.sensors", port: "readings", consumerTeam: "marketing", purpose: "claim" }),
        roles: ["consumer", "otherTeam", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "control: another team's product",
        route: "POST /api/products/test.upstream/control",
        body: () => ({ action: "configure", config: { maxRows: 1 } }),
        roles: ["consumer", "otherTeam", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "ingest: into another team's product",
        route: "POST /api/products/test.upstream/ingest",
        body: () => ({ port: "events", records: [event(++n)] }),
        roles: ["consumer", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "tokens: one for another user",
        route: "POST /api/tokens",
        body: () => ({ name: "claim", userId: target.id }),
        roles: ["consumer", "otherTeam", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "teams: make oneself owner of another team",
        route: "PUT /api/teams/upstream-team/members/{self}",
        body: () => ({ role: "owner" }),
        roles: ["consumer", "member", "owner", "governance"],
        want: 403,
      },
      {
        what: "users: grant oneself admin",
        route: "PUT /api/users/{self}/roles/admin",
        roles: ["consumer", "otherTeam", "member", "owner", "governance"],
        want: 403,
      },
    ];
    const snapshot = async () => {
      const read = async (sql: string) => (await db.query(sql)).rows;
      return {
        products: await read("SELECT id, version, team_id, domain_id, revision FROM data_products ORDER BY id"),
        versions: await read("SELECT product_id, version FROM product_versions ORDER BY 1, 2"),
        teams: await read("SELECT id, domain_id FROM teams ORDER BY id"),
        members: await read("SELECT team_id, username, role FROM team_members WHERE valid_to IS NULL ORDER BY 1, 2, 3"),
        grants: await read("SELECT team_id, user_id, role FROM team_grants WHERE valid_to IS NULL ORDER BY 1, 2"),
        roles: await read("SELECT user_id, role FROM role_grants WHERE valid_to IS NULL ORDER BY 1, 2"),
        tokens: await read("SELECT user_id, count(*)::int AS n FROM api_tokens GROUP BY 1 ORDER BY 1"),
        webhooks: await read("SELECT id, team_id FROM webhooks WHERE removed_at IS NULL ORDER BY 1"),
        policies: await read("SELECT count(*)::int AS n FROM policy_versions"),
        agreements: await read("SELECT id, state FROM agreements ORDER BY 1"),
        batches: await read("SELECT count(*)::int AS n FROM ingest_batches"),
        lifecycle: await read("SELECT * FROM product_lifecycle ORDER BY 1"),
      };
    };
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const claim of claims) {
      for (const role of claim.roles) {
        const before = await snapshot();
        const [method, rawPath] = claim.route.split(" ") as [string, string];
        const body = claim.body?.(role);
        const res = await app.request(rawPath.replace("{self}", ids[role]), {
          method,
          headers: { ...headers[role], ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        await res.arrayBuffer();
        got[claim.what] = { ...got[claim.what], [role]: res.status };
        want[claim.what] = { ...want[claim.what], [role]: claim.want };
        expect(await snapshot(), `${claim.what} as ${role} changed nothing`).toEqual(before);
      }
    }
    expect(got).toEqual(want);

    // An owner may move their product to another domain, but that gives their team no say over the
    // domain's policies: a team's domain is not taken from documents.
    const moved = await app.request("/api/products", {
      method: "POST",
      headers: { ...headers.owner, "content-type": "application/json" },
      body: JSON.stringify({
        files: [
          {
            path: sensorsProduct.path,
            text: sensorsProduct.text
              .replace(/^version: 1\.0\.0$/m, "version: 1.0.1")
              .replace("domain: testing", "domain: finance"),
          },
          ...fixture.sensors.filter((f) => f !== sensorsProduct),
        ],
      }),
    });
    expect(moved.status).toBe(201);
    const rule = await app.request("/api/policies", {
      method: "POST",
      headers: { ...headers.owner, "content-type": "application/json" },
      body: JSON.stringify({ source: upstreamRule, file: "finance.policy.yaml" }),
    });
    expect(rule.status).toBe(403);
    expect((await db.query("SELECT domain_id FROM teams WHERE id = 'sensor-team'")).rows).toEqual([
      { domain_id: "testing" },
    ]);
  });

  it("shows who read what only to the owner team, governance and admins; others see the totals", async () => {
    const usage = async (role: Role) => {
      const res = await app.request(`${P}/observe`, { headers: headers[role] });
      return ((await res.json()) as { usage: { total: { reads: number }; byConsumer: unknown[]; recent: unknown[] } })
        .usage;
    };
    for (const role of ["member", "owner", "governance", "admin"] as const) {
      expect((await usage(role)).byConsumer.length, role).toBeGreaterThan(0);
    }
    for (const role of ["consumer", "otherTeam"] as const) {
      const u = await usage(role);
      expect(u.byConsumer, role).toEqual([]);
      expect(u.recent, role).toEqual([]);
      expect(u.total.reads, role).toBeGreaterThan(0);
    }
  });

  it("records the signed-in principal, not a header, as the consumer", async () => {
    const res = await app.request(`${P}/consume`, {
      method: "POST",
      headers: { ...headers.owner, "content-type": "application/json", "x-quanta-consumer": "someone-else" },
      body: JSON.stringify({ port: "readings", limit: 1 }),
    });
    await res.text();
    // Usage is written when the stream ends, just after the response.
    const consumers = async () =>
      (await db.query<{ consumer: string }>("SELECT DISTINCT consumer FROM usage_records")).rows.map((r) => r.consumer);
    await expect.poll(consumers, { timeout: 3_000 }).toContain("ada@example.com");
    expect(await consumers()).not.toContain("someone-else");
  });
});
