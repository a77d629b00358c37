import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IdentityStore, PlatformClient, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

/** `shop.orders` of team "Shop team": port `orders` (files) needs an agreement and masks customer_email. */
const product = `apiVersion: v1.0.0
kind: DataProduct
id: shop.orders
name: Shop orders
version: 1.0.0
status: active
domain: shop
description:
  purpose: Every order of the test shop, with who placed it.
outputPorts:
  - name: orders
    type: tables
    version: 1.0.0
    contractId: shop.orders.orders
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
const contract = `apiVersion: v3.1.0
kind: DataContract
id: shop.orders.orders
name: Orders
version: 1.0.0
status: active
description:
  purpose: Orders of the test shop, for the console's access tests.
servers:
  - server: local
    type: local
    format: parquet
    path: ../data/orders.parquet
slaProperties:
  - property: noticePeriod
    value: P7D
schema:
  - name: orders
    physicalType: table
    properties:
      - name: order_id
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

let platform: RunningPlatform;
let work: string;
const tokens: Record<"admin" | "owner" | "mia" | "olga", string> = { admin: "", owner: "", mia: "", olga: "" };

beforeAll(async () => {
  platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1", runJobs: false });
  work = mkdtempSync(join(tmpdir(), "quanta-access-"));
  process.env.XDG_CONFIG_HOME = join(work, "config");
  const identity = new IdentityStore(platform.db);
  /** A user owning `team`; without one, an admin. */
  const user = async (name: keyof typeof tokens, username: string, team?: string) => {
    const u = await identity.users.createUser({ username, roles: team ? [] : ["admin"] });
    if (team) await identity.teams.setTeamMember(team, u.id, "owner");
    tokens[name] = (await identity.tokens.createToken(u.id, { name: "test" })).token;
  };
  for (const name of ["Shop team", "Analytics", "Other team"]) await identity.teams.createTeam({ name });
  await user("admin", "root@example.com");
  await user("owner", "owner@shop.example", "shop-team");
  await user("mia", "mia@analytics.example", "analytics");
  await user("olga", "olga@other.example", "other-team");
  await new PlatformClient(platform.url, { token: tokens.admin }).publish([
    { path: "shop-orders.odps.yaml", text: product },
    { path: "contracts/orders.odcs.yaml", text: contract },
  ]);
});
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  delete process.env.QUANTA_TOKEN;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The console signed in as one of the test users (`$QUANTA_TOKEN`), or as nobody. */
const as =
  (who: keyof typeof tokens | undefined) =>
  async (...args: string[]) => {
    if (who) process.env.QUANTA_TOKEN = tokens[who];
    else delete process.env.QUANTA_TOKEN;
    try {
      return await consoleIn(work)(...args, "--server", platform.url);
    } finally {
      delete process.env.QUANTA_TOKEN;
    }
  };
const mia = as("mia");
const owner = as("owner");
const olga = as("olga");

