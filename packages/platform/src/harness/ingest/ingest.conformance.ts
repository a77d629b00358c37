import { randomUUID } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../http/create-app.js";
import { readProductFolder } from "../../registry/product-folder.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import type { StoreTarget } from "../../storage/store-target.js";
import { DataLocator } from "../data-locator.js";
import { Harness } from "../harness.js";
import { writeSensorProducts } from "../harness-fixtures.js";
import { asAdmin, testAuthenticator } from "../test-principal.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;
/** A request body (the DOM's BodyInit, which this package's types do not include). */
type BodyInit = NonNullable<RequestInit["body"]>;

const examples = fileURLToPath(new URL("../../../../../examples", import.meta.url));

/** Ingest into input ports on one storage driver; ingest-pglite and ingest-postgres tests run it. */
export function ingestConformance(name: string, target: StoreTarget): void {
  describe(`ingest on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let dataDir: string;
    let harness: Harness;
    let registryOf: Registry;

    beforeAll(async () => {
      fixture = await writeSensorProducts(10);
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      for (const demo of ["orders", "orders-analytical-consent"])
        await registry.publish({ files: await readProductFolder(join(examples, "webshop", demo)) });
      dataDir = join(fixture.root, "platform");
      registryOf = registry;
      harness = new Harness({ db, registry, locator: new DataLocator(dataDir), ingest: { maxRows: 1_000 } });
      app = createApp({ registry, harness, authenticator: testAuthenticator, maxBodyBytes: 512 * 1024 });
    });
    afterAll(async () => {
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
    });

    const ingest = async (
      body: BodyInit,
      type: string,
      query = "?port=events",
      headers: Record<string, string> = {},
    ) => {
      const res = await app.request(`/api/products/test.sensors/ingest${query}`, {
        method: "POST",
        headers: { "content-type": type, ...asAdmin, ...headers },
        body,
      });
      return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
    };
    const ingestJson = (body: unknown) => ingest(JSON.stringify(body), "application/json", "");
    const counts = async () => {
      const { rows } = await db.query<{ batches: number; rows: number }>(
        "SELECT (SELECT count(*)::int FROM ingest_batches) AS batches, (SELECT count(*)::int FROM quarantine_rows) AS rows",
      );
      return rows[0];
    };
    /** The files of the input port's current version (absolute): what a reader of the port reads. */
    const storedFiles = async () =>
      ((await harness.lake.current(db, "test.sensors", "events"))?.datasets[0]?.files ?? []).slice().sort();

    async function readParquet(file: string): Promise<Record<string, unknown>[]> {
      const inst = await DuckDBInstance.create(":memory:");
      const conn = await inst.connect();
      try {
        const r = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY event_id`);
        return r.getRowObjectsJson() as Record<string, unknown>[];
      } finally {
        conn.closeSync();
        inst.closeSync();
      }
    }

    describe("ingest", () => {
      it("stores valid records, quarantines invalid ones with every reason, and counts both", async () => {
        const { status, body } = await ingestJson({
          port: "events",
          records: [
            {
              event_id: 1,
              kind: "start",
              level: 3.5,
              day: "2025-01-02",
              at: "2025-01-02T10:00:00+02:00",
              code: "A1",
              ok: true,
            },
            { event_id: 2, kind: "stop" },
            { event_id: 3, kind: "explode", level: 11 },
            { kind: "start" },
            { event_id: "4", kind: "start" },
            { event_id: 5, kind: "start", day: "2025-02-30", code: "TOOLONG", extra: 1 },
            { event_id: 7, kind: "error", at: "yesterday" },
          ],
        });
        expect(status, JSON.stringify(body)).toBe(201);
        expect(body).toMatchObject({
          port: "events",
          dataset: "events",
          contractId: "test.upstream.events",
          contractVersion: "1.0.0",
          format: "json",
          received: 7,
          accepted: 2,
          quarantined: 5,
        });
        expect(body.version).toBe(1);
        expect(body.quarantine).toMatchInlineSnapshot(`
      [
        {
          "reasons": [
            "kind: events.kind invalidValues (got "explode")",
            "level: events.level <= 10 (got 11)",
          ],
          "row": 3,
        },
        {
          "reasons": [
            "event_id: required, but missing",
          ],
          "row": 4,
        },
        {
          "reasons": [
            "event_id: "4" is not an integer (integer)",
          ],
          "row": 5,
        },
        {
          "reasons": [
            "extra: not a property of the contract",
            "day: "2025-02-30" is not a date (YYYY-MM-DD) (date)",
          ],
          "row": 6,
        },
        {
          "reasons": [
            "at: "yesterday" is not an ISO 8601 timestamp (timestamp)",
          ],
          "row": 7,
        },
      ]
    `);
        const files = await storedFiles();
        expect(files).toHaveLength(1);
        // In the version's own folder of the storage root, the quarantined rows beside it.
        expect(files[0]).toMatch(
          new RegExp(`^${dataDir}/lake/test\\.sensors/events/v1-[0-9a-z]{8}/events/batch-0*${body.batchId}\\.parquet$`),
        );
        const beside = await readdir(join(files[0] as string, ".."));
        expect(beside.sort()).toEqual([
          `batch-${String(body.batchId).padStart(8, "0")}.parquet`,
          `batch-${String(body.batchId).padStart(8, "0")}.quarantine.ndjson`,
        ]);
        const rows = await readParquet(files[0] as string);
        expect(rows).toEqual([
          {
            event_id: "1",
            kind: "start",
            level: 3.5,
            day: "2025-01-02",
            at: "2025-01-02 08:00:00",
            code: "A1",
            ok: true,
          },
          { event_id: "2", kind: "stop", level: null, day: null, at: null, code: null, ok: null },
        ]);
        const { rows: quarantine } = await db.query<{ row_number: number; record: unknown }>(
          "SELECT row_number, record FROM quarantine_rows WHERE batch_id = $1 ORDER BY row_number",
          [body.batchId],
        );
        expect(quarantine.map((q) => q.row_number)).toEqual([3, 4, 5, 6, 7]);
        expect(quarantine[4]?.record).toEqual({ event_id: 7, kind: "error", at: "yesterday" });
      });

      it("accepts valid e-mail addresses and pattern values of the demo mesh's orders (CSV and Parquet)", async () => {
        const header =
          "order_id,customer_id,customer_email,order_ts,status,currency,item_count,subtotal_amount,discount_amount,shipping_amount,tax_amount,total_amount,payment_method,shipping_country,sales_channel,analytics_consent";
        const row = (i: number, email: string) =>
          `ORD-${String(10000000 + i)},CUS-${String(1000000 + i)},${email},2025-11-28 20:14:03,paid,EUR,2,59.90,0.00,4.95,13.62,78.47,ideal,NL,web,true`;
        const post = async (body: BodyInit, type: string) => {
          const res = await app.request("/api/products/sales.orders-analytical-consent/ingest?port=orders", {
            method: "POST",
            headers: { "content-type": type, ...asAdmin },
            body,
          });
          return { status: res.status, body: (await res.json()) as Json };
        };
        const csv = await post(
          `${header}\n${row(1, "liam.meijer0@example.com")}\n${row(2, "not an e-mail")}\n`,
          "text/csv",
        );
        expect(csv.status, JSON.stringify(csv.body)).toBe(201);
        expect(csv.body).toMatchObject({ received: 2, accepted: 1, quarantined: 1 });
        expect(csv.body.quarantine[0].reasons).toEqual([
          'customer_email: orders.customer_email is formatted as email (got "not an e-mail")',
        ]);
        const inst = await DuckDBInstance.create(":memory:");
        const conn = await inst.connect();
        const file = join(fixture.root, "orders.parquet");
        const lines = Array.from({ length: 1_000 }, (_, i) => row(i, `customer.${i}@example.com`)).join("\n");
        const csvFile = join(fixture.root, "orders.csv");
        const { writeFile } = await import("node:fs/promises");
        await writeFile(csvFile, `${header}\n${lines}\n`);
        await conn.run(`COPY (SELECT * FROM read_csv('${csvFile}', all_varchar = true)) TO '${file}' (FORMAT parquet)`);
        conn.closeSync();
        inst.closeSync();
        const { readFile } = await import("node:fs/promises");
        const pq = await post(await readFile(file), "application/vnd.apache.parquet");
        expect(pq.status, JSON.stringify(pq.body)).toBe(201);
        expect(pq.body).toMatchObject({ received: 1_000, accepted: 1_000, quarantined: 0 });
      });

      it("reads CSV (text cells converted to the contract's types) and refuses a header that does not match", async () => {
        const csv =
          "event_id,kind,level,day,ok\n10,start,1.5,2025-03-01,true\n11,stop,,,\n12,oops,2,2025-03-01,maybe\n";
        const { status, body } = await ingest(csv, "text/csv");
        expect(status).toBe(201);
        expect(body).toMatchObject({ format: "csv", received: 3, accepted: 2, quarantined: 1 });
        expect(body.quarantine[0].reasons).toEqual(['ok: "maybe" is not a boolean (boolean)']);
        const before = await counts();
        const wrong = await ingest("event_id,colour\n1,red\n", "text/csv");
        expect(wrong.status).toBe(422);
        expect(wrong.body.error).toMatchObject({
          code: "wrong-schema",
          details: { unknown: ["colour"], missing: ["kind"] },
        });
        expect(await counts()).toEqual(before);
      });

      it("reads NDJSON and Parquet, and multipart uploads", async () => {
        const nd = await ingest(
          '{"event_id": 20, "kind": "start"}\n{"event_id": 21, "kind": "nope"}\n',
          "application/x-ndjson",
        );
        expect(nd.body).toMatchObject({ format: "ndjson", received: 2, accepted: 1, quarantined: 1 });
        const inst = await DuckDBInstance.create(":memory:");
        const conn = await inst.connect();
        const file = join(fixture.root, "upload.parquet");
        await conn.run(
          `COPY (SELECT 30 + i AS event_id, CASE WHEN i = 2 THEN 'bad' ELSE 'stop' END AS kind, DATE '2025-01-01' + i::INT AS day
       FROM range(3) t(i)) TO '${file}' (FORMAT parquet)`,
        );
        conn.closeSync();
        inst.closeSync();
        const { readFile } = await import("node:fs/promises");
        const bytes = await readFile(file);
        const pq = await ingest(bytes, "application/vnd.apache.parquet");
        expect(pq.body).toMatchObject({ format: "parquet", received: 3, accepted: 2, quarantined: 1 });
        const form = new FormData();
        form.set("port", "events");
        form.set("file", new File(["event_id,kind\n40,start\n"], "events.csv", { type: "text/csv" }));
        const res = await app.request("/api/products/test.sensors/ingest", {
          method: "POST",
          body: form,
          headers: asAdmin,
        });
        expect(res.status).toBe(201);
        expect(await res.json()).toMatchObject({ format: "csv", received: 1, accepted: 1, quarantined: 0 });
      });

      it("refuses wrong formats, empty and oversized uploads, unknown ports, and stores nothing", async () => {
        const before = await counts();
        const files = await storedFiles();
        const cases: [BodyInit, string, string, number, RegExp][] = [
          ["", "text/csv", "?port=events", 400, /empty/],
          ["not parquet at all", "application/vnd.apache.parquet", "?port=events", 400, /not Parquet/],
          ['{"event_id": 1}\n{broken', "application/x-ndjson", "?port=events", 400, /line 2 is not JSON/],
          ["a,b\n1", "text/plain", "?port=events", 415, /ingest reads/],
          ["event_id,kind\n1,start\n", "text/csv", "", 400, /name the input port/],
          ["event_id,kind\n1,start\n", "text/csv", "?port=readings", 404, /no input port "readings" \(events\)/],
          ["event_id,kind\n1,start\n", "text/csv", "?port=events&dataset=nope", 404, /no dataset "nope"/],
          ["event_id,kind\n1,start\n", "text/csv", "?port=events&evil=1", 400, /evil/],
          [new Uint8Array([0xff, 0xfe, 0x00]), "application/x-ndjson", "?port=events", 400, /not UTF-8/],
        ];
        for (const [body, type, query, status, message] of cases) {
          const r = await ingest(body, type, query);
          expect(r.status, `${type} ${query}`).toBe(status);
          expect(r.body.error.message).toMatch(message);
        }
        const rows = Array.from({ length: 1_001 }, (_, i) => ({ event_id: i, kind: "start" }));
        const tooMany = await ingestJson({ port: "events", records: rows });
        expect(tooMany.status).toBe(413);
        const huge = await ingest(`event_id,kind\n${"1,start\n".repeat(80_000)}`, "text/csv");
        expect(huge.status).toBe(413);
        expect((await ingestJson({ port: "events", records: [] })).status).toBe(400);
        expect((await ingestJson({ port: "events" })).status).toBe(400);
        expect((await ingest("{", "application/json", "")).status).toBe(400);
        expect(
          (
            await app.request("/api/products/test.none/ingest?port=events", {
              method: "POST",
              headers: { "content-type": "text/csv", ...asAdmin },
              body: "a\n1\n",
            })
          ).status,
        ).toBe(404);
        expect(await counts()).toEqual(before);
        expect(await storedFiles()).toEqual(files);
      });

      it("refuses records that are not objects or are nested too deep, as JSON and NDJSON, and stores nothing", async () => {
        const before = await counts();
        const files = await storedFiles();
        const deep = (depth: number) => `${'{"a":'.repeat(depth - 1)}1${"}".repeat(depth - 1)}`;
        const deepArray = (depth: number) => `${"[".repeat(depth - 1)}1${"]".repeat(depth - 1)}`;
        const record = (extra: string) => `{"event_id":1,"kind":"start","extra":${extra}}`;
        const cases: [string, string, RegExp][] = [
          ['{"port":"events","records":[null]}', "application/json", /record 1 is null; each record must be an object/],
          [
            '{"port":"events","records":[{"event_id":1,"kind":"start"},[1,2]]}',
            "application/json",
            /record 2 is an array/,
          ],
          ['{"port":"events","records":[5]}', "application/json", /record 1 is a number/],
          ['{"port":"events","records":["row"]}', "application/json", /record 1 is a string/],
          ['{"port":"events","records":{"event_id":1}}', "application/json", /records/],
          ['{"port":"events","records":"x"}', "application/json", /records/],
          [`{"port":"events","records":[${record(deep(20_000))}]}`, "application/json", /nested deeper than 64 levels/],
          [`{"port":"events","records":[${record(deepArray(20_000))}]}`, "application/json", /nested deeper than 64/],
          [
            `{"port":"events","records":[${record(deep(65))}]}`,
            "application/json",
            /record 1 is nested deeper than 64/,
          ],
          ['{"event_id":1,"kind":"start"}\nnull\n', "application/x-ndjson", /record 2 is null/],
          ["[1]\n", "application/x-ndjson", /record 1 is an array/],
          [`${record(deep(20_000))}\n`, "application/x-ndjson", /nested deeper than 64 levels/],
        ];
        for (const [body, type, message] of cases) {
          const r = await ingest(body, type, type === "application/json" ? "" : "?port=events");
          expect(r.status, `${body.slice(0, 60)}`).toBe(400);
          expect(r.body.error.message, body.slice(0, 60)).toMatch(message);
        }
        expect(await counts()).toEqual(before);
        expect(await storedFiles()).toEqual(files);
        // 64 levels, the record's own included, is the most there may be: stored (quarantined: `extra` is unknown).
        const deepest = await ingest(`{"port":"events","records":[${record(deep(64))}]}`, "application/json", "");
        expect(deepest.status).toBe(201);
        expect(deepest.body).toMatchObject({ received: 1, quarantined: 1 });
      });

      it("keeps __proto__ keys as data and takes a huge string within the body limit", async () => {
        const proto = await ingest(
          '{"port":"events","records":[{"event_id":1,"kind":"start","__proto__":{"level":99}},{"__proto__":{"event_id":2,"kind":"start"}}]}',
          "application/json",
          "",
        );
        expect(proto.status).toBe(201);
        expect(proto.body.quarantine).toEqual([
          { row: 1, reasons: ["__proto__: not a property of the contract"] },
          {
            row: 2,
            reasons: [
              "__proto__: not a property of the contract",
              "event_id: required, but missing",
              "kind: required, but missing",
            ],
          },
        ]);
        expect(({} as Json).level).toBeUndefined();
        const { rows } = await db.query<{ record: Json }>(
          "SELECT record FROM quarantine_rows WHERE batch_id = $1 AND row_number = 2",
          [proto.body.batchId],
        );
        const stored = rows[0]?.record as Json;
        expect(Object.keys(stored)).toEqual(["__proto__"]);
        expect(Object.getOwnPropertyDescriptor(stored, "__proto__")?.value).toEqual({ event_id: 2, kind: "start" });
        const top = await ingest(
          '{"port":"events","records":[{"event_id":1,"kind":"start"}],"__proto__":{"x":1}}',
          "application/json",
          "",
        );
        expect(top.status).toBeLessThan(500);

        const huge = await ingestJson({ port: "events", records: [{ event_id: 1, kind: "x".repeat(400_000) }] });
        expect(huge.status).toBe(201);
        expect(huge.body).toMatchObject({ received: 1, accepted: 0, quarantined: 1 });
        expect(huge.body.quarantine[0].reasons[0].length).toBeLessThan(120);
        const tooBig = await ingestJson({ port: "events", records: [{ event_id: 1, kind: "x".repeat(600_000) }] });
        expect(tooBig.status).toBe(413);
      });

      it("answers a retry with the same Idempotency-Key from the first result and stores nothing twice", async () => {
        const records = [
          { event_id: 100, kind: "start" },
          { event_id: 101, kind: "bad" },
        ];
        const body = JSON.stringify({ port: "events", records });
        const key = { "idempotency-key": "3f1c2a9e-retry-1" };
        const first = await ingest(body, "application/json", "", key);
        expect(first.status).toBe(201);
        expect(first.headers.get("idempotent-replayed")).toBeNull();
        const before = { counts: await counts(), files: await storedFiles() };
        // The same request again (the client saw a dropped connection), twice at once as well.
        const again = await ingest(body, "application/json", "", key);
        const both = await Promise.all([1, 2].map(() => ingest(body, "application/json", "", key)));
        for (const r of [again, ...both]) {
          expect(r.status).toBe(201);
          expect(r.body).toEqual(first.body);
          expect(r.headers.get("idempotent-replayed")).toBe("true");
        }
        expect(await counts()).toEqual(before.counts);
        expect(await storedFiles()).toEqual(before.files);

        // The same key with other data is refused with the reason, and stores nothing.
        const other = await ingest(
          JSON.stringify({ port: "events", records: [{ event_id: 102, kind: "start" }] }),
          "application/json",
          "",
          key,
        );
        expect(other.status).toBe(422);
        expect(other.body.error).toMatchObject({
          code: "idempotency-key-reused",
          details: { batchId: first.body.batchId },
        });
        expect(other.body.error.message).toMatch(/used for a different request to port "events"/);
        const csv = await ingest("event_id,kind\n103,start\n", "text/csv", "?port=events", key);
        expect(csv.status).toBe(422);
        expect(await counts()).toEqual(before.counts);

        // A new key is a new batch; a file retried with its key is answered from the first one too.
        const fileKey = { "idempotency-key": '"file-upload-7"' };
        const file = await ingest("event_id,kind\n104,start\n", "text/csv", "?port=events", fileKey);
        const fileAgain = await ingest("event_id,kind\n104,start\n", "text/csv", "?port=events", {
          "idempotency-key": "file-upload-7",
        });
        expect(file.status).toBe(201);
        expect(fileAgain.body).toEqual(file.body);
        expect(fileAgain.headers.get("idempotent-replayed")).toBe("true");
        expect((await counts())?.batches).toBe((before.counts?.batches ?? 0) + 1);

        // Keys are per principal (the harness API takes them too) and must be readable.
        const upload = { format: "json" as const, mode: "strict" as const, records };
        const mine = await harness.ingest(
          "test.sensors",
          { port: "events", upload, idempotencyKey: "3f1c2a9e-retry-1" },
          "someone-else",
        );
        expect(mine.batchId).not.toBe(first.body.batchId);
        expect(mine.replayed).toBeUndefined();
        const again2 = await harness.ingest(
          "test.sensors",
          { port: "events", upload, idempotencyKey: "3f1c2a9e-retry-1" },
          "someone-else",
        );
        expect(again2).toEqual({ ...mine, replayed: true });
        for (const bad of ["x".repeat(256), "a\tb", "caf\u00e9", '""'])
          expect((await ingest(body, "application/json", "", { "idempotency-key": bad })).status, bad).toBe(400);
      });

      it("shows a reader of the port a batch only once it is committed, as a new version", async () => {
        const before = await harness.lake.current(db, "test.sensors", "events");
        let atCommit: { written: boolean; inside: number | undefined } | undefined;
        let outside: Promise<Awaited<ReturnType<Harness["lake"]["current"]>>> | undefined;
        const watched: Database = {
          driver: db.driver,
          query: (sql, params) => db.query(sql, params),
          exec: (sql) => db.exec(sql),
          transaction: (fn) =>
            db.transaction(async (tx) => {
              const r = await fn(tx);
              const id = (r as { batchId?: number }).batchId;
              if (id !== undefined) {
                // The file is written aside already; the transaction sees its version, nobody else yet:
                // a reader asking now gets the old version (PostgreSQL) or waits for the commit (PGlite).
                const files = (await harness.lake.versions.current(tx, "test.sensors", "events"))?.datasets[0]?.files;
                const { stat } = await import("node:fs/promises");
                const mine = files?.find((f) => f.endsWith(`batch-${String(id).padStart(8, "0")}.parquet`));
                atCommit = {
                  written: mine !== undefined && (await stat(mine)).isFile(),
                  inside: (await harness.lake.versions.current(tx, "test.sensors", "events"))?.version,
                };
                outside = harness.lake.current(db, "test.sensors", "events");
              }
              return r;
            }),
          close: async () => {},
        };
        const h = new Harness({ db: watched, registry: registryOf, locator: new DataLocator(dataDir) });
        const upload = {
          format: "json" as const,
          mode: "strict" as const,
          records: [{ event_id: 200, kind: "start" }],
        };
        const r = await h.ingest("test.sensors", { port: "events", upload }, "admin@example.com");
        const final = `batch-${String(r.batchId).padStart(8, "0")}.parquet`;
        expect(r.version).toBe((before?.version ?? 0) + 1);
        expect(atCommit).toEqual({ written: true, inside: r.version });
        const seen = await outside;
        const after = await harness.lake.current(db, "test.sensors", "events");
        // Old or new, whole: never the new version without its file, nor a file without its version.
        expect(seen?.version === before?.version ? seen : after).toEqual(seen);
        expect(after?.datasets[0]?.files).toEqual([
          ...(before?.datasets[0]?.files ?? []),
          expect.stringMatching(final),
        ]);
        expect(await storedFiles()).toContain((after?.datasets[0]?.files ?? []).at(-1));
        expect((await storedFiles()).filter((f) => f.includes("/."))).toEqual([]);
      });

      it("recovers from a kill at any step at start-up: the folder then holds exactly the committed batches", async () => {
        const dir = join(dataDir, "ingest", "test.sensors", "events", "events");
        const tmp = join(dataDir, "tmp");
        const committed = async () =>
          (
            await db.query<{ id: number; accepted: number }>(
              "SELECT id, accepted FROM ingest_batches WHERE product_id = 'test.sensors' AND port = 'events' AND file IS NOT NULL AND port_version IS NULL ORDER BY id",
            )
          ).rows.map((r) => ({ id: Number(r.id), accepted: Number(r.accepted) }));
        const globbed = async () => {
          const inst = await DuckDBInstance.create(":memory:");
          const conn = await inst.connect();
          try {
            const r = await conn.runAndReadAll(`SELECT count(*)::INT FROM read_parquet('${dir}/*.parquet')`);
            return Number(r.getRows()[0]?.[0]);
          } finally {
            conn.closeSync();
            inst.closeSync();
          }
        };
        const name = (id: number) => `batch-${String(id).padStart(8, "0")}.parquet`;
        // Batches a Quanta before port versions committed into <data dir>/ingest/ (ADR 0021).
        const { mkdir: mkdirs } = await import("node:fs/promises");
        await mkdirs(dir, { recursive: true });
        for (const n of [2, 3, 4]) {
          const { rows } = await db.query<{ id: number }>(
            `INSERT INTO ingest_batches (product_id, port, dataset, contract_id, contract_version, format, received, accepted, quarantined, actor)
             VALUES ('test.sensors', 'events', 'events', 'test.upstream.events', '1.0.0', 'json', $1, $1, 0, 'quanta-0.1') RETURNING id`,
            [n],
          );
          const id = Number(rows[0]?.id);
          await db.query("UPDATE ingest_batches SET file = $2 WHERE id = $1", [id, join(dir, name(id))]);
          const legacy = await DuckDBInstance.create(":memory:");
          const c = await legacy.connect();
          await c.run(
            `COPY (SELECT range AS event_id, 'start' AS kind FROM range(${n})) TO '${join(dir, name(id))}' (FORMAT parquet)`,
          );
          c.closeSync();
          legacy.closeSync();
        }
        const batches = await committed();
        const last = batches.at(-1) as { id: number; accepted: number };
        const sample = join(dir, name(last.id));
        const { copyFile, mkdir, utimes, writeFile } = await import("node:fs/promises");
        const { hostname } = await import("node:os");
        const host = hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host";
        // A process on this host that is gone: this pid, from an earlier start (a restarted container).
        const dead = `${host}_${process.pid}_${Math.round(performance.timeOrigin) - 60_000}`;
        const me = `${host}_${process.pid}_${Math.round(performance.timeOrigin)}`;
        const uuid = () => randomUUID();
        const old = new Date(Date.now() - 60 * 60_000);

        // Quanta 0.1 killed between the rename and the commit: a final name with no batch row.
        const inst = await DuckDBInstance.create(":memory:");
        const conn = await inst.connect();
        await conn.run(
          `COPY (SELECT range AS event_id, 'start' AS kind FROM range(7)) TO '${join(dir, name(last.id + 1000))}' (FORMAT parquet)`,
        );
        conn.closeSync();
        inst.closeSync();
        // Killed while writing the file, before the transaction.
        await copyFile(sample, join(dir, `.incoming-${dead}-${uuid()}.parquet.tmp`));
        await writeFile(join(dir, `.incoming-${dead}-${uuid()}.ndjson.tmp`), '{"event_id":1}\n');
        // Killed inside the transaction, after the rename to the pending name: never committed.
        await copyFile(sample, join(dir, `.batch-${String(last.id + 1001).padStart(8, "0")}-${dead}.parquet.tmp`));
        // Quanta 0.1's temp names (no owner; a glob over *.parquet read them): removed whatever their age.
        const legacyOld = `.incoming-${uuid()}.parquet`;
        const legacyNew = `.incoming-${uuid()}.parquet`;
        await copyFile(sample, join(dir, legacyOld));
        await utimes(join(dir, legacyOld), old, old);
        await copyFile(sample, join(dir, legacyNew));
        await writeFile(join(dir, `${uuid()}.ndjson`), '{"event_id":1}\n');
        // Killed after the commit, before the final rename: the batch is committed, its file pending.
        const { rename } = await import("node:fs/promises");
        await rename(sample, join(dir, `.batch-${String(last.id).padStart(8, "0")}-${dead}.parquet.tmp`));
        // Killed while DuckDB read an uploaded CSV.
        await mkdir(join(tmp, `ingest-${dead}-Ab12Cd`), { recursive: true });
        await writeFile(join(tmp, `ingest-${dead}-Ab12Cd`, "upload.csv"), "event_id,kind\n1,start\n");
        // A process on this host that has exited; another replica's temp file past the grace period.
        const { spawnSync } = await import("node:child_process");
        const exited = spawnSync(process.execPath, ["-e", ""]).pid;
        await writeFile(join(dir, `.incoming-${host}_${exited}_1700000000000-${uuid()}.parquet.tmp`), "PAR1");
        const otherHostOld = join(dir, `.incoming-elsewhere_42_1700000000000-${uuid()}.parquet.tmp`);
        await writeFile(otherHostOld, "PAR1");
        await utimes(otherHostOld, old, old);
        // Another replica's fresh temp file, and this process's own (an ingest in flight): kept.
        const otherHost = `.incoming-elsewhere_42_1700000000000-${uuid()}.parquet.tmp`;
        const mine = `.incoming-${me}-${uuid()}.parquet.tmp`;
        await writeFile(join(dir, otherHost), "PAR1");
        await writeFile(join(dir, mine), "PAR1");
        // Not Quanta's: never touched.
        await writeFile(join(dir, "notes.txt"), "mine");
        await mkdir(join(tmp, "consume-xyz"), { recursive: true });

        const store = (await committed()).reduce((n, b) => n + b.accepted, 0);
        expect(await globbed()).toBe(store - last.accepted + 7 + 2 * last.accepted);

        const { startHarness } = await import("../start-harness.js");
        const runtime = startHarness({ db, registry: registryOf, dataDir, runJobs: false });
        const recovery = await runtime.recovered;
        await runtime.stop();

        expect(recovery.completed).toEqual([join(dir, name(last.id))]);
        expect(recovery.orphaned).toEqual([join(dir, name(last.id + 1000))]);
        expect(recovery.missing).toEqual([]);
        expect(recovery.removed).toHaveLength(9);
        expect(recovery.removed).toContain(otherHostOld);
        const left = (await readdir(dir)).sort();
        expect(left.filter((f) => f.endsWith(".parquet"))).toEqual((await committed()).map((b) => name(b.id)).sort());
        expect(left.filter((f) => !f.endsWith(".parquet")).sort()).toEqual([otherHost, mine, "notes.txt"].sort());
        expect(await globbed()).toBe(store);
        expect(await readdir(tmp)).toContain("consume-xyz");
        expect((await readdir(tmp)).filter((f) => f.startsWith("ingest-"))).toEqual([]);
        expect(await readdir(join(dataDir, "ingest-orphans", "test.sensors", "events", "events"))).toEqual([
          name(last.id + 1000),
        ]);
        for (const f of [otherHost, mine, "notes.txt"]) await rm(join(dir, f));
        // Twice is the same as once.
        const { recoverIngest } = await import("./recover-ingest.js");
        expect(await recoverIngest(db, new DataLocator(dataDir))).toEqual({
          completed: [],
          orphaned: [],
          removed: [],
          missing: [],
        });
        // A committed batch whose file is gone is reported, not invented.
        const first = (await committed())[0] as { id: number };
        await rename(join(dir, name(first.id)), join(fixture.root, "aside.parquet"));
        expect((await recoverIngest(db, new DataLocator(dataDir))).missing).toEqual([first.id]);
        await rename(join(fixture.root, "aside.parquet"), join(dir, name(first.id)));
      });

      it("makes concurrent batches into one port successive versions, losing none", async () => {
        const before = await harness.lake.current(db, "test.sensors", "events");
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            ingestJson({ port: "events", records: [{ event_id: 500 + i, kind: "start" }] }),
          ),
        );
        for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
        const versions = results.map((r) => r.body.version as number).sort((a, b) => a - b);
        expect(new Set(versions).size).toBe(6);
        const after = await harness.lake.current(db, "test.sensors", "events");
        expect(after?.version).toBe(versions.at(-1));
        expect(after?.datasets[0]?.files).toHaveLength((before?.datasets[0]?.files.length ?? 0) + 6);
        expect(after?.datasets[0]?.rows).toBe((before?.datasets[0]?.rows ?? 0) + 6);
        const kept = before?.datasets[0]?.files ?? [];
        expect(after?.datasets[0]?.files.slice(0, kept.length)).toEqual(kept);
      });

      it("keeps the current version readable after a stop in the middle of a batch, and recovery removes what it left", async () => {
        const before = await harness.lake.current(db, "test.sensors", "events");
        const rowsOf = async (files: string[]) => {
          const inst = await DuckDBInstance.create(":memory:");
          const conn = await inst.connect();
          try {
            const list = files.map((f) => `'${f}'`).join(", ");
            return Number(
              (await conn.runAndReadAll(`SELECT count(*)::INT FROM read_parquet([${list}])`)).getRows()[0]?.[0],
            );
          } finally {
            conn.closeSync();
            inst.closeSync();
          }
        };
        const readable = await rowsOf(before?.datasets[0]?.files ?? []);
        expect(readable).toBe(before?.datasets[0]?.rows);
        // A process on this host that is gone (this pid, an earlier start) staged a version and
        // was killed while DuckDB wrote its batch file.
        const { hostname } = await import("node:os");
        const { writeFile } = await import("node:fs/promises");
        const host = hostname().replace(/[^A-Za-z0-9.-]/g, "-") || "host";
        const dead = `${host}_${process.pid}_${Math.round(performance.timeOrigin) - 60_000}`;
        const staged = await harness.lake.stage(db, {
          productId: "test.sensors",
          port: "events",
          source: "ingest",
          createdBy: "admin@example.com",
        });
        await db.query("UPDATE port_versions SET owner = $2 WHERE id = $1", [staged.row.id, dead]);
        const half = await harness.lake.file(staged, "events", "batch-99999999.parquet");
        await writeFile(half, "PAR1 half a file");
        expect(await harness.lake.current(db, "test.sensors", "events")).toEqual(before);
        expect(await rowsOf(before?.datasets[0]?.files ?? [])).toBe(readable);

        const { startHarness } = await import("../start-harness.js");
        const runtime = startHarness({ db, registry: registryOf, dataDir, runJobs: false });
        const recovery = await runtime.lakeRecovered;
        await runtime.stop();
        expect(recovery).toEqual({
          abandoned: [`test.sensors/events v${staged.row.version}`],
          removed: [staged.dir],
          unknown: [],
        });
        await expect(readdir(staged.dir)).rejects.toMatchObject({ code: "ENOENT" });
        expect(await harness.lake.current(db, "test.sensors", "events")).toEqual(before);
        const [latest] = await harness.lake.versions.history(db, "test.sensors", "events", { limit: 1 });
        expect(latest).toMatchObject({
          version: staged.row.version,
          state: "failed",
          reason: expect.stringMatching(/^abandoned: the process writing it/),
        });
        // The next batch is the next version, over the same files plus its own.
        const next = await ingestJson({ port: "events", records: [{ event_id: 300, kind: "stop" }] });
        expect(next.body.version).toBe(staged.row.version + 1);
        const now = await harness.lake.current(db, "test.sensors", "events");
        expect(now?.datasets[0]?.files.slice(0, -1)).toEqual(before?.datasets[0]?.files);
        expect(await rowsOf(now?.datasets[0]?.files ?? [])).toBe(readable + 1);
      });

      it("shows batches and quarantined rows in observe, and refuses ingest while the product is stopped", async () => {
        const observed = await app.request("/api/products/test.sensors/observe", { headers: asAdmin });
        const body = (await observed.json()) as Json;
        expect(body.ingest.batches.length).toBeGreaterThanOrEqual(4);
        expect(body.ingest.quarantinedRows).toBeGreaterThanOrEqual(8);
        const current = await harness.lake.current(db, "test.sensors", "events");
        expect(body.ingest.batches[0].version).toBe(current?.version);
        const events = body.data.find((p: Json) => p.port === "events");
        expect(events).toMatchObject({
          direction: "input",
          current: { version: current?.version, state: "current", source: "ingest", rows: current?.datasets[0]?.rows },
        });
        expect(events.history[0]).toEqual(events.current);
        expect(events.history.length).toBeGreaterThan(1);
        await app.request("/api/products/test.sensors/control", {
          method: "POST",
          headers: { "content-type": "application/json", ...asAdmin },
          body: JSON.stringify({ action: "stop" }),
        });
        const stopped = await ingestJson({ port: "events", records: [{ event_id: 1, kind: "start" }] });
        expect(stopped.status).toBe(409);
        expect(stopped.body.error.code).toBe("product-stopped");
      });
    });
  });
}
