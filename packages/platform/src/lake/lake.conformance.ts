import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyStore } from "../governance/policy-store.js";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { as, asAdmin, testAuthenticator } from "../harness/test-principal.js";
import { createApp } from "../http/create-app.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { thisProcess } from "./file-owner.js";
import type { Lake } from "./lake.js";
import type { CurrentVersion, StoredDataset } from "./port-version-store.js";
import { recoverLake } from "./recover-lake.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;
/** A request body (the DOM's BodyInit, which this package's types do not include). */
type BodyInit = NonNullable<RequestInit["body"]>;

/** A product whose one output port's contract has two datasets. */
const multiOdps = `apiVersion: v1.0.0
kind: DataProduct
id: test.multi
name: Multi
version: 1.0.0
status: active
domain: testing
description:
  purpose: Two datasets behind one port, for the storage tests.
support:
  - channel: "#multi"
    url: https://chat.example.com/multi
    tool: slack
outputPorts:
  - name: tables
    type: tables
    version: 1.0.0
    contractId: test.multi.tables
team:
  name: Sensor team
  members:
    - username: ada@example.com
      role: owner
      dateIn: "2024-01-01"
`;
const multiOdcs = `apiVersion: v3.1.0
kind: DataContract
id: test.multi.tables
name: Tables
version: 1.0.0
status: active
description:
  purpose: Two datasets, for the storage tests.
schema:
  - name: left
    physicalType: table
    properties:
      - name: id
        logicalType: integer
        classification: public
        required: true
  - name: right
    physicalType: table
    properties:
      - name: key
        logicalType: string
        classification: public
        required: true
`;

/** Readings as the sensors contract wants them (`bad` breaks its pattern and its range). */
const readingsSql = (rows: number, bad = false) =>
  `SELECT i::BIGINT AS reading_id, ${bad ? "'X-' || i" : "'S-' || lpad(CAST(i % 50 AS VARCHAR), 3, '0')"} AS station,
     ${bad ? "99.0" : "round(((i * 7919) % 1000) / 20.0 - 25, 2)"}::DOUBLE AS value,
     date_trunc('minute', now()::TIMESTAMP) - to_minutes(i) AS measured_at
   FROM range(1, ${rows + 1}) t(i)`;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Port versions in the storage root Quanta owns, and publishing data with a product; PGlite and PostgreSQL. */