describe("quanta access", () => {
  let id = "";

  it("requests a port for a team with a purpose: requested, and who decides", async () => {
    const res = await mia(
      "access",
      "request",
      "shop.orders",
      "orders",
      "--team",
      "analytics",
      "--purpose",
      "Monthly revenue reporting",
      "--columns",
      "customer_email",
    );
    expect(res.code).toBe(0);
    const m = res.out.match(/^requested (agr_[\w-]+): shop.orders port orders for team analytics \(requested\)\n$/);
    expect(m, res.out).not.toBeNull();
    id = m?.[1] ?? "";
    expect(res.err).toBe(`the owner team of shop.orders decides: quanta access approve ${id} (or reject)\n`);
    // A second request while this one is open is refused, naming it.
    const again = await mia("access", "request", "shop.orders", "orders", "--team", "analytics", "--purpose", "again");
    expect(again).toEqual({
      code: 1,
      out: "",
      err: `quanta: team analytics already has an open request for shop.orders port orders: ${id}\n`,
    });
  });

  it("lets only the owner team decide: the consumer and another team are refused with exit 1", async () => {
    expect(await mia("access", "approve", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: a consumer cannot approve or reject its own request (you are in team analytics)\n",
    });
    expect(await olga("access", "approve", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: only the owner team of shop.orders (shop-team) decides on its access requests\n",
    });
    // Columns that were not requested cannot be granted (a 400: the command could not run).
    const extra = await owner("access", "approve", id, "--columns", "amount");
    expect(extra.code).toBe(2);
    expect(extra.err).toBe("quanta: columns amount were not requested; grant a subset of customer_email\n");
  });

  it("approves with a reason and the granted columns", async () => {
    const res = await owner("access", "approve", id, "--reason", "fine for reporting", "--columns", "customer_email");
    expect(res).toEqual({
      code: 0,
      out: `approved ${id}: shop.orders port orders for team analytics (active)\n`,
      err: "team analytics reads it, unmasked: customer_email\n",
    });
    const json = await owner("access", "approve", id, "--json");
    expect(json.code).toBe(1);
    expect(json.err).toBe("quanta: cannot approve an agreement that is active\n");
  });

  it("lists the agreements a user's teams are a side of, as a table or JSON", async () => {
    const table = await mia("access", "list");
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+PRODUCT\/PORT\s+TEAM\s+STATE\s+PURPOSE$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/))).toEqual([
      [id, "shop.orders/orders", "analytics", "active", "Monthly revenue reporting"],
    ]);
    expect(table.err).toBe("1 agreement(s)\n");
    const json = await owner("access", "list", "--product", "shop.orders", "--state", "active", "--json");
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({ id, state: "active", consumerTeam: "analytics", grantedColumns: ["customer_email"] }),
    ]);
    expect(await mia("access", "list", "--state", "requested")).toEqual({ code: 0, out: "", err: "no agreements\n" });
    // Another team sees none of them.
    expect(await olga("access", "list")).toEqual({ code: 0, out: "", err: "no agreements\n" });
  });

  it("shows one agreement: state, purpose, contract, columns, the decision", async () => {
    const text = await mia("access", "show", id);
    expect(text.code).toBe(0);
    const rows = Object.fromEntries(
      text.out
        .trimEnd()
        .split("\n")
        .map((l) => l.split(/ {2,}/) as [string, string]),
    );
    expect(rows).toEqual({
      agreement: id,
      state: "active",
      product: "shop.orders port orders",
      team: "analytics",
      purpose: "Monthly revenue reporting",
      contract: "shop.orders.orders 1.0.0",
      unmasked: "customer_email",
      requested: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ by mia@analytics.example$/),
      decided: expect.stringMatching(/Z by owner@shop.example: fine for reporting$/),
      notice: "7 days",
    });
    const json = await owner("access", "show", id, "--json");
    expect(JSON.parse(json.out)).toMatchObject({ id, state: "active", decisionReason: "fine for reporting" });
  });

  it("connection: a port whose data is in files holds no grants (409, exit 1, the server's reason)", async () => {
    expect(await mia("access", "connection", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: the data of shop.orders port orders is not in a database that holds grants; read it through consume (POST /api/products/shop.orders/consume)\n",
    });
    // Only the consumer team fetches a connection: not even the owner team.
    expect(await owner("access", "connection", id, "--new-password")).toEqual({
      code: 1,
      out: "",
      err: "quanta: only members of the consumer team analytics may fetch the agreement's connection\n",
    });
  });

  it("terminates with the contract's notice period; another team cannot", async () => {
    expect(await olga("access", "terminate", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: only the consumer team (analytics), the owner team of shop.orders (shop-team) or an admin may terminate this agreement\n",
    });
    expect(await olga("access", "show", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: only the consumer team (analytics), the owner team of shop.orders (shop-team) or an admin may see this agreement\n",
    });
    const res = await mia("access", "terminate", id, "--reason", "report retired");
    expect(res.code).toBe(0);
    expect(res.out).toBe(`terminating ${id}: shop.orders port orders for team analytics (terminating)\n`);
    expect(res.err).toMatch(/^readable until the notice period ends: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const shown = await mia("access", "show", id);
    expect(shown.out).toMatch(/^state +terminating$/m);
    expect(shown.out).toMatch(/^ended by +mia@analytics.example$/m);
    expect(shown.out).toMatch(/^notice +7 days, ends \d{4}-/m);
    expect(await mia("access", "terminate", id)).toEqual({
      code: 1,
      out: "",
      err: "quanta: cannot terminate an agreement that is terminating\n",
    });
    expect(await mia("access", "accept-version", id)).toEqual({
      code: 1,
      out: "",
      err: `quanta: agreement ${id} has no new contract version to accept (it reads 1.0.0)\n`,
    });
  });

  it("rejects a request with a reason; a request withdrawn is terminated at once", async () => {
    const ask = async (purpose: string) => {
      const res = await olga(
        "access",
        "request",
        "shop.orders",
        "orders",
        "--team",
        "other-team",
        "--purpose",
        purpose,
        "--json",
      );
      expect(res.code).toBe(0);
      return JSON.parse(res.out) as { id: string; state: string; purpose: string };
    };
    // A purpose that would clear the owner's screen and retitle the window is shown written out.
    const first = await ask("Churn \x1b[2J\x1b]0;approved\x07model \u202Eledom");
    expect(first).toMatchObject({ state: "requested", purpose: "Churn \x1b[2J\x1b]0;approved\x07model \u202Eledom" });
    const seen = await owner("access", "list", "--state", "requested");
    expect(seen.out).toContain("  Churn \\u001b[2J\\u001b]0;approved\\u0007model \\u202eledom\n");
    expect((await owner("access", "show", first.id)).out).toMatch(/^purpose +Churn \\u001b\[2J/m);
    expect(await owner("access", "reject", first.id, "--reason", "no churn models on orders")).toEqual({
      code: 0,
      out: `rejected ${first.id}: shop.orders port orders for team other-team (rejected)\n`,
      err: "",
    });
    expect((await olga("access", "show", first.id)).out).toMatch(
      /^decided +.* by owner@shop.example: no churn models on orders$/m,
    );
    const second = await ask("Churn model");
    expect(await olga("access", "terminate", second.id)).toEqual({
      code: 0,
      out: `terminated ${second.id}: shop.orders port orders for team other-team (terminated)\n`,
      err: "",
    });
    const ended = JSON.parse((await olga("access", "list", "--team", "other-team", "--json")).out) as {
      state: string;
    }[];
    expect(ended.map((a) => a.state)).toEqual(["terminated", "rejected"]);
  });
});

