import { rename, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersContract, writeShop } from "../access/access-fixtures.js";
import { AuditLog } from "../audit/audit-log.js";
import { EventLog } from "../audit/event-log.js";
import { PolicyStore } from "../governance/policy-store.js";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { type Job, JobQueue } from "../jobs/job-queue.js";
import { JobWorker } from "../jobs/worker.js";
import { ProductRepository } from "../registry/product-repository.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { lineageDelivery, lineageDeliveryKind } from "./lineage-delivery.js";
import { lineageProblems } from "./openlineage.test-helpers.js";
import { revenueFiles, revenuePipeline } from "./pipeline-fixtures.js";
import { pipelineRunHandler } from "./pipeline-run-job.js";
import { PipelineRunStore } from "./pipeline-run-store.js";
import { PipelineScheduler, pipelineScheduleHandler, pipelineScheduleKind } from "./pipeline-scheduler.js";
import { PipelineService, pipelineRunJobKey, pipelineRunKind } from "./pipeline-service.js";
import { defaultPipelineRunLimits, runPipeline } from "./run-pipeline.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const cycleOdps = (id: string, input: string) => `apiVersion: v1.0.0
kind: DataProduct
id: cyc.${id}
name: Cycle ${id}
version: 1.0.0
status: active
domain: shop
description:
  purpose: Half of a cycle, for the pipeline tests.
support:
  - channel: "#cycle"
    url: https://chat.example.com/cycle
    tool: slack
inputPorts:
  - name: upstream
    version: 1.0.0
    contractId: cyc.${input}.out
outputPorts:
  - name: out
    type: tables
    version: 1.0.0
    contractId: cyc.${id}.out
team:
  name: Revenue team
  members:
    - username: rita@revenue.example
      role: owner
      dateIn: "2024-01-01"
`;
const cycleOdcs = (id: string) => `apiVersion: v3.1.0
kind: DataContract
id: cyc.${id}.out
name: Out
version: 1.0.0
status: active
description:
  purpose: Half of a cycle of pipelines, for the pipeline tests.
schema:
  - name: out
    properties:
      - name: n
        logicalType: integer
        classification: internal
`;
const cyclePipeline = `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: out
    steps:
      - name: copy
        sql: SELECT * FROM upstream
`;
const cycleFiles = (id: string, input: string) => [
  { path: `${id}.odps.yaml`, text: cycleOdps(id, input) },
  { path: "contracts/out.odcs.yaml", text: cycleOdcs(id) },
  { path: "pipeline.yaml", text: cyclePipeline },
];

const reportOdps = `apiVersion: v1.0.0
kind: DataProduct
id: shop.report
name: Shop report
version: 1.0.0
status: active
domain: shop
description:
  purpose: A report built from the revenue product, for the trigger tests.
support:
  - channel: "#revenue"
    url: https://chat.example.com/revenue
    tool: slack
inputPorts:
  - name: revenue
    version: 1.0.0
    contractId: shop.revenue.revenue
outputPorts:
  - name: report
    type: tables
    version: 1.0.0
    contractId: shop.report.report
team:
  name: Revenue team
  members:
    - username: rita@revenue.example
      role: owner
      dateIn: "2024-01-01"
`;
const reportOdcs = `apiVersion: v3.1.0
kind: DataContract
id: shop.report.report
name: Report
version: 1.0.0
status: active
description:
  purpose: The revenue report, one row, for the trigger tests.
schema:
  - name: report
    properties:
      - name: orders
        logicalType: integer
        classification: internal
        required: true
`;
const reportPipeline = `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: report
    steps:
      - name: report
        sql: SELECT orders FROM revenue
