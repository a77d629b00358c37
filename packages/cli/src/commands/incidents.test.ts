import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

const product = "climate.weather-station-readings";
const readingsDir = resolve(import.meta.dirname, "../../../../examples/climate/weather-station-readings");
const columns = [
  "station_id",
  "reading_ts",
  "temperature_c",
  "precipitation_mm",
  "wind_speed_ms",
  "wind_direction_deg",
  "pressure_hpa",
  "sea_level_m",
  "quality_flag",
];
const row = ["WS-1001", "2026-01-01 10:00:00", "7.5", "0", "3.1", "200", "1012.0", "", "ok"];

let platform: RunningPlatform;
let work: string;
const tokens: Record<"owner" | "outsider", string> = { owner: "", outsider: "" };
/** The incidents the refused uploads opened: a schema drift (a column added) and a failed check. */
const ids: Record<"drift" | "check", string> = { drift: "", check: "" };

/**
 * `quanta incidents` and `quanta observe` against a real server: the incidents are opened the way
 * users meet them, by uploads the contract refuses (PUT …/data answers 422 and the owners get an
 * incident), with no background jobs running.
 */
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "quanta-incidents-cli-"));
  platform = await startPlatform({
    store: { memory: true },
    dataDir: join(work, "data"),
    port: 0,
    hostname: "127.0.0.1",
    runJobs: false,
    publishFolders: [readingsDir],
  });
  const identity = new IdentityStore(platform.db);
  const { rows } = await platform.db.query<{ team_id: string }>("SELECT team_id FROM data_products WHERE id = $1", [
    product,
  ]);
  const team = rows[0]?.team_id as string;
  const owner = await identity.users.createUser({ username: "ingrid@climate.example" });
  await identity.teams.setTeamMember(team, owner.id, "owner");
  const outsider = await identity.users.createUser({ username: "olaf@elsewhere.example" });
  if (!(await identity.teams.teamExists("elsewhere")))
    await identity.teams.createTeam({ id: "elsewhere", name: "Elsewhere" });
  await identity.teams.setTeamMember("elsewhere", outsider.id, "owner");
  tokens.owner = (await identity.tokens.createToken(owner.id, { name: "test" })).token;
  tokens.outsider = (await identity.tokens.createToken(outsider.id, { name: "test" })).token;
  const upload = async (csv: string) => {
    const res = await fetch(`${platform.url}/api/products/${product}/ports/readings/data`, {
      method: "PUT",
      headers: { authorization: `Bearer ${tokens.owner}`, "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status, await res.clone().text()).toBe(422);
  };
  await upload(`${[...columns, "firmware"].join(",")}\n${[...row, "v2"].join(",")}\n`);
  await upload(`${columns.join(",")}\n${row.join(",")}\n`);
  const { rows: opened } = await platform.db.query<{ id: number; kind: string; key: string }>(
    "SELECT id, kind, key FROM incidents ORDER BY id",
  );
  ids.drift = String(opened.find((i) => i.kind === "schema-drift")?.id ?? "");
  ids.check = String(opened.find((i) => i.kind === "check-failed" && i.key.includes("row_count"))?.id ?? "");
  expect(ids, JSON.stringify(opened)).toEqual({
    drift: expect.stringMatching(/^\d+$/),
    check: expect.stringMatching(/^\d+$/),
  });
}, 120_000);

afterAll(async () => {
  delete process.env.QUANTA_TOKEN;
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The console as `who` (or signed out), against the test server. */
const quanta = (who: keyof typeof tokens | undefined, ...args: string[]) => {
  if (who) process.env.QUANTA_TOKEN = tokens[who];
  else delete process.env.QUANTA_TOKEN;
  return consoleIn(work)(...args, "--server", platform.url);
};

describe("quanta incidents", () => {
  it("lists the incidents newest first, one line each, and as JSON", async () => {
    const r = await quanta("owner", "incidents", "--product", product);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    const { rows } = await platform.db.query<{ id: number }>("SELECT id FROM incidents ORDER BY id DESC");
    expect(lines.map((l) => l.split(" ")[0])).toEqual(rows.map((i) => `#${i.id}`));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^#${ids.check} {2}high {2}open {2}check-failed {2}${product}/readings {2}`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^#${ids.drift} {2}medium {2}open {2}schema-drift {2}${product}/readings {2}.*added firmware`),
      ),
    );
    const json = await quanta("owner", "incidents", "--product", product, "--format", "json");
    expect(json.code).toBe(0);
    const list = JSON.parse(json.out);
    expect(list.total).toBe(rows.length);
    expect(list.incidents.map((i: { id: unknown }) => Number(i.id))).toEqual(rows.map((i) => Number(i.id)));
  });

  it("says when none match, and refuses a bad --limit or --state", async () => {
    const none = await quanta("owner", "incidents", "--state", "resolved");
    expect(none).toMatchObject({ code: 0, out: "" });
    expect(none.err).toContain("no resolved incidents");
    const limit = await quanta("owner", "incidents", "--limit", "0");
    expect(limit).toMatchObject({ code: 2, out: "" });
    expect(limit.err).toContain("--limit must be a whole number from 1 to 500");
    const state = await quanta("owner", "incidents", "--state", "closed");
    expect(state.code).toBe(2);
    expect(state.err).toContain("closed");
  });

  it("shows one incident with its detail and timeline; bad and unknown ids are named", async () => {
    const r = await quanta("owner", "incidents", "show", ids.drift);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`incident #${ids.drift}`);
    expect(r.out).toContain(`product   ${product}, port readings`);
    expect(r.out).toMatch(/kind {6}schema-drift \(readings\)/);
    expect(r.out).toMatch(/timeline\n {2}\S+ {2}opened by quanta: /);
    const json = JSON.parse((await quanta("owner", "incidents", "show", ids.drift, "--format", "json")).out);
    expect(json).toMatchObject({ kind: "schema-drift", detail: { source: "publish" } });
    const bad = await quanta("owner", "incidents", "show", "12abc");
    expect(bad).toMatchObject({ code: 2, out: "" });
    expect(bad.err).toContain('"12abc" is not an incident id');
    const unknown = await quanta("owner", "incidents", "show", "987654");
    expect(unknown).toMatchObject({ code: 2, out: "" });
    expect(unknown.err).toContain("no incident #987654");
  });

  it("refuses someone outside the owner team with a clear 403, and leaves the incident as it was", async () => {
    for (const args of [
      ["ack", ids.check],
      ["comment", ids.check, "not mine"],
      ["resolve", ids.check],
    ]) {
      const r = await quanta("outsider", "incidents", ...args);
      expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toContain(`incident #${ids.check}`);
      expect(r.err).toMatch(/you are not in the owner team of .*, nor governance or an admin/);
    }
    const after = JSON.parse((await quanta("owner", "incidents", "show", ids.check, "--format", "json")).out);
    expect(after).toMatchObject({ state: "open", acknowledgedAt: null });
    expect(after.timeline.map((t: { type: string }) => t.type)).toEqual(["opened"]);
  });

  it("lets the owner team acknowledge, comment on and resolve an incident", async () => {
    const ack = await quanta("owner", "incidents", "ack", ids.check);
    expect(ack.code, ack.err).toBe(0);
    expect(ack.out).toMatch(new RegExp(`^acknowledged #${ids.check} {2}high {2}acknowledged {2}`));
    const empty = await quanta("owner", "incidents", "comment", ids.check, "  ");
    expect(empty).toMatchObject({ code: 2, out: "" });
    expect(empty.err).toContain("the comment is empty");
    const comment = await quanta("owner", "incidents", "comment", ids.check, "the station uplink is down");
    expect(comment.code, comment.err).toBe(0);
    expect(comment.out).toMatch(new RegExp(`^commented on #${ids.check} `));
    const resolved = await quanta(
      "owner",
      "incidents",
      "resolve",
      ids.check,
      "--note",
      "uplink restored",
      "--format",
      "json",
    );
    expect(resolved.code, resolved.err).toBe(0);
    expect(JSON.parse(resolved.out)).toMatchObject({ state: "resolved" });
    const shown = await quanta("owner", "incidents", "show", ids.check);
    expect(shown.out).toContain("the station uplink is down");
    expect(shown.out).toMatch(/resolved {2}\S+ by ingrid@climate\.example/);
    const again = await quanta("owner", "incidents", "ack", "987654");
    expect(again).toMatchObject({ code: 2, out: "" });
    expect(again.err).toContain("no incident #987654");
  });

  it("asks to sign in when there is no token", async () => {
    const r = await quanta(undefined, "incidents");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/sign|log ?in|token/i);
  });
});

