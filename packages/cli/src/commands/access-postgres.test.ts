import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IdentityStore, PlatformClient, type RunningPlatform } from "@quanta/platform";
import { startPlatform } from "@quanta/platform/server";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const product = `apiVersion: v1.0.0
kind: DataProduct
id: shop.ledger
name: Shop ledger
version: 1.0.0
status: active
domain: shop
description:
  purpose: The shop's ledger, kept in PostgreSQL, for the console's grant tests.
outputPorts:
  - name: entries
    type: tables
    version: 1.0.0
    contractId: shop.ledger.entries
support:
  - channel: "#shop"
    url: https://chat.example.com/shop
    tool: slack
team:
  name: Shop team
  members:
    - username: owner@shop.example
      role: owner
      dateIn: "2024-01-01"
`;
const contract = (u: URL) => `apiVersion: v3.1.0
kind: DataContract
id: shop.ledger.entries
name: Ledger entries
version: 1.0.0
status: active
description:
  purpose: Ledger entries with the customer's e-mail, for the console's grant tests.
servers:
  - server: ledger
    type: postgres
    host: ${u.hostname}
    port: ${u.port}
    database: ${u.pathname.slice(1)}
    schema: books
slaProperties:
  - property: noticePeriod
    value: P0D
schema:
  - name: entries
    physicalType: table
    properties:
      - name: entry_id
        logicalType: integer
        classification: internal
      - name: customer_email
        logicalType: string
        classification: restricted
        tags: [pii]
      - name: amount
        logicalType: number
        classification: internal
`;

/**
 * The console against a port served by PostgreSQL, all real: `quanta access` asks, the owner
 * approves, `quanta access connection` prints where to connect and the password once, and `psql`
 * with exactly that reads the masked rows; after `terminate`, it cannot.
 */
describe.skipIf(postgresSkipReason())("quanta access on a port served by PostgreSQL", () => {
  let data: { url: string; drop(): Promise<void> };
  let platform: RunningPlatform;
  let work: string;
  const tokens = { admin: "", owner: "", mia: "" };

  beforeAll(async () => {
    data = await createTestDatabase("console_grants");
    const admin = new pg.Client({ connectionString: data.url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA books;
      CREATE TABLE books.entries AS SELECT i AS entry_id, 'c' || i || '@example.com' AS customer_email,
        (i * 2.5)::double precision AS amount FROM generate_series(1, 4) AS s(i)`);
    await admin.end();
    const u = new URL(data.url);
    process.env.QUANTA_VAR_QUANTA_SERVER_LEDGER_URL = data.url;
    platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1", runJobs: false });
    work = mkdtempSync(join(tmpdir(), "quanta-access-pg-"));
    process.env.XDG_CONFIG_HOME = join(work, "config");
    const identity = new IdentityStore(platform.db);
    const user = async (name: keyof typeof tokens, username: string, team?: string) => {
      const created = await identity.users.createUser({ username, roles: team ? [] : ["admin"] });
      if (team) await identity.teams.setTeamMember(team, created.id, "owner");
      tokens[name] = (await identity.tokens.createToken(created.id, { name: "test" })).token;
    };
    for (const name of ["Shop team", "Analytics"]) await identity.teams.createTeam({ name });
    await user("admin", "root@example.com");
    await user("owner", "owner@shop.example", "shop-team");
    await user("mia", "mia@analytics.example", "analytics");
    await new PlatformClient(platform.url, { token: tokens.admin }).publish([
      { path: "ledger.odps.yaml", text: product },
      { path: "contracts/entries.odcs.yaml", text: contract(u) },
    ]);
  });
  afterAll(async () => {
    delete process.env.XDG_CONFIG_HOME;
    delete process.env.QUANTA_TOKEN;
    delete process.env.QUANTA_VAR_QUANTA_SERVER_LEDGER_URL;
    await platform?.close();
    await data?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const as =
    (who: keyof typeof tokens) =>
    async (...args: string[]) => {
      process.env.QUANTA_TOKEN = tokens[who];
      try {
        return await consoleIn(work)(...args, "--server", platform.url);
      } finally {
        delete process.env.QUANTA_TOKEN;
      }
    };
  /** Runs the `psql` line the console printed, with the password it printed in $PGPASSWORD. */
  const psql = (line: string, password: string, sql: string) =>
    execFileSync("sh", ["-c", `${line} -X -A -t -c "$QUERY"`], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", PGPASSWORD: password, QUERY: sql, PGCONNECT_TIMEOUT: "5" },
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("asks, is approved, connects with psql as the agreement's role, and is refused once it ended", async () => {
    const asked = await as("mia")(
      "access",
      "request",
      "shop.ledger",
      "entries",
      "--team",
      "analytics",
      "--purpose",
      "Revenue per customer",
      "--json",
    );
    expect(asked.code, asked.err).toBe(0);
    const id = JSON.parse(asked.out).id as string;
    expect((await as("owner")("access", "approve", id)).code).toBe(0);

    const shown = await as("mia")("access", "connection", id);
    expect(shown.code, shown.err).toBe(0);
    const password = /^password {3}(\S+)$/m.exec(shown.out)?.[1] ?? "";
    const line = shown.out.split("\n").find((l) => l.startsWith("psql ")) ?? "";
    const view = /^views {6}entries: (\S+)$/m.exec(shown.out)?.[1] ?? "";
    expect(password).not.toBe("");
    expect(line).not.toContain(password);
    const rows = psql(line, password, `SELECT entry_id, customer_email, amount FROM ${view} ORDER BY 1`);
    expect(rows.trim().split("\n")).toEqual(["1|***|2.5", "2|***|5", "3|***|7.5", "4|***|10"]);
    expect(() => psql(line, password, "SELECT * FROM books.entries")).toThrow(/permission denied/);
    // Shown once: the next answer says when it was issued.
    expect((await as("mia")("access", "connection", id)).out).toContain("shown only then");

    expect((await as("mia")("access", "terminate", id, "--reason", "done")).code).toBe(0);
    expect(() => psql(line, password, `SELECT count(*) FROM ${view}`)).toThrow(/does not exist|authentication failed/);
  });
});