`;

/** Pipelines on one storage driver: declaration at publish, runs through the queue, records, rollback. */
export function pipelinesConformance(name: string, target: StoreTarget): void {
  describe(`pipelines on ${name}`, () => {
    let db: Database;
    let registry: Registry;
    let harness: Harness;
    let locator: DataLocator;
    let app: OpenAPIHono;
    let worker: JobWorker;
    let shop: Awaited<ReturnType<typeof writeShop>>;
    let shopOwner: TestIdentity;
    let revenueOwner: TestIdentity;
    let stranger: TestIdentity;
    const errors: unknown[] = [];

    beforeAll(async () => {
      shop = await writeShop(30);
      db = await target.open();
      registry = new Registry(db);
      await registry.publish({ files: shop.files });
      await registry.publish({ files: revenueFiles() });
      locator = new DataLocator(join(shop.root, "platform"));
      locator.setFolder("shop.orders", shop.folder);
      harness = new Harness({ db, registry, locator });
      app = createApp({ registry, harness, logError: (e) => errors.push(e) });
      worker = new JobWorker(new JobQueue(db), {
        handlers: {
          [pipelineRunKind]: pipelineRunHandler(db, locator, { ...defaultPipelineRunLimits, cancelPollMs: 50 }),
        },
      });
      shopOwner = await testIdentity(db, {
        username: "owner@shop.example",
        teams: [{ team: "shop-team", role: "owner" }],
      });
      revenueOwner = await testIdentity(db, {
        username: "rita@revenue.example",
        teams: [{ team: "revenue-team", role: "owner" }],
      });
      stranger = await testIdentity(db, { username: "sam@elsewhere.example" });
    });
    afterAll(async () => {
      await db?.close();
      if (shop) await rm(shop.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const call = async (method: string, path: string, who?: TestIdentity, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(who?.headers ?? {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
    };
    /** Requests a run as the owner, lets the worker run it, answers the run's record. */
    const run = async (): Promise<Json> => {
      const queued = await call("POST", "/api/products/shop.revenue/pipeline/runs", revenueOwner);
      expect(queued.status).toBe(202);
      expect(queued.body).toMatchObject({ status: "queued", trigger: "manual", requestedBy: "rita@revenue.example" });
      expect(await worker.runOne([pipelineRunKind])).toBe(true);
      const detail = await call("GET", `/api/products/shop.revenue/pipeline/runs/${queued.body.id}`, revenueOwner);
      expect(detail.status).toBe(200);
      return detail.body;
    };
    const current = async () => (await harness.lake.current(db, "shop.revenue", "revenue"))?.version ?? null;
    const read = async () =>
      (await call("POST", "/api/products/shop.revenue/consume", revenueOwner, { port: "revenue", format: "json" }))
        .body;

    describe("the declaration at publish", () => {
      it("refuses a cycle between products' pipelines, naming it with file and line", async () => {
        await registry.publish({ files: cycleFiles("b", "a") });
        const refused = (await registry
          .publish({ files: cycleFiles("a", "b") })
          .catch((e: unknown) => e as Json)) as Json;
        expect((refused as Json).name).toBe("RefusedError");
        const issue = ((refused as Json).issues as Json[]).find((i) => i.code === "pipeline-cycle");
        expect(issue).toMatchObject({ file: "pipeline.yaml", line: 7, severity: "error" });
        expect(issue?.message).toContain(
          "the pipelines form a cycle: cyc.a (input port upstream) → cyc.b (input port upstream) → cyc.a",
        );
        expect(await new ProductRepository(db).current("cyc.a")).toBeUndefined();
      });

      it("refuses an unknown input port and a step reading a later step, with file:line", async () => {
        const bad = revenuePipeline().replace("FROM orders", "FROM totals").replace("FROM consented", "FROM order");
        const refused = (await registry
          .publish({ files: revenueFiles({ version: "1.0.1", pipeline: bad }) })
          .catch((e: unknown) => e as Json)) as Json;
        const issues = ((refused as Json).issues as Json[]).filter((i) => i.file === "pipeline.yaml");
        expect(issues.map((i) => `${i.file}:${i.line} ${i.code}`)).toEqual([
          "pipeline.yaml:7 pipeline-step-order",
          "pipeline.yaml:9 pipeline-input-unknown",
        ]);
      });
    });

    describe("runs through the mesh", () => {
      it("fails without an agreement of the owner team, with that reason, and publishes nothing", async () => {
        const r = await run();
        expect(r.status).toBe("failed");
        expect(r.reason).toContain("input port orders (shop.orders port orders)");
        expect(r.reason).toContain("none of your teams (revenue-team) has an active data usage agreement");
        expect(await current()).toBeNull();
        const events = await new EventLog(db).list({ subject: "shop.revenue" });
        expect(events.map((e) => e.type)).toContain("pipeline.failed");
      });

      it("runs under an approved agreement: masks and row filters apply, the tested version becomes current", async () => {
        const asked = await call("POST", "/api/access-requests", revenueOwner, {
          productId: "shop.orders",
          port: "orders",
          consumerTeam: "revenue-team",
          purpose: "Revenue figures",
        });
        expect(asked.status).toBe(201);
        expect((await call("POST", `/api/access-requests/${asked.body.id}/approve`, shopOwner, {})).status).toBe(200);
        const r = await run();
        expect(r.reason).toBeNull();
        expect(r.status).toBe("succeeded");
        expect(r.outputs).toEqual([
          expect.objectContaining({
            port: "revenue",
            dataset: "revenue",
            version: 1,
            published: true,
            previous: null,
            rowsOut: 1,
            rowsIn: { "orders.orders": 20, orders: 20 },
            bytesIn: expect.any(Number),
            tests: expect.objectContaining({ status: "passed" }),
            inputs: [
              expect.objectContaining({
                port: "orders",
                product: "shop.orders",
                basis: "agreement",
                agreementId: asked.body.id,
                masked: ["customer_email", "customer_id"],
                rowFilters: ["analytical_consent = true"],
              }),
            ],
          }),
        ]);
        expect(r.steps.map((s: Json) => [s.name, s.status, s.rowsOut])).toEqual([
          ["consented", "passed", 20],
          ["totals", "passed", 1],
        ]);
        expect(r.steps[1].sql).toContain("FROM consented");
        expect(await current()).toBe(1);
        // 30 orders, every third without consent: 20 read, their amounts summed, the e-mails masked.
        expect(await read()).toMatchObject({ rows: [{ orders: 20, revenue: 3000, sample_email: "***" }] });
        const logs = await call("GET", `/api/products/shop.revenue/pipeline/runs/${r.id}/logs`, revenueOwner);
        expect(logs.body.lines.map((l: Json) => l.message).join("\n")).toContain("passed its tests and is current");
        const audit = await new AuditLog(db).list({ productId: "shop.orders" });
        expect(audit.some((a) => a.action === "pipeline" && a.actor === "pipeline:shop.revenue")).toBe(true);
        // The COMPLETE event says which input columns feed each output column, from the SQL.
        const complete = (await new EventLog(db).list({ subject: "shop.revenue", limit: 100 })).find(
          (e) => e.type === "lineage.run" && e.payload.eventType === "COMPLETE",
        );
        const payload = (complete?.payload ?? {}) as Json;
        expect(lineageProblems(payload)).toEqual([]);
        const fields = payload.outputs[0].facets.columnLineage.fields;
        expect(fields.revenue.inputFields).toEqual([
          expect.objectContaining({
            field: "amount",
            transformations: expect.arrayContaining([
              expect.objectContaining({ type: "DIRECT", subtype: "AGGREGATION" }),
            ]),
          }),
        ]);
        expect(fields.sample_email.inputFields[0].transformations[0]).toMatchObject({ masking: true });
      });

      it("keeps a version failing its contract as failed; consumers keep the previous one", async () => {
        await registry.publish({ files: revenueFiles({ version: "1.1.0", pipeline: revenuePipeline("-") }) });
        const r = await run();
        expect(r.status).toBe("failed");
        expect(r.reason).toContain("version 2 of port revenue failed");
        expect(r.reason).toContain("version 1 stays current");
        expect(r.outputs[0]).toMatchObject({ version: 2, published: false, tests: { status: "failed" } });
        expect(await current()).toBe(1);
        expect(await read()).toMatchObject({ rows: [{ revenue: 3000 }] });
        const lineage = (await new EventLog(db).list({ subject: "shop.revenue", limit: 1000 })).filter(
          (e) => e.type === "lineage.run",
        );
        expect(new Set(lineage.map((e) => e.payload.eventType))).toEqual(new Set(["START", "COMPLETE", "FAIL"]));
        for (const e of lineage) expect(lineageProblems(e.payload)).toEqual([]);
        const versions = await harness.lake.versions.history(db, "shop.revenue", "revenue");
        expect(versions.map((v) => [v.version, v.state, v.source])).toEqual([
          [2, "failed", "pipeline"],
          [1, "current", "pipeline"],
        ]);
      });

      it("stops SQL that reads files, with the guard's reason", async () => {
        const evil = revenuePipeline().replace("FROM orders", "FROM read_csv('/etc/passwd')");
        await registry.publish({ files: revenueFiles({ version: "1.2.0", pipeline: evil }) });
        const r = await run();
        expect(r.status).toBe("failed");
        expect(r.reason).toContain('step "consented" is refused: table function read_csv is not allowed');
        expect(await current()).toBe(1);
      });

      it("runs one run per product at a time", async () => {
        await registry.publish({ files: revenueFiles({ version: "1.3.0" }) });
        const first = await call("POST", "/api/products/shop.revenue/pipeline/runs", revenueOwner);
        const second = await call("POST", "/api/products/shop.revenue/pipeline/runs", revenueOwner);
        expect(second.status).toBe(409);
        expect(second.body.error.message).toContain(`(run ${first.body.id}); one run per product at a time`);
        expect(await worker.runOne([pipelineRunKind])).toBe(true);
        expect(await current()).toBe(4);
      });
    });

    describe("records, rights and rollback", () => {
      it("lets readers see runs, only the owner team and admins run or roll back", async () => {
        expect((await call("GET", "/api/products/shop.revenue/pipeline/runs", undefined)).status).toBe(401);
        const seen = await call("GET", "/api/products/shop.revenue/pipeline/runs", stranger);
        expect(seen.status).toBe(200);
        expect(seen.body.items.map((r: Json) => r.status)).toEqual([
          "succeeded",
          "failed",
          "failed",
          "succeeded",
          "failed",
        ]);
        const run = await call("POST", "/api/products/shop.revenue/pipeline/runs", stranger);
        expect(run.status).toBe(403);
        const back = await call("POST", "/api/products/shop.revenue/pipeline/rollback", stranger, {
          port: "revenue",
          version: 1,
        });
        expect(back.status).toBe(403);
      });

      it("rolls a port back to an earlier version as a new version, audited; a failed one is refused", async () => {
        const refused = await call("POST", "/api/products/shop.revenue/pipeline/rollback", revenueOwner, {
          port: "revenue",
          version: 2,
        });
        expect(refused.status).toBe(409);
        const back = await call("POST", "/api/products/shop.revenue/pipeline/rollback", revenueOwner, {
          port: "revenue",
          version: 1,
        });
        expect(back.status).toBe(200);
        expect(back.body).toEqual({ productId: "shop.revenue", port: "revenue", version: 5, restored: 1, previous: 4 });
        expect(await current()).toBe(5);
        expect(await read()).toMatchObject({ rows: [{ revenue: 3000 }] });
        const audit = await new AuditLog(db).list({ productId: "shop.revenue" });
        expect(audit.find((a) => a.action === "pipeline.rollback")).toMatchObject({ actor: "rita@revenue.example" });
      });
    });

    describe("triggers", () => {
      it("queues the downstream pipelines of a port made current, debounced, never the product itself", async () => {
        await registry.publish({
          files: [
            { path: "report.odps.yaml", text: reportOdps },
            { path: "contracts/report.odcs.yaml", text: reportOdcs },
            { path: "pipeline.yaml", text: reportPipeline },
          ],
        });
        const r = await run();
        expect(r.status).toBe("succeeded");
        const runs = (await call("GET", "/api/products/shop.report/pipeline/runs", revenueOwner)).body.items as Json[];
        expect(runs).toEqual([
          expect.objectContaining({ status: "queued", trigger: "upstream", requestedBy: "pipeline:shop.revenue" }),
        ]);
        // A second new version while that run waits: no second run, the queued one reads the newest.
        const service = new PipelineService(db, harness.lake);
        expect(await service.triggerDownstream("shop.revenue", "revenue")).toEqual([]);
        const done = await runPipeline(db, locator, runs[0]?.id, "shop.report");
        expect(done).toMatchObject({ status: "succeeded", reason: null });
        expect((await harness.lake.current(db, "shop.report", "report"))?.version).toBe(1);
      });

      it("closes a run whose job died on its last attempt, so it no longer blocks the product", async () => {
        const stuck = await new PipelineService(db, harness.lake).enqueue("shop.report", "1.0.0", "manual", "test");
        await db.query("UPDATE jobs SET status = 'failed', last_error = 'killed' WHERE key = $1", [
          `${pipelineRunKind}:${stuck.id}`,
        ]);
        const next = await call("POST", "/api/products/shop.report/pipeline/runs", revenueOwner);
        expect(next.status).toBe(202);
        const closed = await call("GET", `/api/products/shop.report/pipeline/runs/${stuck.id}`, revenueOwner);
        expect(closed.body).toMatchObject({ status: "failed" });
        expect(closed.body.reason).toContain("without finishing the run");
      });
    });

    describe("schedule", () => {
      it("queues one run per slot of a cron in its time zone, across replicas, only while the slot is fresh", async () => {
        const scheduled = reportPipeline.replace(
          "kind: Pipeline\n",
          'kind: Pipeline\nschedule: { cron: "0 6 * * *", timezone: Europe/Amsterdam }\n',
        );
        await registry.publish({
          files: [
            { path: "report.odps.yaml", text: reportOdps.replace("version: 1.0.0\nstatus", "version: 1.1.0\nstatus") },
            { path: "contracts/report.odcs.yaml", text: reportOdcs },
            { path: "pipeline.yaml", text: scheduled },
          ],
        });
        const queue = new JobQueue(db);
        const replicas = [new PipelineScheduler(db, queue), new PipelineScheduler(db, queue)];
        // 06:00 in Amsterdam on 1 July is 04:00 UTC; two minutes later both replicas tick.
        const now = new Date("2026-07-01T04:02:00Z");
        const made = await Promise.all(replicas.map((r) => r.tick(now)));
        expect(made.reduce((a, b) => a + b, 0)).toBe(1);
        expect(await replicas[0]?.tick(new Date("2026-07-01T05:00:00Z"))).toBe(0);
        const job = await queue.byKey(`${pipelineScheduleKind}:shop.report:2026-07-01T04:00:00.000Z`);
        expect(job?.status).toBe("queued");
        // A run of the product is in progress (the 202 above): the slot is skipped, saying why.
        const handler = pipelineScheduleHandler(db, harness.lake);
        expect(await handler(job as Job, new AbortController().signal)).toMatchObject({
          skipped: expect.stringContaining("one run per product at a time"),
        });
        await db.query(
          "UPDATE pipeline_runs SET status = 'failed', finished_at = now() WHERE product_id = 'shop.report' AND status IN ('queued', 'running')",
        );
        const queued = (await handler(job as Job, new AbortController().signal)) as Json;
        const run = await call("GET", `/api/products/shop.report/pipeline/runs/${queued.run}`, revenueOwner);
        expect(run.body).toMatchObject({
          trigger: "schedule",
          status: "queued",
          requestedBy: "schedule 2026-07-01T04:00:00.000Z",
        });
      });
    });

    describe("OpenLineage delivery", () => {
      it("sends each run's events to the configured endpoint, retrying a failing one", async () => {
        const received: Json[] = [];
        let answers = 0;
        const server = createServer((req, res) => {
          let body = "";
          req.on("data", (d: Buffer) => {
            body += d.toString();
          });
          req.on("end", () => {
            // The first delivery meets a 503: the queue tries it again.
            if (answers++ === 0) res.writeHead(503).end();
            else {
              received.push(JSON.parse(body) as Json);
              res.writeHead(201).end();
            }
          });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
        try {
          const queued = await new PipelineService(db, harness.lake).enqueue("shop.revenue", "1.3.0", "manual", "test");
          const done = await runPipeline(db, locator, queued.id, "shop.revenue", {
            ...defaultPipelineRunLimits,
            lineageUrl: url,
          });
          expect(done.status).toBe("succeeded");
          const sender = new JobWorker(new JobQueue(db, { backoffBaseMs: 1 }), {
            handlers: { [lineageDeliveryKind]: lineageDelivery(url) },
          });
          for (let i = 0; i < 20 && received.length < 2; i++) {
            if (!(await sender.runOne([lineageDeliveryKind]))) await new Promise((r) => setTimeout(r, 20));
          }
          expect(received.map((e) => e.eventType).sort()).toEqual(["COMPLETE", "START"]);
          for (const e of received) expect(lineageProblems(e)).toEqual([]);
        } finally {
          server.close();
        }
      });
    });

    describe("command steps", () => {
      const copyOdps = revenueFiles()[0]
        ?.text.replace("id: shop.revenue", "id: shop.copy")
        .replace("name: Shop revenue", "name: Shop copy")
        .replace("contractId: shop.revenue.revenue", "contractId: shop.copy.orders")
        .replace("- name: revenue\n", "- name: orders-copy\n") as string;
      const copyOdcs = ordersContract()
        .replace("id: shop.orders.orders", "id: shop.copy.orders")
        .replace(/servers:\n( {2}.*\n)+/, "");
      const pipeline = (command: string, timeout = "30s") => `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: orders-copy
    steps:
      - name: copy
        command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(command)}]
        timeout: ${timeout}
