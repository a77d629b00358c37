import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const examples = resolve(import.meta.dirname, "../../../../examples");
let platform: RunningPlatform;
let work: string;
let ownerToken: string;

beforeAll(async () => {
  platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1" });
  work = mkdtempSync(join(tmpdir(), "quanta-publish-"));
  // Publishing needs a signed-in owner or admin: an admin's token through $QUANTA_TOKEN, and a
  // config folder of its own so nothing the developer stored is read.
  const identity = new IdentityStore(platform.db);
  const admin = await identity.users.createUser({ username: "admin@example.com", roles: ["admin"] });
  process.env.QUANTA_TOKEN = (await identity.tokens.createToken(admin.id, { name: "test" })).token;
  // An owner of one team, who may not found another by publishing for it.
  const owner = await identity.users.createUser({ username: "owner@example.com" });
  const team = await identity.teams.createTeam({ name: "Climate Quantum - Climate Analytics" });
  await identity.teams.setTeamMember(team.id, owner.id, "owner");
  ownerToken = (await identity.tokens.createToken(owner.id, { name: "test" })).token;
  process.env.XDG_CONFIG_HOME = join(work, "config");
});
afterAll(async () => {
  delete process.env.QUANTA_TOKEN;
  delete process.env.XDG_CONFIG_HOME;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args);

describe("quanta publish", () => {
  it("publishes a product folder, then finds it unchanged", async () => {
    const first = await quanta("publish", join(examples, "climate/weather-station-readings"), "--server", platform.url);
    expect(first.code).toBe(0);
    // Lint and policy warnings may follow; the first lines are the publish itself.
    expect(first.out.split("\n").slice(0, 3)).toEqual([
      "published climate.weather-station-readings 1.2.0",
      "  contract climate.weather-station-readings.readings 1.2.0 (new version)",
      "  contract climate.weather-station-readings.stations 1.0.0 (new version)",
    ]);
    const again = await quanta("publish", join(examples, "climate/weather-station-readings"), "--server", platform.url);
    expect(again).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^unchanged climate.weather-station-readings 1.2.0/),
    });
  });

  it("refuses a product with errors, showing each issue at its file and line", async () => {
    const dir = join(work, "broken");
    cpSync(join(examples, "climate/sea-level"), dir, { recursive: true });
    const file = join(dir, "sea-level.odps.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^version: .*$/m, "version: one"));
    const { code, out, err } = await quanta("publish", dir, "--server", platform.url);
    expect(code).toBe(1);
    expect(err).toMatch(/quanta: the data product has \d+ errors?; fix them and publish again/);
    expect(out).toMatch(new RegExp(`${dir}/sea-level.odps.yaml:\\d+:\\d+ error `));
  });

  it("refuses a contract file that does not parse at its file:line:column", async () => {
    const dir = join(work, "unparsed");
    cpSync(join(examples, "climate/sea-level"), dir, { recursive: true });
    const file = join(dir, "contracts/daily-sea-level.odcs.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/^version: .*$/m, 'version: "1.0.0'));
    const { code, out } = await quanta("publish", dir, "--server", platform.url);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^${dir}/contracts/daily-sea-level.odcs.yaml:\\d+:\\d+ error yaml-`, "m"));
    expect(out).not.toContain("no contract");
  });

  it("reports a conflict when a published version is changed without a bump", async () => {
    const dir = join(work, "rewritten");
    cpSync(join(examples, "climate/weather-station-readings"), dir, { recursive: true });
    const file = join(dir, "weather-station-readings.odps.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("tags: [climate, weather", "tags: [climate, wetter"));
    const { code, err } = await quanta("publish", dir, "--server", platform.url);
    expect(code).toBe(1);
    expect(err).toContain(
      "version 1.2.0 of climate.weather-station-readings is already published with different content",
    );
  });

  it("exits 1 when the server refuses a product for a team that does not exist (403)", async () => {
    const dir = join(work, "new-team");
    cpSync(join(examples, "climate/sea-level"), dir, { recursive: true });
    const file = join(dir, "sea-level.odps.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/^ {2}name: Climate Quantum - Climate Analytics$/m, "  name: Brand New Team"),
    );
    const admin = process.env.QUANTA_TOKEN;
    process.env.QUANTA_TOKEN = ownerToken;
    try {
      const { code, out, err } = await quanta("publish", dir, "--server", platform.url);
      expect({ code, out, err }).toEqual({
        code: 1,
        out: "",
        err: "quanta: climate.sea-level names team brand-new-team, which does not exist; an admin creates teams (POST /api/teams) and grants their owners\n",
      });
    } finally {
      process.env.QUANTA_TOKEN = admin;
    }
  });

  it("cannot run without a product folder or a server", async () => {
    expect(await quanta("publish", join(work, "nothing"), "--server", platform.url)).toMatchObject({
      code: 2,
      err: expect.stringContaining("is not a folder"),
    });
    const unreachable = await quanta("publish", join(examples, "climate/sea-level"), "--server", "http://127.0.0.1:2");
    expect(unreachable).toMatchObject({
      code: 2,
      err: expect.stringContaining("cannot reach the Quanta server at http://127.0.0.1:2: ECONNREFUSED"),
    });
    expect(await quanta("publish", join(examples, "climate/sea-level"), "--server", "ftp://x")).toMatchObject({
      code: 2,
      err: expect.stringContaining('--server must be an http(s) URL (got "ftp://x")'),
    });
  });
});

describe("quanta search", () => {
  beforeAll(async () => {
    for (const p of ["climate/temperature", "climate/sea-level", "webshop/orders"]) {
      expect((await quanta("publish", join(examples, p), "--server", platform.url)).code).toBe(0);
    }
  });

  it("lists matches best first, tolerating typos", async () => {
    const { code, out, err } = await quanta("search", "temprature", "--server", platform.url);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^climate.temperature\s+2.0.0\s+Temperature — Daily air temperature/);
    expect(err).toMatch(/\d+ of \d+ product\(s\)/);
  });

  it("filters and prints JSON", async () => {
    const { out } = await quanta("search", "--domain", "climate", "--json", "--server", platform.url);
    const result = JSON.parse(out) as { items: { domain: string }[]; total: number };
    expect(result.total).toBe(3);
    expect(result.items.every((p) => p.domain === "climate")).toBe(true);
  });

  it("says so when nothing matches and refuses bad options", async () => {
    expect(await quanta("search", "xylophone quartz", "--server", platform.url)).toMatchObject({
      code: 0,
      out: "",
      err: "no data products match\n",
    });
    expect(await quanta("search", "x", "--limit", "0", "--server", platform.url)).toMatchObject({
      code: 2,
      err: expect.stringContaining('--limit must be a whole number from 1 to 100 (got "0")'),
    });
    const long = await quanta("search", "x".repeat(300), "--server", platform.url);
    expect(long).toMatchObject({ code: 2, err: expect.stringContaining("query.q: Too big") });
  });
});
