import { access, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { EngineRegistry } from "@quanta/core/engines";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { asAdmin, testAuthenticator } from "../harness/test-principal.js";
import { createApp } from "../http/create-app.js";
import { JobQueue } from "../jobs/job-queue.js";
import type { Lake } from "../lake/lake.js";
import { openIncidentCounts } from "../observability/incidents.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { checkLifecycle, endOfLifeGraceMs } from "./lifecycle-check.js";
import { lifecycleCheckKind, lifecyclePart } from "./lifecycle-part.js";
import { checkRead } from "./read-check.js";
import { expireRows } from "./row-retention.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const endOfSupport = "2030-01-01";
const endOfLife = "2031-01-01T12:00:00Z";

/** The harness's sensors product with lifecycle dates; the upstream product with a retention of one day. */
const withDates = (text: string) =>
  text.replace(
    "customProperties:\n",
    `customProperties:\n  - property: endOfSupport\n    value: "${endOfSupport}"\n  - property: endOfLife\n    value: "${endOfLife}"\n`,
  );
const withRetention = (text: string) =>
  `${text}customProperties:\n  - property: retention\n    value: { value: 1, unit: d, element: events.at }\n`;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const day = 86_400_000;

/** Lifecycle dates enforced over HTTP and in the background part, on a store (PGlite and PostgreSQL run it). */
export function lifecycleConformance(name: string, target: StoreTarget): void {
  describe(`lifecycle on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let lake: Lake;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let clock = new Date("2029-06-01T00:00:00Z");
    const errors: unknown[] = [];

    beforeAll(async () => {
      fixture = await writeSensorProducts(100);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({
        files: fixture.upstream.map((f) => (f.path.endsWith(".odps.yaml") ? { ...f, text: withRetention(f.text) } : f)),
      });
      await registry.publish({
        files: fixture.sensors.map((f) => (f.path.endsWith(".odps.yaml") ? { ...f, text: withDates(f.text) } : f)),
      });
      const locator = new DataLocator(join(fixture.root, "platform"));
      locator.setFolder("test.sensors", fixture.sensorsDir);
      const harness = new Harness({ db, registry, locator, now: () => clock });
      lake = harness.lake;
      app = createApp({ registry, harness, authenticator: testAuthenticator, logError: (e) => errors.push(e) });
    });
    afterAll(async () => {
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const consume = () =>
      app.request("/api/products/test.sensors/consume", {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({ port: "readings", sql: "SELECT count(*) AS n FROM readings" }),
      });
    const consumeAcross = () =>
      app.request("/api/consume", {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin },
        body: JSON.stringify({
          ports: [{ product: "test.sensors", port: "readings" }],
          sql: "SELECT count(*) AS n FROM readings.readings",
        }),
      });
    const get = async (path: string) => {
      const res = await app.request(path, { headers: asAdmin });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const events = async (type: string) =>
      (
        await db.query<{ subject: string; payload: Json; audience: string[] }>(
          "SELECT subject, payload, audience FROM events WHERE type = $1 ORDER BY id",
          [type],
        )
      ).rows;
    const incidents = async () =>
      (
        await db.query<{ key: string; severity: string; port: string | null; occurrences: number }>(
          "SELECT key, severity, port, occurrences FROM incidents WHERE kind = 'lifecycle' ORDER BY id",
        )
      ).rows;
    const states = async () =>
      (
        await db.query<{ key: string; state: string; resolvedBy: string | null }>(
          `SELECT key, state, resolved_by AS "resolvedBy" FROM incidents
           WHERE kind = 'lifecycle' AND product_id = 'test.sensors' ORDER BY id`,
        )
      ).rows.map((r) => [r.key, r.state, r.resolvedBy]);
    const lifecycleHeaders = (res: Response) => ({
      deprecation: res.headers.get("deprecation"),
      sunset: res.headers.get("sunset"),
      link: res.headers.get("link"),
    });

    describe("retention on the storage Quanta owns", () => {
      /** A version of test.upstream's events port: a new file, alone (replace) or after the current ones (append). */
      const land = async (mode: "replace" | "append") => {
        const staged = await lake.stage(db, {
          productId: "test.upstream",
          port: "events",
          source: "ingest",
          createdBy: "test",
        });
        const file = await lake.file(staged, "events", `part-${staged.row.version}.ndjson`);
        await writeFile(file, '{"event_id":1,"at":"2100-01-01T00:00:00Z"}\n'); // rows never too old
        const rel = lake.relative(file);
        await db.transaction((tx) =>
          lake.versions.makeCurrent(tx, staged.row, (current) => [
            {
              name: "events",
              format: "json",
              files: [...(mode === "append" ? (current[0]?.files ?? []) : []), rel],
              rows: 1,
              bytes: 15,
            },
          ]),
        );
        const row = await lake.versions.get(db, staged.row.id);
        await pause(5); // versions a few milliseconds apart, so a cutoff falls between them
        return { version: staged.row.version, file, createdAt: new Date(row?.createdAt as string) };
      };
      const exists = (path: string) =>
        access(path).then(
          () => true,
          () => false,
        );

      it("expires exactly the versions older than the retention, removes only files no kept version lists, audits each", async () => {
        const v1 = await land("replace");
        const v2 = await land("append"); // lists v1's file and its own
        const v3 = await land("replace");
        const v4 = await land("append"); // current: lists v3's file and its own

        // One day after v2 was made: only v1 is older than the retention. Its file is still v2's.
        const first = await checkLifecycle(db, lake, new Date(v2.createdAt.getTime() + day));
        expect(first.expired).toEqual([{ productId: "test.upstream", port: "events", version: 1, removed: [] }]);
        expect(await exists(v1.file)).toBe(true);

        // One day after v4: v2 and v3 expire, v4 (current) never. v3's file is listed by v4: kept.
        const second = await checkLifecycle(db, lake, new Date(v4.createdAt.getTime() + day));
        expect(second.expired).toEqual([
          {
            productId: "test.upstream",
            port: "events",
            version: 2,
            removed: [lake.relative(v1.file), lake.relative(v2.file)],
          },
          { productId: "test.upstream", port: "events", version: 3, removed: [] },
        ]);
        expect([await exists(v1.file), await exists(v2.file), await exists(v3.file), await exists(v4.file)]).toEqual([
          false,
          false,
          true,
          true,
        ]);
        // The rows stay, as history; the current version serves on.
        const { rows } = await db.query<{ version: number; state: string; swept: boolean }>(
          `SELECT version, state, files_removed_at IS NOT NULL AS swept FROM port_versions
           WHERE product_id = 'test.upstream' AND port = 'events' ORDER BY version`,
        );
        expect(rows.map((r) => [r.version, r.state, r.swept])).toEqual([
          [1, "expired", true],
          [2, "expired", true],
          [3, "expired", true],
          [4, "current", false],
        ]);
        expect((await lake.current(db, "test.upstream", "events"))?.version).toBe(v4.version);
        const audited = await events("port.version.expired");
        expect(audited.map((e) => [e.subject, e.payload.port, e.payload.version, e.payload.retention])).toEqual([
          ["test.upstream", "events", 1, "1 day"],
          ["test.upstream", "events", 2, "1 day"],
          ["test.upstream", "events", 3, "1 day"],
        ]);
        expect(audited[0]?.audience).toEqual(["upstream-team"]);

        // Run again: nothing more expires, nothing is announced twice.
        const again = await checkLifecycle(db, lake, new Date(v4.createdAt.getTime() + day));
        expect(again.expired).toEqual([]);
        expect(await events("port.version.expired")).toHaveLength(3);
      });

      it("rows older than the retention on its element leave the current version through a new version", async () => {
        const staged = await lake.stage(db, {
          productId: "test.upstream",
          port: "events",
          source: "ingest",
          createdBy: "test",
        });
        const line = (id: number, at: string | null) => `${JSON.stringify({ event_id: id, at })}\n`;
        const old = "2000-01-01T00:00:00Z";
        const recent = "2100-01-01T00:00:00Z";
        const contents = {
          "all-old.ndjson": line(1, old) + line(2, old),
          "mixed.ndjson": line(3, old) + line(4, recent) + line(5, null),
          "all-new.ndjson": line(6, recent),
        };
        const files: string[] = [];
        for (const [name, text] of Object.entries(contents)) {
          const file = await lake.file(staged, "events", name);
          await writeFile(file, text);
          files.push(lake.relative(file));
        }
        await db.transaction((tx) =>
          lake.versions.makeCurrent(tx, staged.row, () => [
            { name: "events", format: "ndjson", files, rows: 6, bytes: 1 },
          ]),
        );
        const now = new Date();
        const check = await checkLifecycle(db, lake, now);
        expect(check.rows).toEqual([
          {
            productId: "test.upstream",
            port: "events",
            dataset: "events",
            version: staged.row.version + 1,
            previous: staged.row.version,
            rows: 3,
          },
        ]);
        const current = await lake.versions.byVersion(db, "test.upstream", "events", staged.row.version + 1);
        expect(current?.source).toBe("retention");
        const kept = current?.datasets[0];
        expect(kept?.files[0]).toBe(files[2]); // the file with no old row, listed as it is
        expect(kept?.files).toHaveLength(2);
        expect(kept?.rows).toBe(3);
        const remainder = lake.root.resolve(kept?.files[1] as string);
        const { DuckDBInstance } = await import("@duckdb/node-api");
        const duck = await (await DuckDBInstance.create(":memory:")).connect();
        const rows = (
          await duck.runAndReadAll(
            `SELECT event_id, "at" FROM read_json('${remainder}', format = 'newline_delimited') ORDER BY event_id`,
          )
        ).getRowObjectsJson();
        expect(rows.map((r) => Number(r.event_id))).toEqual([4, 5]);
        duck.closeSync();
        const audited = await events("port.rows.expired");
        expect(audited.map((e) => [e.payload.dataset, e.payload.column, e.payload.rows])).toEqual([
          ["events", "at", 3],
        ]);
        // Nothing old is left: the next pass writes nothing.
        expect((await checkLifecycle(db, lake, now)).rows).toEqual([]);
      });

      it("when every row is old, the new version keeps one empty file with the dataset's columns", async () => {
        const staged = await lake.stage(db, {
          productId: "test.upstream",
          port: "events",
          source: "ingest",
          createdBy: "test",
        });
        const file = await lake.file(staged, "events", "old.parquet");
        await writeData(
          file,
          "SELECT range::BIGINT AS event_id, TIMESTAMPTZ '2000-01-01 00:00:00+00' AS at FROM range(4)",
        );
        await db.transaction((tx) =>
          lake.versions.makeCurrent(tx, staged.row, () => [
            { name: "events", format: "parquet", files: [lake.relative(file)], rows: 4, bytes: 1 },
          ]),
        );
        const check = await checkLifecycle(db, lake, new Date());
        expect(check.rows.map((r) => [r.version, r.rows])).toEqual([[staged.row.version + 1, 4]]);
        const now = await lake.current(db, "test.upstream", "events");
        expect(now?.datasets.map((d) => [d.files.length, d.rows])).toEqual([[1, 0]]);
        const { DuckDBInstance } = await import("@duckdb/node-api");
        const duck = await (await DuckDBInstance.create(":memory:")).connect();
        const read = await duck.runAndReadAll(`SELECT * FROM read_parquet('${now?.datasets[0]?.files[0]}')`);
        expect([read.columnNames(), read.getRows().length]).toEqual([["event_id", "at"], 0]);
        duck.closeSync();
      });

      it("a hostile element column is only a column name that does not exist: nothing is written", async () => {
        const before = await lake.current(db, "test.upstream", "events");
        for (const column of ['at" IS NULL; DROP TABLE x; --', "at') OR 1=1 --", "nope"]) {
          await expect(
            expireRows(
              db,
              lake,
              {
                productId: "test.upstream",
                port: "events",
                team: null,
                retention: { value: 1, unit: "day", element: `events.${column}` },
              },
              new Date(),
            ),
          ).rejects.toThrow(/not found|does not have a column/i);
        }
        expect((await lake.current(db, "test.upstream", "events"))?.version).toBe(before?.version);
        const { rows } = await db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM port_versions WHERE product_id = 'test.upstream' AND state = 'staged'",
        );
        expect(Number(rows[0]?.n)).toBe(0);
      });

      it("with no installed engine that rewrites files, the retention says so and writes nothing", async () => {
        const before = await lake.current(db, "test.upstream", "events");
        const scope = {
          productId: "test.upstream",
          port: "events",
          team: null,
          retention: { value: 1, unit: "day" as const, element: "events.at" },
        };
        await expect(expireRows(db, lake, scope, new Date(), new EngineRegistry([]))).rejects.toMatchObject({
          name: "UnprocessableError",
          code: "no-engine",
          message: expect.stringMatching(/^no installed engine rewrites local files without old rows/),
        });
        expect((await lake.current(db, "test.upstream", "events"))?.version).toBe(before?.version);
      });

      it("an expired version cannot be made current again, nor deleted", async () => {
        await expect(
          db.query("UPDATE port_versions SET state = 'current' WHERE product_id = 'test.upstream' AND version = 1"),
        ).rejects.toThrow(/cannot become current/);
        await expect(
          db.query("DELETE FROM port_versions WHERE product_id = 'test.upstream' AND version = 1"),
        ).rejects.toThrow(/never deleted/);
      });
    });

    describe("dates a publish refuses", () => {
      it("a malformed or out-of-order date is a 422 naming the file, line and column; nothing is published", async () => {
        const publish = (odps: (text: string) => string) =>
          app.request("/api/products", {
            method: "POST",
            headers: { "content-type": "application/json", ...asAdmin },
            body: JSON.stringify({
              files: fixture.sensors.map((f) =>
                f.path.endsWith(".odps.yaml")
                  ? { ...f, text: odps(f.text).replace("version: 1.0.0", "version: 9.0.0") }
                  : f,
              ),
            }),
          });
        const hostile = await publish((t) => withDates(t).replace(endOfLife, "'; DROP TABLE events; --"));
        expect(hostile.status).toBe(422);
        const body = (await hostile.json()) as Json;
        expect(
          body.error.details.issues
            .filter((i: Json) => i.code.startsWith("lifecycle"))
            .map((i: Json) => `${i.file}:${i.line}:${i.column} ${i.code}`),
        ).toEqual(["sensors.odps.yaml:46:12 lifecycle-date-invalid"]);
        const reversed = await publish((t) => withDates(t).replace(endOfLife, "2029-01-01"));
        expect(reversed.status).toBe(422);
        expect(
          ((await reversed.json()) as Json).error.details.issues
            .map((i: Json) => i.code)
            .filter((c: string) => c.startsWith("lifecycle")),
        ).toEqual(["lifecycle-dates-out-of-order"]);
        expect((await get("/api/products/test.sensors")).body.version).toBe("1.0.0");
      });
    });

    describe("before end of support", () => {
      it("reads carry no lifecycle header", async () => {
        const res = await consume();
        expect(res.status).toBe(200);
        expect(lifecycleHeaders(res)).toEqual({ deprecation: null, sunset: null, link: null });
        const check = await checkLifecycle(db, lake, clock);
        expect(check.announced).toEqual([]);
        expect(check.marked).toEqual([]);
      });
    });

    describe("after end of support", () => {
      it("every read carries Deprecation, Sunset and Link headers with the exact dates", async () => {
        clock = new Date("2030-03-01T00:00:00Z");
        const expected = {
          deprecation: "@1893456000", // 2030-01-01T00:00:00Z
          sunset: "Wed, 01 Jan 2031 12:00:00 GMT",
          link: '</api/products/test.sensors>; rel="deprecation"; type="application/json"',
        };
        const res = await consume();
        expect(res.status).toBe(200);
        expect(((await res.json()) as Json).rows).toEqual([{ n: 100 }]);
        expect(lifecycleHeaders(res)).toEqual(expected);
        const across = await consumeAcross();
        expect(across.status).toBe(200);
        expect(lifecycleHeaders(across)).toEqual(expected);
      });

      it("two replicas checking at once: one event, one medium incident, the product marked deprecated", async () => {
        const [a, b] = await Promise.all([checkLifecycle(db, lake, clock), checkLifecycle(db, lake, clock)]);
        expect([...(a?.announced ?? []), ...(b?.announced ?? [])]).toEqual([
          { productId: "test.sensors", port: null, kind: "end-of-support", at: new Date(`${endOfSupport}T00:00:00Z`) },
        ]);
        const sent = await events("product.end-of-support");
        expect(sent.map((e) => [e.subject, e.payload])).toEqual([
          ["test.sensors", { productId: "test.sensors", port: null, endOfSupport: "2030-01-01T00:00:00.000Z" }],
        ]);
        expect(sent[0]?.audience).toEqual(["sensor-team"]);
        expect(await incidents()).toEqual([
          { key: "end-of-support:2030-01-01T00:00:00.000Z", severity: "medium", port: null, occurrences: 1 },
        ]);
        const { body } = await get("/api/products/test.sensors");
        expect(body.status).toBe("deprecated");
        // Checked again later: nothing new.
        await checkLifecycle(db, lake, new Date("2030-06-01T00:00:00Z"));
        expect(await events("product.end-of-support")).toHaveLength(1);
        expect(await incidents()).toHaveLength(1);
      });
    });

    describe("after end of life", () => {
      it("consume answers 410 Gone with the date, across ports too", async () => {
        clock = new Date("2031-01-01T12:00:00Z"); // the very instant
        const res = await consume();
        expect(res.status).toBe(410);
        expect(await res.json()).toEqual({
          error: {
            code: "end-of-life",
            message:
              'data product "test.sensors" reached its end of life on 2031-01-01T12:00:00.000Z and is no longer served; its registry entry and history stay at GET /api/products/test.sensors',
            details: { productId: "test.sensors", port: "readings", endOfLife: "2031-01-01T12:00:00.000Z" },
          },
        });
        const across = await consumeAcross();
        expect(across.status).toBe(410);
        expect(((await across.json()) as Json).error.code).toBe("end-of-life");
        // The refused read is audited with its reason.
        const { rows } = await db.query<{ reason: string }>(
          "SELECT reason FROM audit_log WHERE product_id = 'test.sensors' ORDER BY id DESC LIMIT 1",
        );
        expect(rows[0]?.reason).toMatch(/^not served: data product "test.sensors" reached its end of life/);
      });

      it("a pipeline reading it as input is refused with the same reason", async () => {
        await expect(checkRead(db, [{ productId: "test.sensors", port: "readings" }], clock)).rejects.toMatchObject({
          name: "GoneError",
          code: "end-of-life",
        });
      });

      it("the background part on two replicas: one job per slot, one event, one high incident, a tombstone", async () => {
        const parts = [0, 1].map(() =>
          lifecyclePart(
            {
              db,
              queue: new JobQueue(db),
              locator: new DataLocator(join(fixture.root, "platform")),
              lake,
              poke: () => {},
              log: (l) => errors.push(l),
            },
            { now: () => clock, intervalMs: 60_000 },
          ),
        );
        for (const p of parts) p.start?.();
        await pause(200);
        for (const p of parts) await p.stop?.();
        const { rows: jobs } = await db.query<{ key: string }>("SELECT key FROM jobs WHERE kind = $1", [
          lifecycleCheckKind,
        ]);
        expect(jobs.map((j) => j.key)).toEqual([`${lifecycleCheckKind}:2031-01-01T12:00:00.000Z`]);
        // Both replicas run the check at once (as if both had claimed a job).
        const handler = (i: number) => parts[i]?.handlers?.[lifecycleCheckKind];
        const signal = new AbortController().signal;
        const ran = await Promise.all([0, 1].map((i) => handler(i)?.({} as never, signal)));
        expect(ran.flatMap((r) => (r as Json).announced)).toEqual([
          { productId: "test.sensors", port: null, kind: "end-of-life", at: "2031-01-01T12:00:00.000Z" },
        ]);
        expect(await events("product.end-of-life")).toHaveLength(1);
        // Stopped once, by Quanta: no more contract tests or probes of a tombstone.
        expect(ran.flatMap((r) => (r as Json).stopped)).toEqual(["test.sensors"]);
        expect((await events("product.state-changed")).map((e) => [e.subject, e.payload.action, e.payload.to])).toEqual(
          [["test.sensors", "stop", "stopped"]],
        );
        expect(await incidents()).toEqual([
          { key: "end-of-support:2030-01-01T00:00:00.000Z", severity: "medium", port: null, occurrences: 1 },
          { key: "end-of-life:2031-01-01T12:00:00.000Z", severity: "high", port: null, occurrences: 1 },
        ]);
        // The end of life's incident replaces the end of support's, which resolves.
        expect(await states()).toEqual([
          ["end-of-support:2030-01-01T00:00:00.000Z", "resolved", "quanta"],
          ["end-of-life:2031-01-01T12:00:00.000Z", "open", null],
        ]);
      });

      it("a claim whose incident was lost (its process stopped) gets the incident later, not a second event", async () => {
        const lost = await db.query<{ id: number }>(
          "SELECT id FROM incidents WHERE kind = 'lifecycle' AND key LIKE 'end-of-life:%'",
        );
        await db.query("DELETE FROM incident_timeline WHERE incident_id = $1", [lost.rows[0]?.id]);
        await db.query("DELETE FROM incidents WHERE id = $1", [lost.rows[0]?.id]);
        // Within a minute of the claim, the claimer may still be opening it: left alone.
        await checkLifecycle(db, lake, new Date(clock.getTime() + 30_000));
        expect((await incidents()).map((i) => i.key)).toEqual(["end-of-support:2030-01-01T00:00:00.000Z"]);
        const healed = await checkLifecycle(db, lake, new Date(clock.getTime() + 120_000));
        expect(healed.announced).toEqual([]);
        expect((await incidents()).map((i) => [i.key, i.severity])).toEqual([
          ["end-of-support:2030-01-01T00:00:00.000Z", "medium"],
          ["end-of-life:2031-01-01T12:00:00.000Z", "high"],
        ]);
        expect(await events("product.end-of-life")).toHaveLength(1);
      });

      it("the tombstone stays in the registry with its versions, listed as retired, never served", async () => {
        const { status, body } = await get("/api/products/test.sensors");
        expect(status).toBe(200);
        expect(body.status).toBe("retired");
        expect(body.versions.map((v: Json) => v.version)).toEqual(["1.0.0"]);
        expect(body.contracts.map((c: Json) => c.id)).toEqual(["test.sensors.readings"]);
        const listed = await get("/api/products?status=retired");
        expect(listed.body.items.map((p: Json) => [p.id, p.status])).toEqual([["test.sensors", "retired"]]);
        const res = await consume();
        expect(res.status).toBe(410);
        // Gone from the mesh's health, not failing in it, though its end of life's incident is open.
        const health = await get("/api/mesh/health");
        expect(health.status).toBe(200);
        const listedIds = health.body.domains.flatMap((d: Json) => d.products.map((p: Json) => p.id));
        expect(listedIds).toContain("test.upstream");
        expect(listedIds).not.toContain("test.sensors");
      });

      it("a new version with a later end of life brings it back, deprecated, without announcing end of support again", async () => {
        const registry = new Registry(db);
        await registry.publish({
          files: fixture.sensors.map((f) =>
            f.path.endsWith(".odps.yaml")
              ? {
                  ...f,
                  text: withDates(f.text).replace("version: 1.0.0", "version: 1.1.0").replace(endOfLife, "2032-01-01"),
                }
              : f,
          ),
        });
        // Stopped at its end of life, it is started again by its owner.
        expect((await consume()).status).toBe(409);
        const started = await app.request("/api/products/test.sensors/control", {
          method: "POST",
          headers: { "content-type": "application/json", ...asAdmin },
          body: JSON.stringify({ action: "start" }),
        });
        expect(started.status).toBe(200);
        const res = await consume();
        expect(res.status).toBe(200);
        expect(lifecycleHeaders(res)).toMatchObject({
          deprecation: "@1893456000",
          sunset: "Thu, 01 Jan 2032 00:00:00 GMT",
        });
        const check = await checkLifecycle(db, lake, clock);
        expect(check.announced).toEqual([]);
        expect(check.marked).toEqual([{ productId: "test.sensors", status: "deprecated" }]);
        // The end of life moved later: its incident no longer stands and resolves.
        expect(await states()).toEqual([
          ["end-of-support:2030-01-01T00:00:00.000Z", "resolved", "quanta"],
          ["end-of-life:2031-01-01T12:00:00.000Z", "resolved", "quanta"],
        ]);
        expect((await get("/api/products/test.sensors")).body.status).toBe("deprecated");
        expect(await events("product.end-of-support")).toHaveLength(1);
      });

      it("the new end of life's incident stays open for its grace, then resolves: no longer counted open", async () => {
        const eol = new Date("2032-01-01T00:00:00Z");
        await checkLifecycle(db, lake, eol);
        const open = async () => (await openIncidentCounts(db)).filter((c) => c.productId === "test.sensors");
        expect((await states()).at(-1)).toEqual(["end-of-life:2032-01-01T00:00:00.000Z", "open", null]);
        expect(await open()).toEqual([{ productId: "test.sensors", severity: "high", open: 1 }]);
        await checkLifecycle(db, lake, new Date(eol.getTime() + endOfLifeGraceMs - 1));
        expect((await states()).at(-1)?.[1]).toBe("open");
        await checkLifecycle(db, lake, new Date(eol.getTime() + endOfLifeGraceMs));
        expect((await states()).at(-1)).toEqual(["end-of-life:2032-01-01T00:00:00.000Z", "resolved", "quanta"]);
        expect(await open()).toEqual([]);
        // Resolved for good: later passes neither reopen it nor announce it again.
        await checkLifecycle(db, lake, new Date(eol.getTime() + 2 * endOfLifeGraceMs));
        expect((await states()).at(-1)?.[1]).toBe("resolved");
        expect(await events("product.end-of-life")).toHaveLength(2);
      });
    });
  });
}