`;
      const copy =
        "require('fs').copyFileSync(process.env.QUANTA_INPUT_ORDERS + '/orders.parquet', process.env.QUANTA_OUTPUT + '/orders.parquet'); console.log('copied')";
      const runCopy = async (version: string, text: string, commands = [process.execPath]) => {
        await registry.publish({
          files: [
            { path: "copy.odps.yaml", text: copyOdps.replace("version: 1.0.0\nstatus", `version: ${version}\nstatus`) },
            { path: "contracts/orders.odcs.yaml", text: copyOdcs },
            { path: "pipeline.yaml", text },
          ],
        });
        const queued = await new PipelineService(db, harness.lake).enqueue("shop.copy", version, "manual", "test");
        const done = await runPipeline(db, locator, queued.id, "shop.copy", { ...defaultPipelineRunLimits, commands });
        return { ...done, id: queued.id };
      };

      it("runs an allowed program on the inputs as the agreement lets the team read them", async () => {
        const r = await runCopy("1.0.0", pipeline(copy));
        expect(r.reason).toBeNull();
        expect(r.outputs[0]).toMatchObject({
          version: 1,
          published: true,
          rowsOut: 20,
          rowsIn: { "orders.orders": 20 },
        });
        const read = await call("POST", "/api/products/shop.copy/consume", revenueOwner, {
          port: "orders-copy",
          sql: "SELECT DISTINCT customer_email FROM orders",
          format: "json",
        });
        expect(read.body.rows).toEqual([{ customer_email: "***" }]);
        const logs = await new PipelineRunStore(db).logs(r.id);
        expect(logs.map((l) => l.message)).toContain("copy stdout: copied");
      });

      it("refuses a program the server does not allow, and ends one that hangs at its time limit", async () => {
        const refused = await runCopy("1.1.0", pipeline(copy), []);
        expect(refused.reason).toContain(
          "which this server does not allow; an operator allows programs with QUANTA_PIPELINE_COMMANDS",
        );
        const hung = await runCopy("1.2.0", pipeline("setInterval(() => {}, 1000)", "1s"));
        expect(hung.reason).toContain('step "copy" was ended at its time limit of 1 s');
        expect((await harness.lake.current(db, "shop.copy", "orders-copy"))?.version).toBe(1);
      });

      it("kills a running command and everything it started when its run is cancelled", async () => {
        // The program starts a child that would outlive it, then waits for ever.
        const hang =
          "require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('waiting'); setInterval(() => {}, 1000)";
        const running = runCopy("1.3.0", pipeline(hang, "10m"));
        const runs = new PipelineRunStore(db);
        let id: number | undefined;
        for (let i = 0; i < 400 && id === undefined; i++) {
          const open = await runs.open("shop.copy");
          if (open && (await runs.logs(open.id)).some((l) => l.message === "copy stdout: waiting")) id = open.id;
          else await new Promise((r) => setTimeout(r, 25));
        }
        expect(id).toBeDefined();
        const asked = Date.now();
        const flagged = await call("POST", `/api/products/shop.copy/pipeline/runs/${id}/cancel`, revenueOwner);
        expect(flagged.status).toBe(200);
        const r = await running;
        expect(Date.now() - asked).toBeLessThan(5_000);
        expect(r).toMatchObject({ status: "cancelled", reason: "cancelled by rita@revenue.example" });
        expect((await harness.lake.current(db, "shop.copy", "orders-copy"))?.version).toBe(1);
        // Its OpenLineage event says it was stopped, not that it failed.
        const { rows } = await db.query<{ payload: { eventType: string; run: { facets: Json } } }>(
          "SELECT payload FROM events WHERE type = 'lineage.run' AND subject = 'shop.copy' ORDER BY id DESC LIMIT 1",
        );
        expect(rows[0]?.payload.eventType).toBe("ABORT");
        expect(rows[0]?.payload.run.facets.errorMessage.message).toBe("cancelled by rita@revenue.example");
      });
    });

    describe("running: cancellation, retries, limits", () => {
      /** Orders joined with themselves `n` times: as slow (or as big) as a test needs. */
      const heavy = (n: number) => `apiVersion: quanta/v1
