import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { type RunningPlatform, startPlatform } from "../server/start-platform.js";

const product = "test.sensors";
const port = "readings";

let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
let platform: RunningPlatform;
let team: string;
const tokens = { owner: "", outsider: "" };
const files: Record<"good" | "added" | "missing" | "outOfRange" | "stale", Buffer> = {} as never;

/**
 * A publish the gate refuses (its columns or its checks) opens the incident a test of current data
 * would have, through the real route, with no job worker: uploads that are not data faults (a
 * file that is not Parquet, no body, someone outside the team) open none.
 */
beforeAll(async () => {
  fixture = await writeSensorProducts(500);
  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  try {
    const src = `read_parquet('${join(fixture.sensorsDir, "data", "readings.parquet")}')`;
    const sql = {
      good: `SELECT * FROM ${src}`,
      added: `SELECT *, 'v2' AS firmware FROM ${src}`,
      missing: `SELECT * EXCLUDE (station) FROM ${src}`,
      outOfRange: `SELECT * REPLACE (value + 100 AS value) FROM ${src}`,
      stale: `SELECT * REPLACE (measured_at - INTERVAL 90 DAY AS measured_at) FROM ${src}`,
    };
    for (const [name, q] of Object.entries(sql)) {
      const out = join(fixture.root, `${name}.parquet`);
      await conn.run(`COPY (${q}) TO '${out}' (FORMAT parquet)`);
      files[name as keyof typeof files] = await readFile(out);
    }
  } finally {
    conn.closeSync();
    duck.closeSync();
  }
  platform = await startPlatform({
    store: { memory: true },
    port: 0,
    hostname: "127.0.0.1",
    publishFolders: [fixture.sensorsDir],
    dataDir: join(fixture.root, "platform"),
    runJobs: false,
  });
  const identity = new IdentityStore(platform.db);
  team = (await platform.db.query<{ team_id: string }>("SELECT team_id FROM data_products WHERE id = $1", [product]))
    .rows[0]?.team_id as string;
  const owner = await identity.users.createUser({ username: "owner@sensors.example" });
  await identity.teams.setTeamMember(team, owner.id, "owner");
  const outsider = await identity.users.createUser({ username: "someone@elsewhere.example" });
  tokens.owner = (await identity.tokens.createToken(owner.id, { name: "test" })).token;
  tokens.outsider = (await identity.tokens.createToken(outsider.id, { name: "test" })).token;
}, 120_000);

afterAll(async () => {
  await platform?.close();
  if (fixture) await rm(fixture.root, { recursive: true, force: true });
});

const put = async (body: BodyInit | undefined, token = tokens.owner, type = "application/vnd.apache.parquet") => {
  const res = await fetch(`${platform.url}/api/products/${product}/ports/${port}/data`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { code?: string; message?: string } } };
};

interface Row {
  id: number;
  kind: string;
  key: string;
  severity: string;
  state: string;
  occurrences: number;
  title: string;
  detail: Record<string, unknown>;
}
const incidents = async () =>
  (
    await platform.db.query<Row>(
      "SELECT id, kind, key, severity, state, occurrences, title, detail FROM incidents WHERE product_id = $1 ORDER BY id",
      [product],
    )
  ).rows;
const events = async (type: string) =>
  (
    await platform.db.query<{ payload: Record<string, unknown>; audience: string[] }>(
      "SELECT payload, audience FROM events WHERE type = $1 ORDER BY id",
      [type],
    )
  ).rows;

describe("a refused landing", () => {
  it("opens no incident for what is no data fault", async () => {
    const garbage = await put("not a parquet file, just text");
    expect(garbage.status).toBe(400);
    const empty = await put(undefined);
    expect(empty.status).toBe(400);
    const outsider = await put(new Uint8Array(files.added), tokens.outsider);
    expect(outsider.status).toBe(403);
    expect(await incidents()).toEqual([]);
  });

  it("opens a schema-drift incident for a column the contract does not have, for the owner team", async () => {
    const r = await put(new Uint8Array(files.added));
    expect(r.status).toBe(422);
    expect(r.body.error?.code).toBe("wrong-schema");
    const [drift, ...rest] = await incidents();
    expect(rest).toEqual([]);
    expect(drift).toMatchObject({
      kind: "schema-drift",
      key: "readings",
      severity: "medium",
      state: "open",
      occurrences: 1,
      detail: { source: "publish", dataset: "readings", contract: { added: [{ name: "firmware" }], removed: [] } },
    });
    expect(drift?.title).toBe(
      "test.sensors.readings: an upload was refused, the schema of readings drifted: added firmware against the contract",
    );
    const opened = await events("incident.opened");
    expect(opened).toHaveLength(1);
    expect(opened[0]?.payload).toMatchObject({ incidentId: drift?.id, kind: "schema-drift", productId: product });
    expect(opened[0]?.audience).toContain(team);
  });

  it("keeps one incident per fault: a refusal again counts, a worse one escalates it, with no new alert", async () => {
    for (let i = 0; i < 3; i++) expect((await put(new Uint8Array(files.added))).status).toBe(422);
    expect((await put(new Uint8Array(files.missing))).status).toBe(422);
    const all = await incidents();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ kind: "schema-drift", severity: "high", occurrences: 5 });
    expect(all[0]?.title).toContain("missing station");
    expect(await events("incident.opened")).toHaveLength(1);
    const updated = await events("incident.updated");
    expect(updated).toHaveLength(1);
    expect(updated[0]?.payload).toMatchObject({ severity: "high", previousSeverity: "medium" });
  });

  it("opens a failed-check incident and a freshness incident for data its checks refuse", async () => {
    const range = await put(new Uint8Array(files.outOfRange));
    expect(range.status).toBe(422);
    expect(range.body.error?.code).toBe("checks-failed");
    const stale = await put(new Uint8Array(files.stale));
    expect(stale.status).toBe(422);
    const found = (await incidents()).filter((i) => i.kind !== "schema-drift");
    const failed = found.filter((i) => i.kind === "check-failed");
    expect(failed.map((i) => i.key)).toEqual([expect.stringMatching(/value.*max/i)]);
    expect(failed[0]).toMatchObject({ severity: "high", detail: { source: "publish", status: "failed" } });
    const fresh = found.filter((i) => i.kind === "freshness");
    expect(fresh.map((i) => i.key)).toEqual([expect.stringMatching(/^sla\.freshness\./)]);
    expect(fresh[0]?.title).toMatch(/^test\.sensors\.readings: an upload was refused, .* is breached$/);
  });

  it("lets good data through untouched: the open incidents wait for its contract test", async () => {
    const before = await incidents();
    const good = await put(new Uint8Array(files.good));
    expect(good.status).toBe(201);
    expect(await incidents()).toEqual(before);
  });
});