describe("quanta observe", () => {
  it("prints the SLOs, the active incidents, the profile and the service levels", async () => {
    const r = await quanta("owner", "observe", product);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split("\n")[0]).toBe(product);
    for (const heading of ["Service level objectives (", "Active incidents (", "Latest profile", "Service levels ("])
      expect(r.out).toContain(heading);
    expect(r.out).toMatch(/readings +freshness/);
    expect(r.out).toContain(`#${ids.drift}  medium  open  schema-drift`);
    expect(r.out).toMatch(/time to detect +p50 /);
  });

  it("--format json gives the whole observation; --port narrows it", async () => {
    const r = await quanta("owner", "observe", product, "--format", "json", "--port", "readings");
    expect(r.code, r.err).toBe(0);
    const o = JSON.parse(r.out);
    expect(o).toMatchObject({ productId: product, port: "readings" });
    expect(o.slos.objectives.length).toBeGreaterThan(0);
    expect(o.slos.objectives.every((s: { port: string }) => s.port === "readings")).toBe(true);
    expect(o.incidents.map((i: { id: unknown }) => String(i.id))).toContain(ids.drift);
    expect(o.incidents.map((i: { id: unknown }) => String(i.id))).not.toContain(ids.check);
    expect(o.serviceLevels).toMatchObject({ productId: product });
  });

  it("names a port it knows nothing of, and an unknown product", async () => {
    const port = await quanta("owner", "observe", product, "--port", "nope");
    expect(port).toMatchObject({ code: 2, out: "" });
    expect(port.err).toContain(`data product "${product}" has no output port "nope" (readings, stations)`);
    const unknown = await quanta("owner", "observe", "no.such-product");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toBe("");
    expect(unknown.err).toContain("no.such-product");
  });
});