describe("quanta access: what it refuses", () => {
  it("needs --team and --purpose for a request, and says which (exit 2)", async () => {
    expect(await mia("access", "request", "shop.orders", "orders")).toEqual({
      code: 2,
      out: "",
      err: "quanta: access request needs --team TEAM (the consumer team that will read; you must be a member) and --purpose TEXT (what the data is for; the owner team decides on it)\n",
    });
    expect(await mia("access", "request", "shop.orders", "orders", "--team", "analytics", "--purpose", "  ")).toEqual({
      code: 2,
      out: "",
      err: "quanta: access request needs --purpose TEXT (what the data is for; the owner team decides on it)\n",
    });
    expect(
      await mia("access", "request", "shop.orders", "orders", "--purpose", "Reporting", "--columns", " , "),
    ).toMatchObject({ code: 2, err: expect.stringContaining("needs --team TEAM") });
    expect(
      await mia(
        "access",
        "request",
        "shop.orders",
        "orders",
        "--team",
        "analytics",
        "--purpose",
        "Reporting",
        "--columns",
        " , ",
      ),
    ).toEqual({
      code: 2,
      out: "",
      err: "quanta: --columns needs the sensitive columns' names, separated by commas (e.g. --columns customer_email,customer_id)\n",
    });
  });

  it("passes on the server's answers: no such product, team or agreement (404: exit 2), not your team (403: exit 1)", async () => {
    const request = (...args: string[]) => mia("access", "request", ...args, "--purpose", "Reporting");
    expect(await request("shop.nothing", "orders", "--team", "analytics")).toMatchObject({
      code: 2,
      err: 'quanta: no data product "shop.nothing"\n',
    });
    expect(await request("shop.orders", "orders", "--team", "other-team")).toEqual({
      code: 1,
      out: "",
      err: "quanta: you are not a member of team other-team; request access for a team you belong to\n",
    });
    // Owners read their own products without an agreement: asking is a 400.
    const own = await owner("access", "request", "shop.orders", "orders", "--team", "shop-team", "--purpose", "Own");
    expect(own).toEqual({
      code: 2,
      out: "",
      err: "quanta: team shop-team owns shop.orders; owners read their own products without an agreement\n",
    });
    for (const sub of ["show", "approve", "reject", "terminate", "accept-version", "connection"]) {
      expect(await owner("access", sub, "agr_doesnotexist"), sub).toMatchObject({
        code: 2,
        out: "",
        err:
          sub === "connection"
            ? 'quanta: no agreement "agr_doesnotexist"\n'
            : 'quanta: no access request or agreement "agr_doesnotexist"\n',
      });
    }
  });

  it("refuses ids that would climb out of /api/agreements/, and odd ones reach the server as one segment", async () => {
    for (const bad of ["..", "."]) {
      expect(await mia("access", "show", bad)).toEqual({
        code: 2,
        out: "",
        err: `quanta: "${bad}" is not an agreement id (agr_…)\n`,
      });
    }
    for (const odd of ["../../me", "a/b?c#d", "%2e%2e", "agr_x' OR 1=1 --"]) {
      const res = await mia("access", "show", odd);
      expect(res, odd).toEqual({ code: 2, out: "", err: `quanta: no access request or agreement "${odd}"\n` });
    }
    expect((await mia("access", "show", "x".repeat(101))).code).toBe(2);
  });

  it("refuses a state that does not exist before asking, and anonymous callers", async () => {
    expect(await mia("access", "list", "--state", "open")).toEqual({
      code: 2,
      out: "",
      err: 'quanta: --state must be one of requested, active, terminating, terminated, rejected (got "open")\n',
    });
    const anonymous = await as(undefined)("access", "list");
    expect(anonymous.code).toBe(2);
    expect(anonymous.err).toContain("quanta: sign in (an API token or an OpenID Connect bearer token)");
    expect((await mia("access", "bogus")).code).toBe(2);
  });
});

