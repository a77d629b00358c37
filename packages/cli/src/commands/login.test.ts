import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";
import { describeAccess } from "./login.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const examples = resolve(import.meta.dirname, "../../../../examples");
const run = promisify(execFile);
let platform: RunningPlatform;
let work: string;
let token: string;
let identity: IdentityStore;

beforeAll(async () => {
  platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1" });
  work = mkdtempSync(join(tmpdir(), "quanta-login-"));
  process.env.XDG_CONFIG_HOME = join(work, "config");
  delete process.env.QUANTA_TOKEN;
  identity = new IdentityStore(platform.db);
  const owner = await identity.users.createUser({
    username: "amara.okafor@climate-quantum.example",
    displayName: "Amara",
  });
  const team = await identity.teams.createTeam({ name: "Climate Quantum - Climate Analytics" });
  await identity.teams.setTeamMember(team.id, owner.id, "owner");
  token = (await identity.tokens.createToken(owner.id, { name: "laptop" })).token;
});
afterAll(async () => {
  delete process.env.XDG_CONFIG_HOME;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args);
const credentials = () => join(work, "config", "quanta", "credentials.json");

describe("quanta login and logout", () => {
  it("publishing without signing in is refused with the reason", async () => {
    const res = await quanta("publish", join(examples, "climate/sea-level"), "--server", platform.url);
    expect(res).toMatchObject({
      code: 2,
      err: "quanta: sign in (an API token or an OpenID Connect bearer token) to publish\n",
    });
  });

  it("verifies the token, stores it (0600) keyed by server, and publish and search send it", async () => {
    const res = await quanta("login", "--server", `${platform.url}/`, "--token", token);
    expect(res.code).toBe(0);
    expect(res.out).toBe(`signed in to ${platform.url} as amara.okafor@climate-quantum.example\n`);
    expect(res.err).toMatch(
      /^owner of team climate-quantum-climate-analytics; platform roles: consumer; token kept in .*credentials.json\n$/,
    );
    expect(statSync(credentials()).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credentials(), "utf8"));
    expect(stored.servers[platform.url]).toMatchObject({ token, user: "amara.okafor@climate-quantum.example" });

    // Amara owns the team an admin created for her: she publishes its first product.
    const published = await quanta("publish", join(examples, "climate/sea-level"), "--server", platform.url);
    expect(published).toMatchObject({ code: 0, out: expect.stringMatching(/^published climate.sea-level/) });
    const versions = await platform.db.query<{ published_by: string }>(
      "SELECT published_by FROM product_versions WHERE product_id = 'climate.sea-level'",
    );
    expect(versions.rows[0]?.published_by).toBe("amara.okafor@climate-quantum.example");
    expect((await quanta("search", "sea level", "--server", platform.url)).code).toBe(0);
  });

  it("names every team role before the platform roles", () => {
    expect(
      describeAccess({
        roles: ["governance"],
        teams: [
          { team: "sales", role: "member" },
          { team: "climate", role: "owner" },
          { team: "ops", role: "owner" },
        ],
      }),
    ).toBe("owner of teams climate, ops; member of team sales; platform roles: governance");
    expect(describeAccess({ roles: [], teams: [] })).toBe("in no team; platform roles: none");
  });

  it("refuses a bad token with the server's reason and keeps the stored one", async () => {
    const res = await quanta("login", "--server", platform.url, "--token", `qnt_${"x".repeat(43)}`);
    expect(res).toMatchObject({
      code: 1,
      err: `quanta: ${platform.url} refused the token: the API token is not known to this server (mistyped, or deleted)\n`,
    });
    expect(JSON.parse(readFileSync(credentials(), "utf8")).servers[platform.url].token).toBe(token);
    expect((await quanta("login", "--server", platform.url, "--token", "a b")).code).toBe(2);
  });

  it("lets $QUANTA_TOKEN override the stored token", async () => {
    process.env.QUANTA_TOKEN = `qnt_${"y".repeat(43)}`;
    try {
      const res = await quanta("publish", join(examples, "climate/sea-level"), "--server", platform.url);
      expect(res).toMatchObject({ code: 2, err: expect.stringContaining("the API token is not known") });
    } finally {
      delete process.env.QUANTA_TOKEN;
    }
  });

  it("signs out, after which publishing is refused again", async () => {
    expect(await quanta("logout", "--server", platform.url)).toMatchObject({
      code: 0,
      out: `signed out of ${platform.url}\n`,
    });
    expect(await quanta("logout", "--server", platform.url)).toMatchObject({
      code: 0,
      out: `not signed in to ${platform.url}\n`,
    });
    const res = await quanta("publish", join(examples, "climate/sea-level"), "--server", platform.url);
    expect(res.code).toBe(2);
  });

  it("reads the token from stdin as a real process", async () => {
    const env = { ...process.env, XDG_CONFIG_HOME: join(work, "config-proc"), QUANTA_TOKEN: "" };
    const child = spawn(process.execPath, [bin, "login", "--server", platform.url], { env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stdin.end(`${token}\n`);
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(0);
    expect(out).toBe(`signed in to ${platform.url} as amara.okafor@climate-quantum.example\n`);
    const stored = JSON.parse(readFileSync(join(work, "config-proc", "quanta", "credentials.json"), "utf8"));
    expect(stored.servers[platform.url].token).toBe(token);
    const logout = await run(process.execPath, [bin, "logout", "--server", platform.url], { env });
    expect(logout.stdout).toBe(`signed out of ${platform.url}\n`);
  });
});
