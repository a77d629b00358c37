import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateProductData } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProductFolders } from "../registry/product-folder.js";
import { examplesDir } from "../test-fixtures.js";
import { type RunningPlatform, startPlatform } from "./start-platform.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** What the test receiver got: the CloudEvent, whether its signature verified, when it arrived. */
interface Delivery {
  at: number;
  verified: boolean;
  contentType: string;
  event: Json;
}

const product = "climate.weather-station-readings";
const port = "readings";
/** Issue 17's goal: from the bad batch landing to the signed webhook delivered. */
const goalMs = 5_000;

/**
 * Issue 17's "Done when", on the demo mesh as `quanta serve --demo` starts it: three faults
 * injected into the readings through the real publish path (a column added, a tenth of the usual
 * rows, stale data) each open an incident, reach the owner team's signed webhook within the goal,
 * and resolve once good data lands again. A pipeline output that fails its contract opens one too.
 */
describe("faults injected into the demo mesh", () => {
  let root: string;
  let platform: RunningPlatform;
  let receiver: Server;
  let secret = "";
  let readingsFile = "";
  const deliveries: Delivery[] = [];
  const lines: string[] = [];
  const files: Record<"normal" | "added" | "tenth" | "stale", Buffer> = {} as never;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "quanta-demo-faults-"));
    await cp(examplesDir, join(root, "mesh"), { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    const folders = await findProductFolders(join(root, "mesh"));
    for (const folder of folders)
      if (existsSync(join(folder, "data", "generate.sql"))) await generateProductData(folder, { rowCount: 20_000 });
    readingsFile = join(folders.find((f) => f.endsWith("weather-station-readings")) as string, "data/readings.parquet");
    await writeFaultFiles();

    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        // Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's base64 part.
        const id = String(req.headers["webhook-id"]);
        const ts = String(req.headers["webhook-timestamp"]);
        const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
        const expected = `v1,${createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64")}`;
        deliveries.push({
          at: performance.now(),
          verified: String(req.headers["webhook-signature"]).split(" ").includes(expected),
          contentType: String(req.headers["content-type"]),
          event: JSON.parse(body),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));

    platform = await startPlatform({
      store: { dataDir: join(root, "store") },
      storageRoot: join(root, "lake"),
      port: 0,
      hostname: "127.0.0.1",
      publishFolders: folders,
      demoIdentities: {},
      demoData: true,
      webhookAllowedNetworks: ["127.0.0.0/8"],
      log: (l) => lines.push(l),
      warn: (l) => lines.push(`warning: ${l}`),
    });
    expect(await platform.demoPipelines, lines.join("\n")).toBe("played");
  }, 300_000);

  afterAll(async () => {
    await platform?.close();
    await new Promise((r) => receiver?.close(r));
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The readings as generated, and the three faults made from them with DuckDB. */
  async function writeFaultFiles() {
    const duck = await DuckDBInstance.create(":memory:");
    const conn = await duck.connect();
    try {
      const src = `read_parquet('${readingsFile}')`;
      const out = (name: string) => join(root, `${name}.parquet`);
      const queries = {
        normal: `SELECT * FROM ${src}`,
        added: `SELECT *, 'sensor-v2' AS firmware FROM ${src}`,
        // The newest tenth: every station's latest hours, so only the volume is wrong.
        tenth: `SELECT * FROM ${src} ORDER BY reading_ts DESC, station_id LIMIT 2000`,
        // Two days behind: the freshness SLA is three hours.
        stale: `SELECT * REPLACE (reading_ts - INTERVAL 2 DAY AS reading_ts) FROM ${src}`,
      };
      for (const [name, sql] of Object.entries(queries)) {
        await conn.run(`COPY (${sql}) TO '${out(name)}' (FORMAT parquet)`);
        files[name as keyof typeof files] = await readFile(out(name));
      }
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  }

  const tokenOf = (pred: (t: { role?: string; team?: string | null }) => boolean) => {
    const entry = Object.values(platform.demoTokens ?? {}).find(pred);
    expect(entry, "a demo token").toBeDefined();
    return { authorization: `Bearer ${entry?.token}` };
  };
  const admin = () => tokenOf((t) => t.role === "admin");
  const get = async (path: string) => {
    const res = await fetch(`${platform.url}${path}`, { headers: admin() });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as Json;
  };
  const ownerTeam = async () =>
    (await platform.db.query<{ team_id: string }>("SELECT team_id FROM data_products WHERE id = $1", [product])).rows[0]
      ?.team_id as string;

  const testRuns = async () =>
    Number(
      (
        await platform.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM run_observations WHERE product_id = $1 AND port = $2",
          [product, port],
        )
      ).rows[0]?.n ?? 0,
    );

  const until = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** Publishes a file to the readings port as its owner would; answers the status and when it landed. */
  async function land(file: Buffer): Promise<{ status: number; body: Json }> {
    const team = await ownerTeam();
    const res = await fetch(`${platform.url}/api/products/${product}/ports/${port}/data`, {
      method: "PUT",
      headers: { ...tokenOf((t) => t.team === team), "content-type": "application/vnd.apache.parquet" },
      body: new Uint8Array(file),
    });
    const body = (await res.json()) as Json;
    return { status: res.status, body };
  }

  /** Lands good data and waits for its contract test to be judged. */
  async function landGood() {
    const before = await testRuns();
    const { status, body } = await land(files.normal);
    expect(status, JSON.stringify(body)).toBe(201);
    await until("the contract test of the good version", async () => ((await testRuns()) > before ? true : undefined));
  }

  const metrics = async () => {
    const res = await fetch(`${platform.url}/metrics`);
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(200);
    return text;
  };

  const incidents = async (query: Record<string, string>) =>
    (await get(`/api/incidents?${new URLSearchParams({ product, ...query })}`)).incidents as Json[];

  const openedDelivery = (kind: string, since: number) =>
    until(`the webhook of the ${kind} incident`, async () =>
      deliveries.find(
        (d) =>
          d.at >= since &&
          d.event.type?.endsWith("incident.opened") &&
          d.event.data?.productId === product &&
          d.event.data?.kind === kind,
      ),
    );

  /** One fault end to end: it lands (or is refused), opens an incident, is delivered in time, and resolves. */
  async function fault(file: Buffer, kind: string, landed: 201 | 422) {
    const sentAt = performance.now();
    const { status, body } = await land(file);
    expect(status, JSON.stringify(body)).toBe(landed);
    const delivered = await openedDelivery(kind, sentAt);
    expect(delivered.verified, "the delivery's signature verifies with the webhook's secret").toBe(true);
    expect(delivered.contentType).toMatch(/^application\/cloudevents\+json/);
    expect(delivered.event).toMatchObject({ specversion: "1.0", subject: product });
    // From the upload sent: a refused batch never becomes current, and the gate's test is part of landing.
    const ms = Math.round(delivered.at - sentAt);
    expect(ms, `${kind}: delivered ${ms} ms after the batch was sent`).toBeLessThan(goalMs);
    const open = await incidents({ state: "active", kind });
    expect(open, JSON.stringify(open)).toHaveLength(1);
    const incident = open[0] as Json;
    expect(incident).toMatchObject({ productId: product, port, kind, state: "open" });
    expect(String(incident.id)).toBe(String(delivered.event.data.incidentId));
    // Operators see it too: the open incident is counted on /metrics while it lasts.
    const open1 = new RegExp(
      `^quanta_incidents_open\\{product="${product.replaceAll(".", "\\.")}",severity="${incident.severity}"\\} [1-9]`,
      "m",
    );
    expect(await metrics()).toMatch(open1);
    await until("the owners notified", async () =>
      (await get(`/api/incidents/${incident.id}`)).notifiedAt ? true : undefined,
    );

    // Fixed: good data again, and the incident resolves by itself.
    const fixedAt = performance.now();
    await landGood();
    const resolved = await until("the incident resolved", async () => {
      const i = (await get(`/api/incidents/${incident.id}`)) as Json;
      return i.state === "resolved" ? i : undefined;
    });
    expect(resolved).toMatchObject({ resolvedBy: "quanta" });
    expect(resolved.timeline.map((t: Json) => t.type)).toEqual(expect.arrayContaining(["opened", "resolved"]));
    await until("the resolution delivered", async () =>
      deliveries.find(
        (d) =>
          d.at >= fixedAt &&
          d.event.type?.endsWith("incident.resolved") &&
          String(d.event.data?.incidentId) === String(incident.id),
      ),
    );
    return { incident: resolved, ms };
  }

  it("sends the owner team's signed webhook every incident of its readings, and resolves each once fixed", async () => {
    const team = await ownerTeam();
    const res = await fetch(`${platform.url}/api/teams/${team}/webhooks`, {
      method: "POST",
      headers: { ...tokenOf((t) => t.team === team), "content-type": "application/json" },
      body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    secret = ((await res.json()) as Json).secret;

    // History: the volume detector learns a port's usual size from `minHistory` points (the
    // default, 7, set here as an owner would per port).
    const configured = await fetch(`${platform.url}/api/products/${product}/control`, {
      method: "POST",
      headers: { ...tokenOf((t) => t.team === team), "content-type": "application/json" },
      body: JSON.stringify({
        action: "configure",
        config: { observability: { ports: { [port]: { minHistory: 7 } } } },
      }),
    });
    expect(configured.status, await configured.clone().text()).toBe(200);
    while ((await testRuns()) < 8) await landGood();

    const measured: Record<string, number> = {};
    measured.added = (await fault(files.added, "schema-drift", 422)).ms;
    measured.tenth = (await fault(files.tenth, "volume-anomaly", 201)).ms;
    measured.stale = (await fault(files.stale, "freshness", 422)).ms;
    console.info(`demo faults, signed webhook delivered after the batch was sent (ms): ${JSON.stringify(measured)}`);
    expect(await incidents({ state: "active" })).toEqual([]);
    // observe reports them as service levels: each was detected, notified and repaired.
    const levels = await get(`/api/products/${product}/service-levels`);
    expect(levels.incidents).toBeGreaterThanOrEqual(3);
    for (const level of ["ttd", "ttn", "ttr"]) expect(levels[level].p95, level).not.toBeNull();
    expect(levels.ttn.p95).toBeLessThan(goalMs / 1000);
  }, 300_000);

  it("opens an incident when a pipeline's output fails its contract", async () => {
    // The demo's own incident at start: a re-delivery upstream makes one product's run fail its contract.
    const { rows } = await platform.db.query<{ product_id: string; id: number }>(
      "SELECT product_id, id FROM pipeline_runs WHERE status = 'failed' ORDER BY id",
    );
    expect(rows.length).toBeGreaterThan(0);
    const failed = rows[0] as { product_id: string; id: number };
    const list = (await get(`/api/incidents?${new URLSearchParams({ product: failed.product_id })}`)).incidents;
    const fromRun = (list as Json[]).filter((i) => Number(i.detail?.pipelineRun) === Number(failed.id));
    expect(fromRun.length, JSON.stringify(list)).toBeGreaterThan(0);
    expect(fromRun[0]).toMatchObject({ productId: failed.product_id, detail: { source: "pipeline" } });
    expect(["check-failed", "freshness", "schema-drift"]).toContain(fromRun[0]?.kind);
  });

  it("exposes the SLO burn of the readings on /metrics", async () => {
    const text = await metrics();
    // The freshness objective of the readings, measured by every contract test above.
    const burn = new RegExp(
      `^quanta_slo_burn_rate\\{product="${product.replaceAll(".", "\\.")}",port="${port}",objective="freshness",window="1h"\\} [0-9.e+-]+$`,
      "m",
    );
    expect(text).toMatch(burn);
    expect(text).toMatch(/^# TYPE quanta_incidents_open gauge$/m);
  });
});