kind: Pipeline
LIMITS
outputs:
  - port: revenue
    steps:
      - name: totals
        sql: SELECT count(*)::BIGINT AS orders, sum(o0.amount) AS revenue, min(o0.customer_email) AS sample_email FROM ${Array.from({ length: n }, (_, i) => `orders o${i}`).join(", ")}
`;
      let version = 0;
      const publish = async (pipeline: string) => {
        await registry.publish({ files: revenueFiles({ version: `2.${++version}.0`, pipeline }) });
        return `2.${version}.0`;
      };
      const enqueue = (v: string) => new PipelineService(db, harness.lake).enqueue("shop.revenue", v, "manual", "test");
      const detail = async (id: number) =>
        (await call("GET", `/api/products/shop.revenue/pipeline/runs/${id}`, revenueOwner)).body;
      const job = (id: number) => new JobQueue(db).byKey(pipelineRunJobKey(id));
      /** Lets the worker run due jobs until run `id` had one more attempt (downstream runs it queued may come first). */
      const work = async (id: number) => {
        const before = (await new PipelineRunStore(db).get("shop.revenue", id))?.attempt ?? 0;
        for (let i = 0; i < 10; i++) {
          await worker.runOne([pipelineRunKind]);
          if (((await new PipelineRunStore(db).get("shop.revenue", id))?.attempt ?? 0) > before) return;
        }
        throw new Error(`run ${id} never ran`);
      };

      beforeAll(async () => {
        // Jobs the earlier tests left due (runs they ran directly, a scheduled run) go first.
        await worker.drain();
      });

      it("cancels a queued run at once: its job never runs it; audited, with an event", async () => {
        const v = await publish(revenuePipeline());
        const queued = await enqueue(v);
        expect(
          (await call("POST", `/api/products/shop.revenue/pipeline/runs/${queued.id}/cancel`, stranger)).status,
        ).toBe(403);
        const cancelled = await call(
          "POST",
          `/api/products/shop.revenue/pipeline/runs/${queued.id}/cancel`,
          revenueOwner,
        );
        expect(cancelled.status).toBe(200);
        expect(cancelled.body).toMatchObject({
          status: "cancelled",
          cancelledBy: "rita@revenue.example",
          reason: "cancelled by rita@revenue.example before it started",
        });
        expect(await job(queued.id)).toMatchObject({ status: "done", result: { cancelledBy: "rita@revenue.example" } });
        expect(await worker.runOne([pipelineRunKind])).toBe(false);
        const again = await call("POST", `/api/products/shop.revenue/pipeline/runs/${queued.id}/cancel`, revenueOwner);
        expect(again.status).toBe(409);
        const audit = await new AuditLog(db).list({ productId: "shop.revenue" });
        expect(audit.find((a) => a.action === "pipeline.cancel")).toMatchObject({ actor: "rita@revenue.example" });
        const events = await new EventLog(db).list({ subject: "shop.revenue", limit: 1000 });
        expect(events.some((e) => e.type === "pipeline.cancelled" && e.payload.run === queued.id)).toBe(true);
      });

      it("stops a running run promptly when cancelled from elsewhere; its staged version never becomes current", async () => {
        const before = await current();
        const v = await publish(heavy(8).replace("LIMITS\n", ""));
        const queued = await enqueue(v);
        const running = work(queued.id);
        // Wait until the build runs (its version is staged), then cancel, as any replica would.
        for (let i = 0; i < 200; i++) {
          const lines = await new PipelineRunStore(db).logs(queued.id);
          if (lines.some((l) => l.message.includes("staged version"))) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await new Promise((r) => setTimeout(r, 100));
        const asked = Date.now();
        const flagged = await call(
          "POST",
          `/api/products/shop.revenue/pipeline/runs/${queued.id}/cancel`,
          revenueOwner,
        );
        expect(flagged.body).toMatchObject({ status: "running", cancelledBy: "rita@revenue.example" });
        await running;
        expect(Date.now() - asked).toBeLessThan(5_000);
        const r = await detail(queued.id);
        expect(r).toMatchObject({ status: "cancelled", cancelledBy: "rita@revenue.example" });
        expect(r.reason).toBe("cancelled by rita@revenue.example");
        expect(r.steps.map((s: Json) => [s.name, s.status])).toEqual([["totals", "failed"]]);
        expect(await current()).toBe(before);
        const staged = await harness.lake.versions.byVersion(db, "shop.revenue", "revenue", r.outputs[0].version);
        expect(staged?.state).toBe("failed");
        const events = await new EventLog(db).list({ subject: "shop.revenue", limit: 1000 });
        expect(
          events.find((e) => e.type === "pipeline.cancelled" && e.payload.run === queued.id)?.payload,
        ).toMatchObject({ cancelledBy: "rita@revenue.example" });
      });

      it("gives a running run back when its server stops: nothing published, the next worker runs it again", async () => {
        const before = await current();
        const v = await publish(heavy(8).replace("LIMITS\n", ""));
        const queued = await enqueue(v);
        const stopping = new JobWorker(new JobQueue(db), {
          handlers: {
            [pipelineRunKind]: pipelineRunHandler(db, locator, { ...defaultPipelineRunLimits, cancelPollMs: 50 }),
          },
          idleMs: 20_000,
        });
        stopping.start();
        for (let i = 0; i < 200; i++) {
          if ((await new PipelineRunStore(db).logs(queued.id)).some((l) => l.message.includes("staged version"))) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await new Promise((r) => setTimeout(r, 100));
        const asked = Date.now();
        await stopping.stop();
        expect(Date.now() - asked).toBeLessThan(5_000);
        const given = await detail(queued.id);
        expect(given.status).toBe("running");
        expect((await job(queued.id))?.status).toBe("queued");
        expect(await current()).toBe(before);
        const [staged] = await harness.lake.versions.history(db, "shop.revenue", "revenue", { limit: 1 });
        expect(staged).toMatchObject({ state: "failed", source: "pipeline" });
        // A quick pipeline by now: the next worker takes the run again, with the stopped attempt on record.
        await publish(revenuePipeline());
        await work(queued.id);
        const r = await detail(queued.id);
        expect(r).toMatchObject({ status: "succeeded", attempt: 2 });
        expect(r.attempts[0]).toMatchObject({ attempt: 1, reason: expect.stringContaining("stopped mid-run") });
      });

      it("retries a run whose input could not be read, after its backoff, each attempt on record", async () => {
        const v = await publish(
          revenuePipeline().replace("kind: Pipeline\n", "kind: Pipeline\nretries: { attempts: 2, backoff: 1s }\n"),
        );
        const data = join(shop.folder, "data", "orders.parquet");
        await rename(data, `${data}.away`);
        const queued = await enqueue(v);
        expect((await job(queued.id))?.maxAttempts).toBe(3);
        try {
          await work(queued.id);
        } finally {
          await rename(`${data}.away`, data);
        }
        const first = await detail(queued.id);
        expect(first).toMatchObject({ status: "queued", attempt: 1 });
        expect(first.attempts).toEqual([
          expect.objectContaining({
            attempt: 1,
            transient: true,
            reason: expect.stringContaining('dataset "orders" cannot be read'),
          }),
        ]);
        const retryJob = await job(queued.id);
        expect(retryJob?.status).toBe("queued");
        const wait = Date.parse(retryJob?.runAt ?? "") - Date.parse(first.attempts[0].endedAt);
        expect(wait).toBeGreaterThan(500);
        await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(retryJob?.runAt ?? "") - Date.now()) + 50));
        await work(queued.id);
        const second = await detail(queued.id);
        expect(second).toMatchObject({ status: "succeeded", attempt: 2, reason: null });
        const logs = (await new PipelineRunStore(db).logs(queued.id)).map((l) => l.message).join("\n");
        expect(logs).toContain("attempt 1 of 2 failed for a transient reason; attempt 2 in 1 s");
      });

      it("does not retry a run whose SQL is wrong, and retries one whose worker died", async () => {
        const retrying = "kind: Pipeline\nretries: { attempts: 3, backoff: 1s }\n";
        const v = await publish(
          revenuePipeline().replace("kind: Pipeline\n", retrying).replace("sum(amount)", "sum(amount / 'x')"),
        );
        const wrong = await enqueue(v);
        await work(wrong.id);
        expect(await detail(wrong.id)).toMatchObject({ status: "failed", attempt: 1, attempts: [] });
        expect((await job(wrong.id))?.status).toBe("done");

        const good = await publish(revenuePipeline().replace("kind: Pipeline\n", retrying));
        const dies = await enqueue(good);
        // A worker claims the job with a short lease, starts the run and dies (never heartbeats).
        const queue = new JobQueue(db);
        expect(await queue.claim("dead-worker", [pipelineRunKind], 50)).toBeDefined();
        await new PipelineRunStore(db).start(dies.id);
        await new Promise((r) => setTimeout(r, 100));
        await work(dies.id);
        const r = await detail(dies.id);
        expect(r).toMatchObject({ status: "succeeded", attempt: 2 });
        expect(r.attempts).toEqual([
          expect.objectContaining({ attempt: 1, transient: true, reason: expect.stringContaining("stopped mid-run") }),
        ]);
      });

      it("enforces a pipeline's memory and time limits, with a clear reason", async () => {
        const before = await current();
        const v = await publish(
          heavy(4)
            .replace("LIMITS", "limits: { memory: 1MB, threads: 1 }")
            .replace(
              "min(o0.customer_email) AS sample_email",
              "left(string_agg(o1.customer_email || o2.customer_email, ',' ORDER BY o3.amount, o2.amount), 3) AS sample_email",
            ),
        );
        const small = await enqueue(v);
        await work(small.id);
        const r = await detail(small.id);
        expect(r.status).toBe("failed");
        expect(r.reason).toContain("the run ran out of its DuckDB memory limit of 1MB (limits.memory in pipeline.yaml");
        expect(await current()).toBe(before);

        const slow = await publish(heavy(9).replace("LIMITS", "limits: { timeout: 1s, threads: 8 }"));
        const timed = await enqueue(slow);
        await work(timed.id);
        const t = await detail(timed.id);
        expect(t.status).toBe("failed");
        expect(t.reason).toContain("the run's time limit of 1 s was reached (limits.timeout)");
        const logs = (await new PipelineRunStore(db).logs(timed.id)).map((l) => l.message).join("\n");
        expect(logs).toContain("limits: memory 2GB, 2 thread(s), 1 s (lowered to the server's: threads 8 → 2)");
        expect(await current()).toBe(before);
      });
    });

    describe("backfill", () => {
      const dailyOdps = (version: string) => `apiVersion: v1.0.0