describe("quanta access connection on a port served by PostgreSQL", () => {
  // The answers of GET and POST /api/agreements/{id}/connection, from a stand-in server: what the
  // console prints of them is what is under test here (the grants are tested with the platform).
  let stub: Server;
  let url = "";
  const answers: { method: string; path: string }[] = [];
  const answer = {
    agreementId: "agr_abc",
    engine: "postgres",
    host: "db.internal",
    port: 5432,
    database: "sales",
    role: "quanta_agr_abc",
    passwordIssuedAt: "2025-03-01T10:00:00.123Z",
    views: [
      { dataset: "orders", view: 'quanta_shares."agr_abc_orders"' },
      { dataset: "items", view: 'quanta_shares."agr_abc_items"' },
    ],
  };
  let next: Record<string, unknown> = answer;
  beforeAll(async () => {
    stub = createServer((req, res) => {
      answers.push({ method: req.method ?? "", path: req.url ?? "" });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.method === "POST" ? { ...next, password: "n3w-pass" } : next));
    });
    await new Promise<void>((r) => stub.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => stub.close(() => r())));
  const quanta = (...args: string[]) => consoleIn(work)(...args, "--server", url);

  it("prints host, port, database, role and views, the password once, and a psql line without it", async () => {
    next = { ...answer, password: "s3cret pa$$" };
    const res = await quanta("access", "connection", "agr_abc");
    expect(res).toEqual({ code: 0, out: expect.any(String), err: "" });
    expect(res.out).toBe(
      [
        "agreement  agr_abc",
        "engine     postgres",
        "host       db.internal",
        "port       5432",
        "database   sales",
        "role       quanta_agr_abc",
        'views      orders: quanta_shares."agr_abc_orders"',
        '           items: quanta_shares."agr_abc_items"',
        "password   s3cret pa$$",
        "           shown only this once: Quanta keeps no copy; keep it now (lost: quanta access connection agr_abc --new-password)",
        "",
        'psql "host=db.internal port=5432 dbname=sales user=quanta_agr_abc"',
        "the password goes in $PGPASSWORD or ~/.pgpass (db.internal:5432:sales:quanta_agr_abc:PASSWORD, mode 0600), never on the command line",
        "",
      ].join("\n"),
    );
    expect(res.out.split("\n").find((l) => l.startsWith("psql"))).not.toContain("s3cret");
    expect(answers.at(-1)).toEqual({ method: "GET", path: "/api/agreements/agr_abc/connection" });
  });

  it("without a password in the answer: when it was issued, and how to get a new one", async () => {
    next = answer;
    const res = await quanta("access", "connection", "agr_abc");
    expect(res.out).toContain(
      "password   issued 2025-03-01T10:00:00Z and shown only then; quanta access connection agr_abc --new-password issues a new one (the old one stops working)\n",
    );
    expect(res.out).not.toContain("shown only this once");
  });

  it("--new-password POSTs for a new one; --json prints the answer and warns on stderr", async () => {
    const res = await quanta("access", "connection", "agr_abc", "--new-password", "--json");
    expect(answers.at(-1)).toEqual({ method: "POST", path: "/api/agreements/agr_abc/connection" });
    expect(JSON.parse(res.out)).toEqual({ ...answer, password: "n3w-pass" });
    expect(res.err).toBe("the password is shown only this once: Quanta keeps no copy\n");
  });

  it("writes an IPv6 host as libpq and ~/.pgpass read it", async () => {
    next = { ...answer, host: "::1" };
    const res = await quanta("access", "connection", "agr_abc");
    expect(res.out).toContain(`psql "host='::1' port=5432 dbname=sales user=quanta_agr_abc"\n`);
    expect(res.out).toContain("~/.pgpass (\\:\\:1:5432:sales:quanta_agr_abc:PASSWORD, mode 0600)");
  });

  it("quotes what the server names for libpq and the shell: nothing in it runs", async () => {
    next = { ...answer, host: 'db"; echo injected; echo "', database: "it's $HOME", role: "r`id`\\" };
    const res = await quanta("access", "connection", "agr_abc");
    const psql = res.out.split("\n").find((l) => l.startsWith("psql ")) ?? "";
    // The shell hands psql one argument: the libpq connection string, each odd value single-quoted.
    const argument = execFileSync("sh", ["-c", `psql() { printf %s "$1"; }; ${psql}`], {
      encoding: "utf8",
      cwd: work,
      env: { HOME: "/nowhere", PATH: process.env.PATH ?? "" },
    });
    expect(argument).toBe(`host='db"; echo injected; echo "' port=5432 dbname='it\\'s $HOME' user='r\`id\`\\\\'`);
  });
});