export function lakeConformance(name: string, target: StoreTarget): void {
  describe(`storage root on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let harness: Harness;
    let lake: Lake;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let dataDir: string;
    const errors: unknown[] = [];
    const files: Record<string, Buffer<ArrayBuffer>> = {};

    beforeAll(async () => {
      fixture = await writeSensorProducts(10);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      await registry.publish({
        files: [
          { path: "multi.odps.yaml", text: multiOdps },
          { path: "contracts/tables.odcs.yaml", text: multiOdcs },
        ],
      });
      dataDir = join(fixture.root, "platform");
      harness = new Harness({ db, registry, locator: new DataLocator(dataDir) });
      lake = harness.lake;
      app = createApp({
        registry,
        harness,
        authenticator: testAuthenticator,
        maxUploadBytes: 2 * 1024 * 1024,
        logError: (e) => errors.push(e),
      });
      const make = async (file: string, sql: string) => {
        await writeData(join(fixture.root, file), sql);
        files[file] = await readFile(join(fixture.root, file));
      };
      await make("readings.parquet", readingsSql(1_000));
      await make("readings-2.parquet", readingsSql(2_000));
      await make("readings-bad.parquet", readingsSql(100, true));
      await make("readings.csv", readingsSql(50));
      await make("wrong.parquet", "SELECT 1::BIGINT AS reading_id, 'S-001' AS colour");
      await make("left.parquet", "SELECT range::INT AS id FROM range(3)");
      await make("right.csv", "SELECT 'k' || range AS key FROM range(4)");
      await make("big.parquet", "SELECT md5(range::VARCHAR) || md5((range * 7)::VARCHAR) AS s FROM range(200000)");
    });
    afterAll(async () => {
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const put = async (
      body: BodyInit | null,
      options: { type?: string; query?: string; headers?: Record<string, string>; path?: string } = {},
    ) => {
      const res = await app.request(
        `${options.path ?? "/api/products/test.sensors/ports/readings/data"}${options.query ?? ""}`,
        {
          method: "PUT",
          headers: {
            ...(options.type === undefined ? {} : { "content-type": options.type }),
            ...asAdmin,
            ...options.headers,
          },
          body,
          ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
        } as RequestInit,
      );
      return { status: res.status, body: (await res.json()) as Json };
    };
    const parquet = "application/vnd.apache.parquet";
    const current = () => lake.current(db, "test.sensors", "readings");
    const history = () => lake.versions.history(db, "test.sensors", "readings");
    /** Version folders of the readings port on disk. */
    const folders = async () =>
      (await readdir(join(dataDir, "lake", "test.sensors", "readings")).catch(() => [] as string[])).sort();
    /** Nothing changed: the same current version, no staged version left, no folder of a failed one. */
    const unchanged = async (before: CurrentVersion | undefined, foldersBefore: string[]) => {
      expect(await current()).toEqual(before);
      expect((await history()).filter((v) => v.state === "staged")).toEqual([]);
      expect(await folders()).toEqual(foldersBefore);
    };

    describe("publishing a port's data", () => {
      it("has no current version until data is published, then serves the uploaded file as it", async () => {
        expect(await current()).toBeUndefined();
        const bytes = files["readings.parquet"] as Buffer<ArrayBuffer>;
        const { status, body } = await put(bytes, { type: parquet });
        expect(status, JSON.stringify(body)).toBe(201);
        expect(body).toMatchObject({
          productId: "test.sensors",
          port: "readings",
          dataset: "readings",
          contractId: "test.sensors.readings",
          contractVersion: "1.0.0",
          version: 1,
          previous: null,
          format: "parquet",
          rows: 1_000,
          bytes: bytes.length,
          status: "passed",
        });
        expect(body.checks.length).toBeGreaterThan(3);
        expect(body.checks.every((c: Json) => c.status === "passed")).toBe(true);
        const now = (await current()) as CurrentVersion;
        expect(now).toMatchObject({ version: 1, source: "publish" });
        expect(now.datasets).toEqual([
          { name: "readings", format: "parquet", files: [expect.any(String)], rows: 1_000, bytes: bytes.length },
        ]);
        const file = now.datasets[0]?.files[0] as string;
        expect(file).toMatch(
          new RegExp(`^${dataDir}/lake/test\\.sensors/readings/v1-[0-9a-z]{8}/readings/readings\\.parquet$`),
        );
        expect(sha(await readFile(file))).toBe(sha(bytes));
        // discover and observe show it.
        const discovered = (await (
          await app.request("/api/products/test.sensors/discover", { headers: asAdmin })
        ).json()) as Json;
        const port = discovered.ports.find((p: Json) => p.name === "readings");
        expect(port.data).toEqual({
          current: {
            version: 1,
            state: "current",
            source: "publish",
            at: now.currentAt,
            rows: 1_000,
            bytes: bytes.length,
          },
          history: [
            { version: 1, state: "current", source: "publish", at: now.currentAt, rows: 1_000, bytes: bytes.length },
          ],
        });
        expect(discovered.ports.find((p: Json) => p.name === "events").data).toEqual({ current: null, history: [] });
        const observed = (await (
          await app.request("/api/products/test.sensors/observe", { headers: asAdmin })
        ).json()) as Json;
        expect(observed.data.find((p: Json) => p.port === "readings").current).toMatchObject({
          version: 1,
          state: "current",
          source: "publish",
          createdBy: "admin@example.com",
          rows: 1_000,
          datasets: [{ name: "readings", format: "parquet", files: 1, rows: 1_000, bytes: bytes.length }],
          reason: null,
        });
      });

      it("makes a second upload the next version, keeping the first's files, and lists both newest first", async () => {
        const first = (await current()) as CurrentVersion;
        const { status, body } = await put(files["readings-2.parquet"] as Buffer<ArrayBuffer>, {
          query: "?format=parquet",
        });
        expect(status, JSON.stringify(body)).toBe(201);
        expect(body).toMatchObject({ version: 2, previous: 1, rows: 2_000 });
        expect((await current())?.version).toBe(2);
        expect((await history()).map((v) => `${v.version}:${v.state}`)).toEqual(["2:current", "1:superseded"]);
        expect((await stat(first.datasets[0]?.files[0] as string)).size).toBe(first.datasets[0]?.bytes);
        const events = await harness.registry.events({ subject: "test.sensors" });
        expect(events.filter((e) => e.type === "port.version.published").map((e) => e.payload)).toEqual([
          expect.objectContaining({ port: "readings", version: 1, previous: null, rows: 1_000, checks: "passed" }),
          expect.objectContaining({ port: "readings", version: 2, previous: 1, rows: 2_000, checks: "passed" }),
        ]);
      });

      it("takes CSV as sent, its format from the content type", async () => {
        const { status, body } = await put(files["readings.csv"] as Buffer<ArrayBuffer>, { type: "text/csv" });
        expect(status, JSON.stringify(body)).toBe(201);
        expect(body).toMatchObject({ version: 3, format: "csv", rows: 50 });
        expect((await current())?.datasets[0]).toMatchObject({
          format: "csv",
          files: [expect.stringMatching(/\/readings\/readings\.csv$/)],
        });
      });

      it("refuses a body that is not its format, cut off, empty or broken in flight, changing nothing (400, 415)", async () => {
        const before = await current();
        const foldersBefore = await folders();
        const pq = files["readings.parquet"] as Buffer<ArrayBuffer>;
        let pulls = 0;
        const breaking = () =>
          new ReadableStream<Uint8Array<ArrayBuffer>>({
            async pull(controller) {
              if (pulls++ === 0) controller.enqueue(pq.subarray(0, 1000));
              else {
                // The first 1000 bytes are on disk when the connection breaks.
                await new Promise((done) => setTimeout(done, 100));
                controller.error(new Error("connection reset by peer"));
              }
            },
          });
        const cases: [
          BodyInit | null,
          { type?: string; query?: string; headers?: Record<string, string> },
          number,
          RegExp,
        ][] = [
          [
            "reading_id,station\n1,S-001\n",
            { type: parquet },
            400,
            /not Parquet: it does not start with the PAR1 magic bytes \(it looks like text/,
          ],
          [pq, { type: "text/csv" }, 400, /the file is Parquet, not CSV; send format=parquet/],
          [
            pq.subarray(0, Math.floor(pq.length / 2)),
            { type: parquet },
            400,
            /the Parquet file is cut off: it does not end with its footer/,
          ],
          ["", { type: parquet }, 400, /empty/],
          [
            pq.subarray(0, 500),
            { type: parquet, headers: { "content-length": "1000" } },
            400,
            /cut off: 500 bytes arrived of the 1000 announced/,
          ],
          [breaking(), { type: parquet }, 400, /cut off after 1000 bytes/],
          ["{not json", { type: "application/json" }, 400, /not readable JSON/],
          [pq, { type: "application/octet-stream" }, 415, /name the file's format/],
          [pq, {}, 415, /name the file's format/],
          [pq, { type: parquet, query: "?format=xlsx" }, 400, /format/],
          [pq, { type: parquet, query: "?dataset=nope" }, 404, /no dataset "nope"/],
        ];
        for (const [body, options, status, message] of cases) {
          const r = await put(body, options);
          expect(r.status, `${JSON.stringify(options)}: ${JSON.stringify(r.body)}`).toBe(status);
          expect(r.body.error.message).toMatch(message);
          await unchanged(before, foldersBefore);
        }
        expect((await history()).filter((v) => v.state === "failed").map((v) => v.reason)).toEqual(
          expect.arrayContaining([expect.stringMatching(/cut off after 1000 bytes/)]),
        );
      });

      it("refuses the wrong columns and data that fails the contract's checks (422), publishing nothing", async () => {
        const before = await current();
        const foldersBefore = await folders();
        const wrong = await put(files["wrong.parquet"] as Buffer<ArrayBuffer>, { type: parquet });
        expect(wrong.status).toBe(422);
        expect(wrong.body.error).toMatchObject({
          code: "wrong-schema",
          message:
            'the file\'s columns do not match dataset "readings" of contract "test.sensors.readings"; not in the contract: colour; required but missing: station, measured_at',
          details: { unknown: ["colour"], missing: ["station", "measured_at"] },
        });
        await unchanged(before, foldersBefore);
        const bad = await put(files["readings-bad.parquet"] as Buffer<ArrayBuffer>, { type: parquet });
        expect(bad.status).toBe(422);
        expect(bad.body.error.code).toBe("checks-failed");
        expect(bad.body.error.message).toMatch(
          /^the data does not meet contract "test.sensors.readings" 1.0.0: \d+ of \d+ check\(s\) failed \(.*\); nothing was published$/,
        );
        const failed = (bad.body.error.details.checks as Json[]).filter((c) => c.status === "failed");
        expect(failed.map((c) => c.checkId)).toEqual(
          expect.arrayContaining([expect.stringMatching(/station/), expect.stringMatching(/value/)]),
        );
        expect(bad.body.error.details.status).toBe("failed");
        await unchanged(before, foldersBefore);
        const [latest] = await history();
        expect(latest).toMatchObject({ state: "failed", reason: expect.stringMatching(/^the data does not meet/) });
      });

      it("needs the dataset of a port with several, and keeps the other datasets of the version", async () => {
        const path = "/api/products/test.multi/ports/tables/data";
        const none = await put(files["left.parquet"] as Buffer<ArrayBuffer>, { type: parquet, path });
        expect(none.status).toBe(400);
        expect(none.body.error).toMatchObject({ code: "dataset-required" });
        expect(none.body.error.message).toMatch(/has 2 datasets \(left, right\); name one with "dataset"/);
        const left = await put(files["left.parquet"] as Buffer<ArrayBuffer>, {
          type: parquet,
          path,
          query: "?dataset=left",
        });
        expect(left.status, JSON.stringify(left.body)).toBe(201);
        const v1 = (await lake.current(db, "test.multi", "tables")) as CurrentVersion;
        expect(v1.datasets.map((d) => d.name)).toEqual(["left"]);
        const right = await put(files["right.csv"] as Buffer<ArrayBuffer>, {
          type: "text/csv",
          path,
          query: "?dataset=right",
        });
        expect(right.status, JSON.stringify(right.body)).toBe(201);
        const v2 = (await lake.current(db, "test.multi", "tables")) as CurrentVersion;
        expect(v2.version).toBe(2);
        expect(v2.datasets).toEqual([
          v1.datasets[0],
          expect.objectContaining({ name: "right", format: "csv", rows: 4 }),
        ]);
        // Only output ports take uploads: an input port's versions are its ingested batches.
        const input = await put(files["left.parquet"] as Buffer<ArrayBuffer>, {
          type: parquet,
          path: "/api/products/test.sensors/ports/events/data",
        });
        expect(input.status).toBe(404);
        expect(input.body.error.message).toMatch(/no output port "events" \(readings\)/);
      });

      it("lets blocking on: data policies refuse a version its tests passed (422, audited), publishing nothing", async () => {
        const policies = new PolicyStore(db);
        const rule = (cel: string) => `apiVersion: quanta/v1
kind: PolicySet
name: sensor-volume
version: 1.0.0
rules:
  - id: volume-cap
    severity: blocking
    on: data
    cel: "${cel}"
    message: a readings version stays under 1500 rows
  - id: all-checks-pass
    severity: advisory
    on: data
    cel: data.checks.all(c, c.status == 'passed')
    message: every check passes
`;
        await policies.apply(rule("data.port != 'readings' || data.rows < 1500"), "volume.yaml", "test");
        try {
          const before = await current();
          const foldersBefore = await folders();
          const big = await put(files["readings-2.parquet"] as Buffer<ArrayBuffer>, { type: parquet });
          expect(big.status, JSON.stringify(big.body)).toBe(422);
          expect(big.body.error.code).toBe("refused");
          expect(big.body.error.message).toMatch(
            /^refused by policy .*: blocking rule volume-cap \(a readings version stays under 1500 rows\) failed on version \d+ of port readings$/,
          );
          await unchanged(before, foldersBefore);
          const { rows } = await db.query<{ decision: string; reason: string }>(
            "SELECT decision, reason FROM audit_log WHERE action = 'policy.data' ORDER BY id DESC LIMIT 1",
          );
          expect(rows[0]?.decision).toBe("denied");
          // Under the cap the same rules let it through.
          const small = await put(files["readings.parquet"] as Buffer<ArrayBuffer>, { type: parquet });
          expect(small.status, JSON.stringify(small.body)).toBe(201);
        } finally {
          // The next version of the set judges nothing on data: the other tests upload freely.
          await policies.apply(
            rule("true")
              .replace("severity: blocking", "severity: advisory")
              .replace("version: 1.0.0", "version: 1.0.1"),
            "volume.yaml",
            "test",
          );
        }
      });

      it("refuses a file over the limit (413) and anyone but the owner team or an admin (401, 403, audited)", async () => {
        const before = await current();
        const foldersBefore = await folders();
        const big = files["big.parquet"] as Buffer<ArrayBuffer>;
        expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
        const announced = await put(big, { type: parquet });
        expect(announced.status).toBe(413);
        expect(announced.body.error.message).toMatch(/larger than the 2.0 MiB this server accepts/);
        const streamed = await put(
          new ReadableStream<Uint8Array<ArrayBuffer>>({
            start(controller) {
              for (let at = 0; at < big.length; at += 65_536) controller.enqueue(big.subarray(at, at + 65_536));
              controller.close();
            },
          }),
          { type: parquet },
        );
        expect(streamed.status).toBe(413);
        await unchanged(before, foldersBefore);
        const pq = files["readings.parquet"] as Buffer<ArrayBuffer>;
        const anonymous = await app.request("/api/products/test.sensors/ports/readings/data", {
          method: "PUT",
          headers: { "content-type": parquet },
          body: pq,
        });
        expect(anonymous.status).toBe(401);
        const consumer = await put(pq, { type: parquet, headers: as("eve@example.com") });
        expect(consumer.status).toBe(403);
        expect(consumer.body.error.message).toBe(
          "only the owner team of test.sensors (sensor-team) or an admin may publish its data",
        );
        expect(
          (await put(pq, { type: parquet, headers: as("eve"), path: "/api/products/test.none/ports/x/data" })).status,
        ).toBe(404);
        await unchanged(before, foldersBefore);
        const { rows } = await db.query<{ actor: string; decision: string; port: string }>(
          "SELECT actor, decision, port FROM audit_log WHERE action = 'publish-data'",
        );
        expect(rows).toEqual([{ actor: "eve@example.com", decision: "denied", port: "readings" }]);
      });

      it("gives up an upload cut off on a real connection: the current version stays, its files go", async () => {
        const before = await current();
        const foldersBefore = await folders();
        const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
        await new Promise((done) => server.once("listening", done));
        try {
          const { port } = server.address() as AddressInfo;
          const { connect } = await import("node:net");
          const pq = files["readings-2.parquet"] as Buffer<ArrayBuffer>;
          const socket = connect(port, "127.0.0.1");
          await new Promise((done) => socket.once("connect", done));
          socket.write(
            `PUT /api/products/test.sensors/ports/readings/data HTTP/1.1\r\nhost: x\r\nauthorization: Bearer admin\r\ncontent-type: ${parquet}\r\ncontent-length: ${pq.length}\r\n\r\n`,
          );
          socket.write(pq.subarray(0, Math.floor(pq.length / 3)));
          // The staged version is there while the upload runs; then the client goes away.
          await expect.poll(async () => (await history())[0]?.state, { timeout: 10_000 }).toBe("staged");
          socket.destroy();
          await expect.poll(async () => (await history())[0]?.state, { timeout: 10_000 }).toBe("failed");
          expect((await history())[0]?.reason).toMatch(/cut off after \d+ bytes of \d+/);
          // The version is marked failed first, then its folder goes.
          await expect.poll(folders, { timeout: 10_000 }).toEqual(foldersBefore);
          await unchanged(before, foldersBefore);
        } finally {
          await new Promise((done) => server.close(done));
        }
      });
    });

    describe("port versions", () => {
      /** A version of `test.sensors` port `port`, written and made current by the store: its file holds its number. */
      const publish = async (port: string, n: number) => {
        const staged = await lake.stage(db, { productId: "test.sensors", port, source: "pipeline", createdBy: null });
        const file = await lake.file(staged, "d", `part-${n}.txt`);
        await writeFile(file, String(n));
        await db.transaction((tx) =>
          lake.versions.makeCurrent(tx, staged.row, (was): StoredDataset[] => [
            {
              name: "d",
              format: "csv",
              files: [...(was[0]?.files ?? []), lake.relative(file)],
              rows: (was[0]?.rows ?? 0) + 1,
              bytes: 0,
            },
          ]),
        );
      };
      /** A whole version: as many files as rows, each there on disk. */
      const whole = async (v: CurrentVersion | undefined) => {
        if (!v) return true;
        const d = v.datasets[0];
        if (!d || d.files.length !== d.rows || d.rows !== v.version) return false;
        for (const f of d.files) if (!(await stat(f).catch(() => undefined))) return false;
        return true;
      };

      it("switches atomically: a reader during the switch sees the old version or the new one, whole", async () => {
        await publish("switch", 1);
        // Inside the switch's transaction a reader outside asks: it gets the old version (PostgreSQL)
        // or waits for the commit and gets the new one (PGlite), never anything in between.
        const staged = await lake.stage(db, {
          productId: "test.sensors",
          port: "switch",
          source: "pipeline",
          createdBy: null,
        });
        const file = await lake.file(staged, "d", "part-2.txt");
        await writeFile(file, "2");
        let outside: Promise<CurrentVersion | undefined> | undefined;
        await db.transaction(async (tx) => {
          await lake.versions.makeCurrent(tx, staged.row, (was) => [
            { name: "d", format: "csv", files: [...(was[0]?.files ?? []), lake.relative(file)], rows: 2, bytes: 0 },
          ]);
          expect((await lake.versions.current(tx, "test.sensors", "switch"))?.version).toBe(2);
          outside = lake.current(db, "test.sensors", "switch");
          await Promise.race([outside, new Promise((done) => setTimeout(done, 50))]);
        });
        const seen = await outside;
        expect([1, 2]).toContain(seen?.version);
        expect(await whole(seen)).toBe(true);

        // Readers in a loop while versions 3–20 are made current one after the other.
        let writing = true;
        const seenVersions = new Set<number>();
        const reader = async () => {
          let reads = 0;
          while (writing || reads === 0) {
            const v = await lake.current(db, "test.sensors", "switch");
            expect(await whole(v), JSON.stringify(v)).toBe(true);
            if (v) seenVersions.add(v.version);
            reads++;
          }
          return reads;
        };
        const readers = [reader(), reader(), reader()];
        for (let n = 3; n <= 20; n++) await publish("switch", n);
        writing = false;
        expect(Math.min(...(await Promise.all(readers)))).toBeGreaterThan(0);
        expect((await lake.current(db, "test.sensors", "switch"))?.version).toBe(20);
        expect([...seenVersions].every((v) => v >= 2 && v <= 20)).toBe(true);
        const states = await lake.versions.history(db, "test.sensors", "switch", { limit: 100 });
        expect(states.filter((v) => v.state === "current").map((v) => v.version)).toEqual([20]);
        expect(states).toHaveLength(20);
      });

      it("keeps at most one current version and never changes one that has left staged", async () => {
        const { rows } = await db.query<{ id: number }>(
          "SELECT id FROM port_versions WHERE product_id = 'test.sensors' AND port = 'switch' AND version = 3",
        );
        const id = Number(rows[0]?.id);
        for (const sql of [
          "UPDATE port_versions SET state = 'current' WHERE id = $1",
          "UPDATE port_versions SET datasets = '[]' WHERE id = $1",
          "UPDATE port_versions SET state = 'staged' WHERE id = $1",
          "DELETE FROM port_versions WHERE id = $1",
        ])
          await expect(db.query(sql, [id]), sql).rejects.toMatchObject({ code: "QI001" });
        await expect(
          db.query(
            `INSERT INTO port_versions (product_id, port, version, state, folder, source, owner)
             VALUES ('test.sensors', 'switch', 99, 'current', 'x', 'pipeline', 'me')`,
          ),
        ).rejects.toMatchObject({ code: "23505" });
        // A version staged before the current one never replaces it: it would undo that one.
        const early = await lake.stage(db, {
          productId: "test.sensors",
          port: "switch",
          source: "pipeline",
          createdBy: null,
        });
        await publish("switch", 22);
        await expect(db.transaction((tx) => lake.versions.makeCurrent(tx, early.row, () => []))).rejects.toMatchObject({
          name: "VersionRaced",
          code: "version-raced",
          details: { current: 22, staged: 21 },
        });
        await lake.discard(db, early, "raced");
        expect((await lake.current(db, "test.sensors", "switch"))?.version).toBe(22);
      });

      it("recovers at start: gives up staged versions whose writer is gone, keeps live ones, leaves unknown folders", async () => {
        const host = thisProcess.host;
        const stage = async (owner: string, touchedMinutesAgo = 0) => {
          const s = await lake.stage(db, {
            productId: "test.sensors",
            port: "recover",
            source: "publish",
            createdBy: null,
          });
          await writeFile(await lake.file(s, "readings", "readings.parquet"), "PAR1 partial");
          await db.query(
            `UPDATE port_versions SET owner = $2, touched_at = now() - ($3::int * interval '1 minute') WHERE id = $1`,
            [s.row.id, owner, touchedMinutesAgo],
          );
          return s;
        };
        const dead = await stage(`${host}_${process.pid}_${thisProcess.started - 60_000}`);
        const mine = await stage(`${host}_${process.pid}_${thisProcess.started}`);
        const otherFresh = await stage("elsewhere_42_1700000000000", 1);
        const otherSilent = await stage("elsewhere_42_1700000000000", 60);
        // A failed version whose files a stop left on disk, and a folder no version names.
        const failed = await stage(`${host}_${process.pid}_${thisProcess.started}`);
        await lake.versions.fail(db, failed.row.id, "checks failed");
        const unknown = join(dataDir, "lake", "test.sensors", "recover", "v77-zzzzzzzz");
        await mkdir(unknown, { recursive: true });
        const old = new Date(Date.now() - 3_600_000);
        await utimes(unknown, old, old);

        const r = await recoverLake(db, lake);
        expect(r.abandoned.sort()).toEqual(
          [`test.sensors/recover v${dead.row.version}`, `test.sensors/recover v${otherSilent.row.version}`].sort(),
        );
        expect(r.removed.sort()).toEqual([dead.dir, otherSilent.dir, failed.dir].sort());
        expect(r.unknown).toEqual([unknown]);
        const states = Object.fromEntries(
          (await lake.versions.history(db, "test.sensors", "recover")).map((v) => [v.version, v.state]),
        );
        expect(states).toEqual({
          [dead.row.version]: "failed",
          [mine.row.version]: "staged",
          [otherFresh.row.version]: "staged",
          [otherSilent.row.version]: "failed",
          [failed.row.version]: "failed",
        });
        for (const s of [mine, otherFresh]) expect((await stat(s.dir)).isDirectory()).toBe(true);
        expect((await stat(unknown)).isDirectory()).toBe(true);
        // A version recovery gave up cannot be made current by a writer that was only slow.
        await expect(
          db.transaction((tx) => lake.versions.makeCurrent(tx, otherSilent.row, () => [])),
        ).rejects.toMatchObject({ code: "version-abandoned" });
        // Twice is the same as once (the live ones are still live).
        expect(await recoverLake(db, lake)).toEqual({ abandoned: [], removed: [], unknown: [unknown] });
        await rm(unknown, { recursive: true });
        for (const s of [mine, otherFresh]) await lake.discard(db, s, "test over");
      });
    });
  });
}