kind: DataProduct
id: shop.daily
name: Shop daily
version: ${version}
status: active
domain: shop
description:
  purpose: Daily order totals, built from the shop's own totals port, for the backfill tests.
inputPorts:
  - name: totals
    version: 1.0.0
    contractId: shop.orders.totals
outputPorts:
  - name: daily
    type: tables
    version: 1.0.0
    contractId: shop.daily.daily
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
      const dailyOdcs = `apiVersion: v3.1.0
kind: DataContract
id: shop.daily.daily
name: Daily
version: 1.0.0
status: active
description:
  purpose: Order totals per day, for the backfill tests.
schema:
  - name: daily
    properties:
      - name: day
        logicalType: date
        classification: internal
        required: true
      - name: total
        logicalType: number
        classification: internal
`;
      const dailyPipeline = (select: string, partition = "    partition: { column: day }\n") => `apiVersion: quanta/v1
kind: Pipeline
outputs:
  - port: daily
${partition}    steps:
      - name: daily
        sql: ${select}
`;
      const publishDaily = (version: string, pipeline: string) =>
        registry.publish({
          files: [
            { path: "daily.odps.yaml", text: dailyOdps(version) },
            { path: "contracts/daily.odcs.yaml", text: dailyOdcs },
            { path: "pipeline.yaml", text: pipeline },
          ],
        });
      const backfill = async (body?: unknown) => {
        const queued = await call("POST", "/api/products/shop.daily/pipeline/runs", shopOwner, body);
        if (queued.status !== 202) return queued;
        for (let i = 0; i < 10; i++) {
          await worker.runOne([pipelineRunKind]);
          const r = await call("GET", `/api/products/shop.daily/pipeline/runs/${queued.body.id}`, shopOwner);
          if (r.body.status !== "queued" && r.body.status !== "running") return r;
        }
        throw new Error("the run never ran");
      };
      const rows = async () =>
        (
          await call("POST", "/api/products/shop.daily/consume", shopOwner, {
            port: "daily",
            sql: "SELECT day::VARCHAR AS day, total FROM daily ORDER BY day",
            format: "json",
          })
        ).body.rows;

      it("replaces only the range: a new version of the previous rows outside it and the run's rows inside", async () => {
        await worker.drain();
        await publishDaily(
          "1.0.0",
          dailyPipeline("SELECT day, total FROM totals WHERE day BETWEEN {{from}} AND {{to}}"),
        );
        const full = await backfill();
        expect(full.body).toMatchObject({ status: "succeeded", params: null });
        expect(await rows()).toEqual([
          { day: "2024-01-01", total: 0 },
          { day: "2024-01-02", total: 100 },
          { day: "2024-01-03", total: 200 },
          { day: "2024-01-04", total: 300 },
          { day: "2024-01-05", total: 400 },
        ]);
        // The totals are restated: a backfill of two days takes the new figures for those days only.
        await publishDaily(
          "1.1.0",
          dailyPipeline("SELECT day, total + 1 AS total FROM totals WHERE day BETWEEN {{from}} AND {{to}}"),
        );
        const r = await backfill({ from: "2024-01-02", to: "2024-01-03" });
        expect(r.body).toMatchObject({ status: "succeeded", params: { from: "2024-01-02", to: "2024-01-03" } });
        expect(r.body.outputs[0]).toMatchObject({ version: 2, previous: 1, published: true, rowsOut: 2 });
        expect(await rows()).toEqual([
          { day: "2024-01-01", total: 0 },
          { day: "2024-01-02", total: 101 },
          { day: "2024-01-03", total: 201 },
          { day: "2024-01-04", total: 300 },
          { day: "2024-01-05", total: 400 },
        ]);
        // Version 1 is untouched (immutable); version 2 lists the kept rows' file and the run's.
        const v1 = await harness.lake.versions.byVersion(db, "shop.daily", "daily", 1);
        const v2 = await harness.lake.versions.byVersion(db, "shop.daily", "daily", 2);
        expect(v1?.datasets[0]?.rows).toBe(5);
        expect(v2?.datasets[0]).toMatchObject({ rows: 5 });
        expect(v2?.datasets[0]?.files).toHaveLength(2);
        const logs = (await new PipelineRunStore(db).logs(r.body.id)).map((l) => l.message).join("\n");
        expect(logs).toContain("a backfill of 2024-01-02 to 2024-01-03");
      });

      it("refuses a backfill whose rows leave its range, one without a partition column, and a range backwards", async () => {
        await publishDaily("1.2.0", dailyPipeline("SELECT day, total FROM totals"));
        const loose = await backfill({ from: "2024-01-02", to: "2024-01-03" });
        expect(loose.body.status).toBe("failed");
        expect(loose.body.reason).toContain(
          "3 of the backfill's 5 row(s) have a day outside 2024-01-02 to 2024-01-03; a backfill's steps keep to its range",
        );
        expect((await harness.lake.current(db, "shop.daily", "daily"))?.version).toBe(2);
        await publishDaily("1.3.0", dailyPipeline("SELECT day, total FROM totals", ""));
        const unpartitioned = await backfill({ from: "2024-01-02", to: "2024-01-03" });
        expect(unpartitioned.status).toBe(422);
        expect(unpartitioned.body.error.message).toContain("declares no partition column");
        const backwards = await backfill({ from: "2024-01-03", to: "2024-01-02" });
        expect(backwards.status).toBe(422);
      });

      it("appends only rows newer than the watermark: previous files plus the new one", async () => {
        const incremental = (select: string) => dailyPipeline(select, "    incremental: { watermark: day }\n");
        await publishDaily("1.4.0", incremental("SELECT day, total FROM totals WHERE day > {{watermark}}"));
        const none = await backfill();
        expect(none.body).toMatchObject({ status: "succeeded", reason: null });
        expect(none.body.outputs[0]).toMatchObject({ version: null, published: false, previous: 2, rowsOut: 0 });
        const noneLogs = (await new PipelineRunStore(db).logs(none.body.id)).map((l) => l.message).join("\n");
        expect(noneLogs).toContain("reading rows with day after 2024-01-05");
        expect(noneLogs).toContain("no rows with day after 2024-01-05; version 2 stays current");
        // Two more days arrive upstream (an append-only port).
        await writeData(
          join(shop.folder, "data", "totals.parquet"),
          "SELECT DATE '2024-01-01' + i::INTEGER AS day, (i * 100)::DOUBLE AS total FROM range(7) t(i)",
        );
        const appended = await backfill();
        expect(appended.body).toMatchObject({ status: "succeeded" });
        expect(appended.body.outputs[0]).toMatchObject({ published: true, previous: 2, rowsOut: 2 });
        const version = await harness.lake.versions.byVersion(
          db,
          "shop.daily",
          "daily",
          appended.body.outputs[0].version,
        );
        expect(version?.datasets[0]).toMatchObject({ rows: 7 });
        expect(version?.datasets[0]?.files).toHaveLength(3);
        expect((await rows()).map((r: Json) => r.day)).toEqual([
          "2024-01-01",
          "2024-01-02",
          "2024-01-03",
          "2024-01-04",
          "2024-01-05",
          "2024-01-06",
          "2024-01-07",
        ]);
        // A step that ignores the watermark would add rows twice: refused, the current version stays.
        await publishDaily("1.5.0", incremental("SELECT day, total FROM totals"));
        const twice = await backfill();
        expect(twice.body.status).toBe("failed");
        expect(twice.body.reason).toContain(
          "7 of the run's 7 row(s) have a day not after the watermark 2024-01-07 (or none); an incremental run appends only newer rows",
        );
        expect((await harness.lake.current(db, "shop.daily", "daily"))?.version).toBe(appended.body.outputs[0].version);
      });
    });

    describe("upstream trigger latency", () => {
      it("starts a downstream run within two seconds of the upstream publish, woken rather than polled", async () => {
        await registry.publish({ files: revenueFiles({ version: "3.0.0" }) });
        // Earlier tests' leftovers (downstream runs they queued) out of the way first.
        await new Promise((r) => setTimeout(r, 400));
        await worker.drain();
        const live = new JobWorker(new JobQueue(db), {
          handlers: { [pipelineRunKind]: pipelineRunHandler(db, locator) },
          // A poll this slow would miss the goal: the worker starts the run because it is woken.
          idleMs: 20_000,
        });
        live.start();
        try {
          const upstream = await new PipelineService(db, harness.lake).enqueue(
            "shop.revenue",
            "3.0.0",
            "manual",
            "test",
          );
          const runs = new PipelineRunStore(db);
          const done = async () => (await runs.get("shop.revenue", upstream.id))?.status === "succeeded";
          for (let i = 0; i < 200 && !(await done()); i++) await new Promise((r) => setTimeout(r, 25));
          const published = (await runs.get("shop.revenue", upstream.id))?.finishedAt as string;
          let downstream: Json | undefined;
          for (let i = 0; i < 200 && !downstream?.startedAt; i++) {
            downstream = (await runs.list("shop.report", 5)).find(
              (r) => r.trigger === "upstream" && Date.parse(r.createdAt) >= Date.parse(published) - 1_000,
            );
            await new Promise((r) => setTimeout(r, 25));
          }
          expect(downstream?.startedAt).toBeTruthy();
          expect(Date.parse(downstream?.startedAt) - Date.parse(published)).toBeLessThan(2_000);
        } finally {
          await live.stop();
        }
      });
    });

    describe("policies on data", () => {
      it("lets a blocking on: data rule keep a tested version from becoming current", async () => {
        const policies = new PolicyStore(db);
        const set = (version: string, severity: string) => `apiVersion: quanta/v1
kind: PolicySet
name: revenue-data
version: ${version}
rules:
  - id: no-revenue-yet
    severity: ${severity}
    on: data
    cel: "data.port != 'revenue'"
    message: revenue is not published while the books are closed
`;
        await policies.apply(set("1.0.0", "blocking"), "revenue-data.yaml", "test");
        try {
          const before = await current();
          // Run it here: the queue may hold other products' runs the earlier tests left.
          const product = await new ProductRepository(db).current("shop.revenue");
          const queued = await new PipelineService(db, harness.lake).enqueue(
            "shop.revenue",
            product?.version ?? "",
            "manual",
            "test",
          );
          await runPipeline(db, locator, queued.id, "shop.revenue");
          const r = (await call("GET", `/api/products/shop.revenue/pipeline/runs/${queued.id}`, revenueOwner)).body;
          expect(r.status).toBe("failed");
          expect(r.reason).toMatch(
            /refused by policy .*no-revenue-yet \(revenue is not published while the books are closed\).*stays current$/,
          );
          expect(r.outputs[0]).toMatchObject({ published: false, tests: { status: "passed" } });
          expect(await current()).toBe(before);
          const [latest] = await harness.lake.versions.history(db, "shop.revenue", "revenue", { limit: 1 });
          expect(latest?.state).toBe("failed");
        } finally {
          await policies.apply(set("1.0.1", "advisory"), "revenue-data.yaml", "test");
        }
      });
    });
  });
}
