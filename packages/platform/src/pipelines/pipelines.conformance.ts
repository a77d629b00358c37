import { rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ordersContract, writeShop } from "../access/access-fixtures.js";
import { AuditLog } from "../audit/audit-log.js";
import { EventLog } from "../audit/event-log.js";
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
import { PipelineRunStore } from "./pipeline-run-store.js";
import { PipelineScheduler, pipelineScheduleHandler, pipelineScheduleKind } from "./pipeline-scheduler.js";
import { type PipelineRunPayload, PipelineService, pipelineRunKind } from "./pipeline-service.js";
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
          [pipelineRunKind]: async (job) => {
            const p = job.payload as unknown as PipelineRunPayload;
            return runPipeline(db, locator, p.runId, p.productId);
          },
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
    });
  });
}
