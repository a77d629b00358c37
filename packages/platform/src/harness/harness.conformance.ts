import { cp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { runContractTest } from "../jobs/contract-test.js";
import { TestRunRepository } from "../jobs/test-run-repository.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { DataLocator } from "./data-locator.js";
import { Harness } from "./harness.js";
import { writeSensorProducts } from "./harness-fixtures.js";
import { as, asAdmin, testAuthenticator } from "./test-principal.js";
import { writeTicketsProduct } from "./tickets-fixture.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

/** The harness's six interfaces over HTTP, on a store (PGlite and PostgreSQL run it). */
export function harnessConformance(name: string, target: StoreTarget): void {
  describe(`harness on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let harness: Harness;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    const errors: unknown[] = [];

    beforeAll(async () => {
      fixture = await writeSensorProducts(5_000);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      const locator = new DataLocator(join(fixture.root, "platform"));
      locator.setFolder("test.sensors", fixture.sensorsDir);
      harness = new Harness({ db, registry, locator, consume: { timeoutMs: 1_500, maxRows: 20_000 } });
      app = createApp({
        registry,
        harness,
        authenticator: testAuthenticator,
        maxBodyBytes: 256 * 1024,
        logError: (e) => errors.push(e),
      });
    });
    afterAll(async () => {
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const get = async (path: string) => {
      const res = await app.request(path, { headers: asAdmin });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...asAdmin, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    const postJson = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await post(path, body, headers);
      return { status: res.status, body: (await res.json()) as Json };
    };
    const consume = (body: unknown, headers: Record<string, string> = {}) =>
      postJson("/api/products/test.sensors/consume", body, headers);

    describe("discover", () => {
      it("describes the product: ports, latest contracts, glossary, owners with history, links", async () => {
        const { status, body } = await get("/api/products/test.sensors/discover");
        expect(status).toBe(200);
        expect(body.description.purpose).toBe("Sensor readings used by the harness tests.");
        expect(body.ports.map((p: Json) => `${p.direction}:${p.name}`)).toEqual(["input:events", "output:readings"]);
        expect(body.contracts).toHaveLength(1);
        const c = body.contracts[0];
        expect(c).toMatchObject({ id: "test.sensors.readings", version: "1.0.0", ports: ["readings"] });
        expect(c.datasets[0].properties.map((p: Json) => p.name)).toEqual([
          "reading_id",
          "station",
          "value",
          "measured_at",
        ]);
        expect(c.sla.map((s: Json) => s.property)).toEqual(["frequency", "freshness", "availability"]);
        expect(body.glossary).toEqual([
          { term: "Reading", definition: "One measurement of one sensor.", url: "https://wiki.example.com/reading" },
        ]);
        expect(body.owners.team).toEqual({ id: "sensor-team", name: "Sensor team" });
        expect(body.owners.members.map((m: Json) => m.username)).toEqual(["ada@example.com"]);
        expect(body.owners.history.map((m: Json) => [m.username, m.validTo === null])).toEqual([
          ["bob@example.com", false],
          ["ada@example.com", true],
        ]);
        expect(body.links).toEqual([
          { rel: "support:slack", url: "https://chat.example.com/sensors", description: "#sensors" },
        ]);
        expect(body.lifecycle).toEqual({ state: "active", servesReads: true });
        expect(body.interfaces.consume).toBe("/api/products/test.sensors/consume");
      });

      it("answers 404 for an unknown product", async () => {
        const { status, body } = await get("/api/products/test.nothing/discover");
        expect(status).toBe(404);
        expect(body.error).toEqual({ code: "not-found", message: 'no data product "test.nothing"' });
      });
    });

    describe("consume", () => {
      it("streams JSON rows with their columns, and records who read how much", async () => {
        const { status, body } = await consume({
          port: "readings",
          sql: "SELECT reading_id, station, value FROM readings ORDER BY reading_id LIMIT 3",
        });
        expect(status).toBe(200);
        expect(body.columns).toEqual([
          { name: "reading_id", type: "BIGINT" },
          { name: "station", type: "VARCHAR" },
          { name: "value", type: "DOUBLE" },
        ]);
        expect(body.rows).toEqual([
          { reading_id: 1, station: "S-001", value: 20.95 },
          { reading_id: 2, station: "S-002", value: 16.9 },
          { reading_id: 3, station: "S-003", value: 12.85 },
        ]);
        expect(body).toMatchObject({ rowCount: 3, truncated: false });
        await new Promise((r) => setTimeout(r, 50)); // usage is recorded when the stream ends
        const observed = await get("/api/products/test.sensors/observe");
        expect(observed.body.usage.byConsumer).toContainEqual(
          expect.objectContaining({ consumer: "admin@example.com", reads: 1, rows: 3 }),
        );
      });

      it("defaults to every row of the only dataset, cut at the limit and marked truncated", async () => {
        const { status, body } = await consume({ port: "readings", limit: 1234 });
        expect(status).toBe(200);
        expect(body.rows).toHaveLength(1234);
        expect(body).toMatchObject({ rowCount: 1234, truncated: true });
        const all = await consume({ port: "readings", limit: 20_000 });
        expect(all.body).toMatchObject({ rowCount: 5000, truncated: false });
      });

      it("streams CSV with a header and RFC 4180 quoting", async () => {
        const res = await post("/api/products/test.sensors/consume", {
          port: "readings",
          format: "csv",
          sql: `SELECT reading_id, 'a,"b"' AS tricky FROM readings ORDER BY reading_id LIMIT 2`,
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
        expect(await res.text()).toBe('reading_id,tricky\r\n1,"a,""b"""\r\n2,"a,""b"""\r\n');
      });

      it("returns Parquet that DuckDB reads back", async () => {
        const res = await post("/api/products/test.sensors/consume", {
          port: "readings",
          format: "parquet",
          sql: "SELECT station, count(*) AS n FROM readings GROUP BY station",
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/vnd.apache.parquet");
        const bytes = new Uint8Array(await res.arrayBuffer());
        expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe("PAR1");
        const file = join(tmpdir(), `quanta-consume-${process.pid}.parquet`);
        const { writeFile } = await import("node:fs/promises");
        await writeFile(file, bytes);
        const inst = await DuckDBInstance.create(":memory:");
        const conn = await inst.connect();
        const rows = (
          await conn.runAndReadAll(`SELECT count(*)::INT AS s, sum(n)::INT AS t FROM '${file}'`)
        ).getRowObjects();
        expect(rows).toEqual([{ s: 50, t: 5000 }]);
        conn.closeSync();
        inst.closeSync();
        await rm(file);
      });

      it("returns an Arrow IPC stream with the result's types", async () => {
        const res = await post("/api/products/test.sensors/consume", {
          port: "readings",
          format: "arrow",
          sql: "SELECT reading_id, station FROM readings ORDER BY reading_id",
          limit: 3,
        });
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
        const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
        expect(table.numRows).toBe(3);
        expect(table.schema.fields.map((f) => f.name)).toEqual(["reading_id", "station"]);
        // The same rows as the JSON answer (64-bit integers come back as bigint in Arrow).
        const json = await post("/api/products/test.sensors/consume", {
          port: "readings",
          sql: "SELECT reading_id, station FROM readings ORDER BY reading_id",
          limit: 3,
        });
        const plain = (v: unknown) => (typeof v === "bigint" ? Number(v) : v);
        const rows = table
          .toArray()
          .map((r) => Object.fromEntries(Object.entries(r.toJSON()).map(([k, v]) => [k, plain(v)])));
        expect(rows).toEqual(((await json.json()) as { rows: unknown[] }).rows);
      });

      const refused: [string, string, RegExp][] = [
        ["another file", `SELECT * FROM '${"../secret.csv"}'`, /reading the file/],
        ["a file function", "SELECT * FROM read_csv('/etc/passwd')", /table function read_csv/],
        ["a glob", "SELECT * FROM glob('/*')", /table function glob/],
        ["ATTACH", "ATTACH '/tmp/x.duckdb' AS x", /single SELECT|SELECT/],
        ["COPY", "COPY readings TO '/tmp/out.csv'", /SELECT/],
        ["INSTALL", "INSTALL httpfs", /SELECT/],
        ["SET", "SET enable_external_access = true", /SELECT/],
        ["PRAGMA", "PRAGMA database_list", /SELECT/],
        ["two statements", "SELECT 1; SELECT 2", /exactly one SELECT statement/],
        ["a setting function", "SELECT current_setting('threads')", /function current_setting/],
        ["an environment variable", "SELECT getenv('HOME')", /function getenv/],
        ["a table that is not the port's", "SELECT * FROM duckdb_settings()", /table function/],
        ["another catalog", "SELECT * FROM system.main.duckdb_tables", /another database|not one of/],
        ["a closing parenthesis escape", "SELECT 1) TO '/tmp/x.csv' (FORMAT csv); SELECT (1", /SELECT|parse|syntax/i],
      ];
      for (const [what, sql, reason] of refused) {
        it(`refuses SQL reaching ${what} with 400`, async () => {
          const { status, body } = await consume({ port: "readings", sql });
          expect(status, JSON.stringify(body)).toBe(400);
          expect(body.error.code).toMatch(/^sql-refused|query-failed$/);
          expect(body.error.message).toMatch(reason);
        });
      }

      it("stops a slow query at the time limit with 400", async () => {
        const started = Date.now();
        const { status, body } = await consume({
          port: "readings",
          sql: "SELECT count(*) FROM readings a, readings b, readings c WHERE a.value + b.value > c.value",
        });
        expect(status).toBe(400);
        expect(body.error.code).toBe("query-timeout");
        expect(body.error.message).toMatch(/time limit of 1500 ms/);
        expect(Date.now() - started).toBeLessThan(6_000);
      });

      it("refuses very long SQL, limits above the maximum, unknown ports and malformed bodies", async () => {
        const long = await consume({ port: "readings", sql: `SELECT ${"1 + ".repeat(30_000)}1` });
        expect(long.status).toBe(400);
        const tooMany = await consume({ port: "readings", limit: 1_000_000 });
        expect(tooMany.status).toBe(400);
        expect(tooMany.body.error.message).toMatch(/maximum 20000/);
        const port = await consume({ port: "nothing" });
        expect(port.status).toBe(404);
        expect(port.body.error.message).toBe('data product "test.sensors" has no output port "nothing" (readings)');
        const input = await consume({ port: "events" });
        expect(input.status).toBe(404);
        const product = await postJson("/api/products/test.none/consume", { port: "readings" });
        expect(product.status).toBe(404);
        const malformed = await post("/api/products/test.sensors/consume", "{not json");
        expect(malformed.status).toBe(400);
        const extra = await consume({ port: "readings", evil: true });
        expect(extra.status).toBe(400);
        const format = await consume({ port: "readings", format: "xlsx" });
        expect(format.status).toBe(400);
        const big = await post("/api/products/test.sensors/consume", { port: "readings", sql: "x".repeat(300_000) });
        expect(big.status).toBe(413);
      });

      it("answers a query error (unknown column) with 400 and DuckDB's reason", async () => {
        const { status, body } = await consume({ port: "readings", sql: "SELECT nope FROM readings" });
        expect(status).toBe(400);
        expect(body.error.code).toBe("query-failed");
        expect(body.error.message).toMatch(/nope/);
      });
    });

    describe("control", () => {
      it("moves through the state machine, refuses what the state does not allow, and logs each step", async () => {
        const state = await get("/api/products/test.upstream/control");
        expect(state.body).toMatchObject({
          state: "active",
          servesReads: true,
          allowedActions: ["stop", "pause", "configure"],
        });
        const paused = await postJson("/api/products/test.upstream/control", { action: "pause" });
        expect(paused.body).toMatchObject({ state: "paused", servesReads: false, updatedBy: "admin@example.com" });
        const again = await postJson("/api/products/test.upstream/control", { action: "pause" });
        expect(again).toMatchObject({
          status: 409,
          body: {
            error: {
              code: "invalid-transition",
              message: 'cannot pause data product "test.upstream": it is paused; allowed: stop, resume, configure',
              details: { state: "paused", action: "pause", allowed: ["stop", "resume", "configure"] },
            },
          },
        });
        const configured = await postJson("/api/products/test.upstream/control", {
          action: "configure",
          config: { testSchedule: "0 */6 * * *", maxRows: 100 },
        });
        expect(configured.body).toMatchObject({
          state: "paused",
          config: { testSchedule: "0 */6 * * *", maxRows: 100 },
        });
        expect((await postJson("/api/products/test.upstream/control", { action: "stop" })).body.state).toBe("stopped");
        expect((await postJson("/api/products/test.upstream/control", { action: "start" })).body.state).toBe("active");
        const events = await harness.registry.events({ subject: "test.upstream" });
        expect(
          events
            .filter((e) => e.type.startsWith("product.") && e.type !== "product.published")
            .map((e) => e.payload.action),
        ).toEqual(["pause", "configure", "stop", "start"]);
      });

      it("refuses reads while paused (423) or stopped (409), and serves again when resumed", async () => {
        await postJson("/api/products/test.sensors/control", { action: "pause" });
        const paused = await consume({ port: "readings" });
        expect(paused.status).toBe(423);
        expect(paused.body.error).toMatchObject({
          code: "product-paused",
          message: 'data product "test.sensors" is paused; resume it to serve reads',
        });
        await postJson("/api/products/test.sensors/control", { action: "stop" });
        const stopped = await consume({ port: "readings" });
        expect(stopped.status).toBe(409);
        expect(stopped.body.error.code).toBe("product-stopped");
        await postJson("/api/products/test.sensors/control", { action: "start" });
        expect((await consume({ port: "readings", limit: 1 })).status).toBe(200);
      });

      it("caps consume at the product's configured maxRows", async () => {
        await postJson("/api/products/test.sensors/control", { action: "configure", config: { maxRows: 10 } });
        const { status, body } = await consume({ port: "readings", limit: 11 });
        expect(status).toBe(400);
        expect(body.error.message).toMatch(/maximum 10\b/);
        const ok = await consume({ port: "readings" });
        expect(ok.body).toMatchObject({ rowCount: 10, truncated: true });
        await postJson("/api/products/test.sensors/control", { action: "configure", config: { maxRows: 20_000 } });
      });

      it("validates the request: unknown actions, config on other actions, bad schedules", async () => {
        expect((await postJson("/api/products/test.sensors/control", { action: "explode" })).status).toBe(400);
        expect((await postJson("/api/products/test.sensors/control", { action: "pause", config: {} })).status).toBe(
          400,
        );
        const cron = await postJson("/api/products/test.sensors/control", {
          action: "configure",
          config: { testSchedule: "61 * * * *" },
        });
        expect(cron.status).toBe(400);
        expect(cron.body.error.message).toMatch(/5-field cron/);
        expect((await postJson("/api/products/test.nothing/control", { action: "start" })).status).toBe(404);
      });
    });

    describe("observe and govern", () => {
      it("observe shows SLIs per output port even before any test ran", async () => {
        const { status, body } = await get("/api/products/test.sensors/observe");
        expect(status).toBe(200);
        expect(body.slis).toEqual([
          expect.objectContaining({
            port: "readings",
            contractId: "test.sensors.readings",
            freshness: {
              objective: "30 d",
              status: "unknown",
              ageSeconds: null,
              met: null,
              measuredAt: null,
              reason: "no contract test has run yet",
            },
            availability: expect.objectContaining({ objective: 99.5, windowDays: 30 }),
          }),
        ]);
        expect(body.lifecycle.state).toBe("active");
      });

      it("observe says freshness is unknown, with the reason, when the data cannot be read", async () => {
        // The same product over a folder whose Parquet file is not Parquet.
        const broken = join(fixture.root, "broken-sensors");
        await cp(fixture.sensorsDir, broken, { recursive: true });
        await writeFile(join(broken, "data", "readings.parquet"), "this is not parquet\n");
        const brokenLocator = new DataLocator(join(fixture.root, "platform-broken"));
        brokenLocator.setFolder("test.sensors", broken);
        const run = await runContractTest(db, brokenLocator, { productId: "test.sensors", port: "readings" });
        expect(run.status).toBe("error");
        const freshness = async () => (await get("/api/products/test.sensors/observe")).body.slis[0].freshness;
        const unread = await freshness();
        expect(unread).toMatchObject({ status: "unknown", ageSeconds: null, met: null, measuredAt: null });
        expect(unread.reason).toMatch(/^the data's age could not be measured: .*readings/);

        // A freshness check that ran but could not read its column stores no value (null, never 0).
        const runs = new TestRunRepository(db);
        const started = await runs.start({
          productId: "test.sensors",
          contractId: "test.sensors.readings",
          contractVersion: "1.0.0",
        });
        await runs.finish(started.id, "error", [
          { checkId: "readings.rowCount", dataset: "readings", status: "error", reason: "cannot read readings: IO" },
          {
            checkId: "sla.freshness.readings.measured_at",
            dataset: "readings",
            status: "error",
            value: null,
            threshold: "<= 2592000",
            reason: "cannot read readings: IO Error: No files found",
          },
        ]);
        expect(await freshness()).toEqual({
          objective: "30 d",
          status: "unknown",
          ageSeconds: null,
          met: null,
          measuredAt: null,
          reason: "the data's age could not be measured: cannot read readings: IO Error: No files found",
        });

        // Readable again: measured, and within the objective.
        expect(
          (await runContractTest(db, harness.locator, { productId: "test.sensors", port: "readings" })).status,
        ).toBe("passed");
        const read = await freshness();
        expect(read).toMatchObject({ status: "met", met: true, reason: null, measuredAt: expect.any(String) });
        expect(read.ageSeconds).toBeGreaterThanOrEqual(0);
        expect(read.ageSeconds).toBeLessThan(3600);
      });

      it("a failed valid-values check names offending values, to the owner team only", async () => {
        const tickets = await writeTicketsProduct(fixture.root);
        await harness.registry.publish({ files: tickets.files });
        harness.locator.setFolder("test.tickets", tickets.dir);
        const run = await runContractTest(db, harness.locator, { productId: "test.tickets", port: "tickets" });
        expect(run.status).toBe("failed");
        const check = async (headers: Record<string, string>) => {
          const res = await app.request("/api/products/test.tickets/observe", { headers });
          const body = (await res.json()) as Json;
          return body.tests.latest[0].checks.find((c: Json) => c.checkId === "tickets.state.quality.0.invalidValues");
        };
        // The owner team (the admin of these tests owns sensor-team) sees the values, as the run stored them.
        expect(await check(asAdmin)).toMatchObject({
          status: "failed",
          value: 4,
          reason: '4 is not = 0; invalid values include "lost", "reopened", "void"',
        });
        // A reader of the public port, outside the owner team, sees the count but not the values.
        const other = await check(as("carol@example.com"));
        expect(other).toMatchObject({ status: "failed", value: 4 });
        expect(other.reason).toBe("4 is not = 0; the values are shown to the owner team only");
        expect(
          JSON.stringify(
            await (
              await app.request("/api/products/test.tickets/observe", { headers: as("carol@example.com") })
            ).text(),
          ),
        ).not.toMatch(/reopened/);
      });

      it("govern answers the documented shape with lint findings and test status", async () => {
        const { status, body } = await get("/api/products/test.sensors/govern");
        expect(status).toBe(200);
        expect(body).toMatchObject({
          productId: "test.sensors",
          version: "1.0.0",
          certification: { status: expect.any(String) },
        });
        expect(Array.isArray(body.policies)).toBe(true);
        expect(body.known.lint.errors).toBe(0);
        expect((await get("/api/products/test.none/govern")).status).toBe(404);
      });

      it("govern answers the governance service's evaluation, with what is known", async () => {
        const view = (await harness.govern("test.sensors")) as Json;
        expect(view).toMatchObject({ productId: "test.sensors", policyEngine: "available" });
        expect(view.policies.length).toBeGreaterThan(0);
        expect(view.policy).toMatchObject({ revision: expect.any(Number) });
        expect(view.known.lint.errors).toBe(0);
      });

      it("lists the harness in the OpenAPI document", async () => {
        const { body } = await get("/api/openapi.json");
        for (const p of ["discover", "consume", "observe", "govern", "control"]) {
          expect(Object.keys(body.paths)).toContain(`/api/products/{id}/${p}`);
        }
        expect(body.components.schemas.ConsumeRequest.properties.format.enum).toEqual([
          "json",
          "csv",
          "parquet",
          "arrow",
        ]);
      });
    });
  });
}
