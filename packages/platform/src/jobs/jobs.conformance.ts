import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishEvent } from "../events/publish-event.js";
import { DataLocator } from "../harness/data-locator.js";
import { writeSensorProducts } from "../harness/harness-fixtures.js";
import { LifecycleStore } from "../harness/lifecycle-store.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { webhookDelivery, webhookDeliveryKind } from "../webhooks/webhook-service.js";
import { type ContractTestPayload, contractTestKind, runContractTest } from "./contract-test.js";
import { JobQueue } from "./job-queue.js";
import { ContractTestScheduler } from "./scheduler.js";
import { slowRule, writeSlowProduct } from "./slow-product.test-helpers.js";
import { TestRunRepository } from "./test-run-repository.js";
import { JobWorker, RetryJob } from "./worker.js";

export interface JobsTarget {
  open(): Promise<Database>;
  /** Another connection pool to the same store (a second replica); only PostgreSQL has one. */
  openReplica?: () => Promise<Database>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` answers something truthy (or `ms` passed) and returns the answer. */
async function until<T>(probe: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let answer = await probe();
  while (!answer && Date.now() < deadline) {
    await sleep(20);
    answer = await probe();
  }
  return answer;
}

/** The job queue, scheduler and contract test job, run on every storage driver. */
export function jobsConformance(name: string, target: JobsTarget): void {
  describe(`jobs on ${name}`, () => {
    let db: Database;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    let locator: DataLocator;
    beforeAll(async () => {
      db = await target.open();
      fixture = await writeSensorProducts(2_000);
      const registry = new Registry(db);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      locator = new DataLocator(fixture.root);
      locator.setFolder("test.sensors", fixture.sensorsDir);
    });
    afterAll(async () => {
      await db?.close();
    });

    it("enqueues a key once, whoever asks", async () => {
      const q = new JobQueue(db);
      const a = await q.enqueue({ kind: "k1", key: "once", payload: { n: 1 } });
      const b = await q.enqueue({ kind: "k1", key: "once", payload: { n: 2 } });
      expect(a.created).toBe(true);
      expect(b).toMatchObject({ created: false, job: { id: a.job.id, payload: { n: 1 } } });
    });

    it("claims due jobs only, each by one worker, and lets only the holder finish it", async () => {
      const q = new JobQueue(db);
      const due = await q.enqueue({ kind: "k2" });
      await q.enqueue({ kind: "k2", runAt: new Date(Date.now() + 3_600_000) });
      const first = await q.claim("w1", ["k2"], 60_000);
      expect(first).toMatchObject({ id: due.job.id, status: "running", attempts: 1, lockedBy: "w1" });
      expect(await q.claim("w2", ["k2"], 60_000)).toBeUndefined();
      expect(await q.complete(due.job.id, "w2")).toBe(false);
      expect(await q.complete(due.job.id, "w1", { ok: true })).toBe(true);
      expect(await q.get(due.job.id)).toMatchObject({ status: "done", result: { ok: true }, lockedBy: null });
    });

    it("retries a failed job with backoff, then fails it for good", async () => {
      const q = new JobQueue(db, { backoffBaseMs: 1 });
      const { job } = await q.enqueue({ kind: "k3", maxAttempts: 2 });
      await q.claim("w", ["k3"], 60_000);
      expect(await q.fail(job.id, "w", "boom 1")).toBe("queued");
      await sleep(20);
      expect(await q.claim("w", ["k3"], 60_000)).toMatchObject({ attempts: 2 });
      expect(await q.fail(job.id, "w", "boom 2")).toBe("failed");
      expect(await q.get(job.id)).toMatchObject({ status: "failed", lastError: "boom 2", attempts: 2 });
      await sleep(20);
      expect(await q.claim("w", ["k3"], 60_000)).toBeUndefined();
    });

    it("gives a job whose lease expired to another worker; the first can no longer finish it", async () => {
      const q = new JobQueue(db);
      const { job } = await q.enqueue({ kind: "k4" });
      await q.claim("dead", ["k4"], 50);
      await sleep(120);
      const taken = await q.claim("alive", ["k4"], 60_000);
      expect(taken).toMatchObject({ id: job.id, attempts: 2, lockedBy: "alive" });
      expect(await q.heartbeat(job.id, "dead", 60_000)).toBe(false);
      expect(await q.complete(job.id, "dead")).toBe(false);
      expect(await q.complete(job.id, "alive")).toBe(true);
    });

    it("gives a job back to the queue for the next worker, without using up an attempt", async () => {
      const q = new JobQueue(db);
      const { job } = await q.enqueue({ kind: "k6" });
      await q.claim("w1", ["k6"], 60_000);
      expect(await q.release(job.id, "w2")).toBe(false);
      expect(await q.release(job.id, "w1")).toBe(true);
      expect(await q.get(job.id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
      expect(await q.claim("w2", ["k6"], 60_000)).toMatchObject({ id: job.id, attempts: 1, lockedBy: "w2" });
    });

    it("runs other kinds of jobs while a long one runs, and stops within its bound", async () => {
      const q = new JobQueue(db);
      let started = false;
      const worker = new JobWorker(q, {
        idleMs: 20,
        handlers: {
          // Ignores its signal: stop must not wait for it longer than its bound.
          long: async () => {
            started = true;
            await sleep(20_000);
          },
          quick: async () => "done",
        },
      });
      const { job: long } = await q.enqueue({ kind: "long" });
      worker.start();
      try {
        await until(async () => started);
        const { job: quick } = await q.enqueue({ kind: "quick" });
        worker.poke();
        expect(await until(async () => (await q.get(quick.id))?.status === "done", 3_000)).toBe(true);
        expect(await q.get(long.id)).toMatchObject({ status: "running" });
      } finally {
        const stopping = Date.now();
        await worker.stop(300);
        expect(Date.now() - stopping).toBeLessThan(2_000);
      }
      // Given back: the next worker runs it at once.
      expect(await q.get(long.id)).toMatchObject({ status: "queued", attempts: 0 });
      expect(await new JobQueue(db).claim("next", ["long"], 60_000)).toMatchObject({ id: long.id, attempts: 1 });
    });

    it("runs jobs in a worker: results stored, a throwing handler retried", async () => {
      const q = new JobQueue(db, { backoffBaseMs: 1 });
      let calls = 0;
      const worker = new JobWorker(q, {
        handlers: {
          k5: async (job) => {
            calls++;
            if (job.attempts === 1) throw new Error("transient");
            return { attempt: job.attempts };
          },
        },
      });
      const { job } = await q.enqueue({ kind: "k5" });
      await worker.drain();
      await sleep(20);
      await worker.drain();
      expect(calls).toBe(2);
      expect(await q.get(job.id)).toMatchObject({ status: "done", result: { attempt: 2 } });
    });

    it("wakes an idle worker when a job this process enqueued falls due, without waiting for its poll", async () => {
      const ran: number[] = [];
      const worker = new JobWorker(new JobQueue(db), {
        handlers: { wake: async () => ran.push(Date.now()) },
        idleMs: 30_000,
      });
      worker.start();
      try {
        await sleep(50);
        const due = Date.now() + 200;
        await new JobQueue(db).enqueue({ kind: "wake", runAt: new Date(due) });
        await until(async () => ran.length > 0, 5_000);
        expect(ran).toHaveLength(1);
        expect((ran[0] as number) - due).toBeLessThan(1_000);
      } finally {
        await worker.stop();
      }
    });

    it("lets a handler choose its retry delay, and calls off a waiting job", async () => {
      const q = new JobQueue(db);
      const worker = new JobWorker(q, {
        handlers: {
          later: async () => {
            throw new RetryJob("not yet", 60_000);
          },
        },
      });
      const { job } = await q.enqueue({ kind: "later", key: "later-1", maxAttempts: 3 });
      expect(await worker.runOne(["later"])).toBe(true);
      const retried = await q.get(job.id);
      expect(retried).toMatchObject({ status: "queued", lastError: "not yet" });
      expect(Date.parse(retried?.runAt ?? "") - Date.now()).toBeGreaterThan(50_000);
      expect(await q.cancel("later-1", { cancelledBy: "test" })).toBe(true);
      expect(await q.get(job.id)).toMatchObject({ status: "done", result: { cancelledBy: "test" } });
      expect(await q.cancel("later-1", null)).toBe(false);
    });

    it("tests a port's contract and stores the run, its checks and an event", async () => {
      const outcome = await runContractTest(db, locator, {
        productId: "test.sensors",
        port: "readings",
        trigger: "test",
      });
      expect(outcome).toMatchObject({ status: "passed" });
      const { rows } = await db.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM check_results WHERE run_id = $1 GROUP BY status ORDER BY status",
        [outcome.runId],
      );
      expect(rows).toEqual([{ status: "passed", n: outcome.checks }]);
      const events = await new Registry(db).events({ subject: "test.sensors" });
      expect(events.at(-1)).toMatchObject({
        type: "contract.tested",
        payload: { port: "readings", status: "passed", runId: outcome.runId, trigger: "test" },
      });
    });

    it("records an error run when the data cannot be read (no product folder)", async () => {
      const elsewhere = new DataLocator(fixture.root); // no folder registered: files are not there
      const outcome = await runContractTest(db, elsewhere, { productId: "test.sensors", port: "readings" });
      expect(outcome.status).toBe("error");
    });

    it("schedules each active port once per slot, even from two schedulers at once", async () => {
      const q = new JobQueue(db);
      const life = new LifecycleStore(db);
      const s1 = new ContractTestScheduler(db, q, life);
      const s2 = new ContractTestScheduler(db, q, life);
      const now = new Date("2030-01-01T07:30:00Z");
      const created = await Promise.all([s1.tick(now), s2.tick(now), s1.tick(now)]);
      expect(created.reduce((a, b) => a + b, 0)).toBe(1); // only test.sensors/readings has a local server
      const jobs = await q.list({ kind: "contract-test" });
      expect(jobs.map((j) => j.key)).toContain("contract-test:test.sensors:readings:2030-01-01T06:00:00.000Z");
      // The next slot (6 h later) is a new job; a paused product gets none.
      expect(await s1.tick(new Date("2030-01-01T12:00:00Z"))).toBe(1);
      await life.apply("test.sensors", "pause", undefined, "test");
      expect(await s1.tick(new Date("2030-01-01T18:00:00Z"))).toBe(0);
      await life.apply("test.sensors", "resume", undefined, "test");
      // An owner's schedule wins over the SLA's.
      await life.apply("test.sensors", "configure", { testSchedule: "0 0 * * *" }, "test");
      expect((await s1.testablePorts())[0]?.schedule).toMatchObject({ kind: "cron", text: "0 0 * * *" });
      await life.apply("test.sensors", "configure", { testSchedule: "6 h" }, "test");
    });

    it("testNow takes the current slot, so the next tick does not test the port twice", async () => {
      const q = new JobQueue(db);
      const s = new ContractTestScheduler(db, q, new LifecycleStore(db));
      const now = new Date("2031-05-05T01:00:00Z");
      expect(await s.testNow(["test.sensors"], "start", now)).toBe(1);
      expect(await s.tick(now)).toBe(0);
      expect(await s.testNow(["test.sensors"], "start", now)).toBe(1); // asked again: a run of its own
    });

    describe("a contract test that takes long", () => {
      const runs = () => new TestRunRepository(db);
      const runOf = async (id: number) =>
        (
          await db.query<{ status: string; reason: string | null }>(
            "SELECT status, reason FROM test_runs WHERE id = $1",
            [id],
          )
        ).rows[0];
      const checkOf = async (runId: number, type: string) =>
        (
          await db.query<{ status: string; reason: string | null; sql: string | null }>(
            "SELECT status, reason, sql FROM check_results WHERE run_id = $1 AND check_id LIKE '%.' || $2",
            [runId, type],
          )
        ).rows;
      const slow: ContractTestPayload = { productId: "test.slow", port: "readings", trigger: "test" };
      beforeAll(async () => {
        const product = await writeSlowProduct(fixture);
        await new Registry(db).publish({ files: product.files });
        locator.setFolder("test.slow", product.dir);
      });

      it("ends a SQL rule over its time limit as error, and the run goes on", async () => {
        const started = Date.now();
        const outcome = await runContractTest(db, locator, slow, { limits: { checkTimeoutMs: 200 } });
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(outcome.status).toBe("error");
        expect(await checkOf(outcome.runId, "sql")).toEqual([
          { status: "error", reason: "timed out after 0.2 s", sql: slowRule },
        ]);
        const { rows } = await db.query<{ status: string; n: number }>(
          "SELECT status, count(*)::int AS n FROM check_results WHERE run_id = $1 GROUP BY status ORDER BY status",
          [outcome.runId],
        );
        expect(rows).toEqual([
          { status: "error", n: 1 },
          { status: "passed", n: outcome.checks - 1 },
        ]);
      });

      it("delivers webhooks while it runs; stopping interrupts it, abandons its run and gives the job back", async () => {
        const received: string[] = [];
        const receiver: Server = createServer((req, res) => {
          let body = "";
          req.on("data", (d: Buffer) => {
            body += d.toString();
          });
          req.on("end", () => {
            received.push(body);
            res.writeHead(204).end();
          });
        });
        await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
        await db.query("INSERT INTO teams (id, name) VALUES ('hooks', 'Hooks') ON CONFLICT (id) DO NOTHING");
        await db.query("INSERT INTO webhooks (id, team_id, url, secret) VALUES ('whk_jobs', 'hooks', $1, NULL)", [url]);
        const q = new JobQueue(db);
        const worker = new JobWorker(q, {
          idleMs: 20,
          handlers: {
            [contractTestKind]: (job, signal) =>
              runContractTest(db, locator, job.payload as unknown as ContractTestPayload, {
                signal,
                job,
                limits: { checkTimeoutMs: 60_000 },
              }),
            [webhookDeliveryKind]: webhookDelivery(db),
          },
        });
        const { job } = await q.enqueue({ kind: contractTestKind, payload: { ...slow } });
        worker.start();
        try {
          const run = await until(async () => {
            const { rows } = await db.query<{ id: number }>(
              "SELECT id FROM test_runs WHERE job_id = $1 AND status = 'running'",
              [job.id],
            );
            return rows[0];
          });
          expect(run).toBeDefined();
          // The contract test holds its worker loop; the delivery has one of its own.
          await sleep(200);
          await publishEvent(db, { type: "test.ping", subject: "hooks" }, { teams: ["hooks"] });
          expect(await q.list({ kind: webhookDeliveryKind })).toHaveLength(1);
          worker.poke();
          // Run at once: delivered, or refused where the address policy keeps webhooks off loopback.
          const delivery = await until(async () => {
            const [d] = await q.list({ kind: webhookDeliveryKind });
            return d && d.attempts > 0 && d.status !== "running" ? d : undefined;
          }, 3_000);
          expect(delivery?.status === "done" ? received.length : delivery?.lastError).toBeTruthy();
          expect(await q.get(job.id)).toMatchObject({ status: "running" });

          const stopping = Date.now();
          await worker.stop(5_000);
          expect(Date.now() - stopping).toBeLessThan(3_000);
          expect(await q.get(job.id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
          expect(await runOf(Number(run?.id))).toEqual({
            status: "abandoned",
            reason: "stopped before it finished: the server is stopping",
          });
        } finally {
          await worker.stop(1_000);
          await new Promise((r) => receiver.close(r));
          await db.query("DELETE FROM jobs WHERE id = $1 OR kind = $2", [job.id, webhookDeliveryKind]);
        }
      });

      it("abandons the run of a dead worker when another worker takes its job over", async () => {
        const q = new JobQueue(db);
        const { job } = await q.enqueue({ kind: contractTestKind, payload: { ...slow } });
        const dead = await q.claim("dead", [contractTestKind], 50);
        const contract = { productId: "test.slow", contractId: "test.slow.readings", contractVersion: "1.0.0" };
        const left = await runs().start({ ...contract, job: { id: job.id, worker: "dead" } });
        expect(dead?.lockedBy).toBe("dead");
        await sleep(120);
        const taken = await q.claim("alive", [contractTestKind], 60_000);
        expect(taken).toMatchObject({ id: job.id, lockedBy: "alive" });
        const outcome = await runContractTest(db, locator, slow, {
          job: taken,
          limits: { checkTimeoutMs: 100 },
        });
        expect(await runOf(left.id)).toEqual({
          status: "abandoned",
          reason: "its worker stopped before the run finished; another worker took the job over",
        });
        expect((await runOf(outcome.runId))?.status).toBe("error"); // the slow rule timed out
      });

      it("abandons runs whose job lease lapsed in the scheduler's sweep, and only those", async () => {
        const q = new JobQueue(db, { backoffBaseMs: 1 });
        const contract = { productId: "test.slow", contractId: "test.slow.readings", contractVersion: "1.0.0" };
        const lapsed = await q.enqueue({ kind: "sweep-1" });
        await q.claim("gone", ["sweep-1"], 50);
        const lapsedRun = await runs().start({ ...contract, job: { id: lapsed.job.id, worker: "gone" } });
        const failed = await q.enqueue({ kind: "sweep-2", maxAttempts: 1 });
        await q.claim("gone", ["sweep-2"], 60_000);
        await q.fail(failed.job.id, "gone", "boom");
        const failedRun = await runs().start({ ...contract, job: { id: failed.job.id, worker: "gone" } });
        const live = await q.enqueue({ kind: "sweep-3" });
        await q.claim("here", ["sweep-3"], 60_000);
        const liveRun = await runs().start({ ...contract, job: { id: live.job.id, worker: "here" } });
        const noJob = await runs().start(contract);
        await sleep(120);
        await new ContractTestScheduler(db, q, new LifecycleStore(db)).tick(new Date("2032-01-01T00:00:00Z"));
        expect(await runOf(lapsedRun.id)).toEqual({
          status: "abandoned",
          reason: "its worker stopped answering: the job's lease expired",
        });
        expect(await runOf(failedRun.id)).toEqual({
          status: "abandoned",
          reason: "its worker stopped before the run finished; the job ended as failed",
        });
        expect(await runOf(liveRun.id)).toEqual({ status: "running", reason: null });
        expect(await runOf(noJob.id)).toEqual({ status: "running", reason: null });
        const history = await runs().latest("test.slow", 50);
        expect(history.find((r) => r.id === lapsedRun.id)).toMatchObject({ status: "abandoned" });
      });
    });

    it.skipIf(!target.openReplica)("never runs a job twice with workers on several replicas", async () => {
      const replicas = await Promise.all(
        Array.from({ length: 4 }, () => (target.openReplica as () => Promise<Database>)()),
      );
      try {
        const q = new JobQueue(db);
        const total = 120;
        for (let i = 0; i < total; i++) await q.enqueue({ kind: "race", payload: { i } });
        const runs = new Map<number, number>();
        const workers = replicas.flatMap((r, n) =>
          Array.from(
            { length: 2 },
            (_, k) =>
              new JobWorker(new JobQueue(r), {
                id: `replica-${n}-${k}`,
                concurrency: 3,
                idleMs: 20,
                handlers: {
                  race: async (job) => {
                    runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
                    await sleep(Math.random() * 5);
                    return null;
                  },
                },
              }),
          ),
        );
        for (const w of workers) w.start();
        // Wait for this test's own jobs: the queue's counts also hold the done jobs of earlier tests.
        const doneRaces = async () =>
          (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = 'race' AND status = 'done'"))
            .rows[0]?.n ?? 0;
        const deadline = Date.now() + 60_000;
        while ((await doneRaces()) < total && Date.now() < deadline) await sleep(50);
        await Promise.all(workers.map((w) => w.stop()));
        expect(await doneRaces()).toBe(total);
        expect(runs.size).toBe(total);
        expect([...runs.values()].every((n) => n === 1)).toBe(true);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });
  });
}
