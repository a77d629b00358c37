import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishEvent } from "../events/publish-event.js";
import { createApp } from "../http/create-app.js";
import { IdentityStore } from "../identity/identity-store.js";
import { TeamRepository } from "../identity/team-repository.js";
import { JobQueue } from "../jobs/job-queue.js";
import { JobWorker } from "../jobs/worker.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { WebhookAddressPolicy } from "./webhook-address.js";
import {
  WebhookService,
  webhookAttempts,
  webhookDelivery,
  webhookDeliveryConcurrency,
  webhookDeliveryKind,
  webhookSignature,
} from "./webhook-service.js";

// The receivers listen on loopback: these deliveries need the setting that allows it.
const loopbackAllowed = new WebhookAddressPolicy({ allowedNetworks: ["127.0.0.0/8"] });

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

let db: Database;
const servers: Server[] = [];

/** A receiver on loopback: `answer` decides each response (status, or never answering). */
async function receiver(
  answer: (req: IncomingMessage, res: ServerResponse, n: number) => void = (_q, res) => res.writeHead(204).end(),
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      answer(req, res, received.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  for (const id of ["ops", "slow", "fast", "down", "replay"]) await new TeamRepository(db).ensureTeam({ id, name: id });
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
  await db?.close();
});

/** Publishes one event for the team and runs its delivery jobs, one by one. */
async function deliver(team = "ops"): Promise<{ status: number }[]> {
  await publishEvent(
    db,
    { type: "agreement.approved", subject: "agr_1", payload: { agreement: "agr_1" } },
    { teams: [team] },
  );
  const queue = new JobQueue(db);
  const deliverOne = webhookDelivery(db, loopbackAllowed);
  const out: { status: number }[] = [];
  for (let job = await queue.claim("w", [webhookDeliveryKind], 10_000); job; ) {
    out.push(await deliverOne(job, new AbortController().signal));
    await queue.complete(job.id, "w");
    job = await queue.claim("w", [webhookDeliveryKind], 10_000);
  }
  return out;
}

const until = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("webhook deliveries", () => {
  it("are structured CloudEvents, signed with the secret shown once, and stop when the webhook is removed", async () => {
    const { url, received } = await receiver();
    const hooks = new WebhookService(db, loopbackAllowed);
    const hook = await hooks.register("ops", url, "ana");
    expect((await hooks.list("ops"))[0]).not.toHaveProperty("secret");

    expect(await deliver()).toEqual([{ status: 204 }]);
    const { headers, body } = received[0]!;
    expect(headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    const event = JSON.parse(body);
    expect(event).toMatchObject({
      specversion: "1.0",
      type: "dev.quanta.agreement.approved",
      source: "/quanta",
      subject: "agr_1",
      datacontenttype: "application/json",
      data: { agreement: "agr_1" },
    });
    expect(event.id).toMatch(/^\d+$/);
    expect(headers["x-quanta-event"]).toBe("agreement.approved");
    const id = String(headers["webhook-id"]);
    const at = Number(headers["webhook-timestamp"]);
    expect(headers["webhook-signature"]).toBe(webhookSignature(hook.secret, id, at, body));
    // A receiver holding another secret, or a changed body, does not get the same signature.
    expect(webhookSignature(`whsec_${Buffer.alloc(24, 1).toString("base64")}`, id, at, body)).not.toBe(
      headers["webhook-signature"],
    );
    expect(webhookSignature(hook.secret, id, at, `${body} `)).not.toBe(headers["webhook-signature"]);

    await hooks.remove("ops", hook.id, "ana");
    expect(await deliver()).toEqual([]);
    expect(received).toHaveLength(1);
  });

  it("reach a webhook queued before it was removed with nothing", async () => {
    const { url, received } = await receiver();
    const hooks = new WebhookService(db, loopbackAllowed);
    const hook = await hooks.register("ops", url, "ana");
    await publishEvent(db, { type: "agreement.rejected", subject: "agr_2" }, { teams: ["ops"] });
    await hooks.remove("ops", hook.id, "ana");
    const queue = new JobQueue(db);
    const job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    expect(job).toBeDefined();
    expect(await webhookDelivery(db, loopbackAllowed)(job!, new AbortController().signal)).toEqual({ status: 0 });
    await queue.complete(job!.id, "w");
    expect(received).toHaveLength(0);
  });

  it("a slow receiver times out and is retried, while other deliveries and the API go on", async () => {
    // The slow receiver never answers its first delivery; its retry is answered.
    const slow = await receiver((_q, res, n) => {
      if (n > 1) res.writeHead(204).end();
    });
    const fast = await receiver();
    const hooks = new WebhookService(db, loopbackAllowed);
    await hooks.register("slow", slow.url, "ana");
    await hooks.register("fast", fast.url, "ana");
    const queue = new JobQueue(db, { backoffBaseMs: 50 });
    const worker = new JobWorker(queue, {
      handlers: { [webhookDeliveryKind]: webhookDelivery(db, loopbackAllowed, { timeoutMs: 3_000 }) },
      kindConcurrency: { [webhookDeliveryKind]: webhookDeliveryConcurrency },
      idleMs: 20,
    });
    const app = createApp({ registry: new Registry(db), identity: new IdentityStore(db) });
    await publishEvent(db, { type: "incident.opened", subject: "shop.orders" }, { teams: ["slow"] });
    await publishEvent(db, { type: "incident.opened", subject: "shop.orders" }, { teams: ["fast"] });
    worker.start();
    try {
      await until("the slow receiver's first attempt", async () => slow.received[0]);
      // The fast receiver is served while the slow one hangs, and so is the API.
      const quick = await until("the fast delivery", async () => fast.received[0]);
      const health = Date.now();
      expect((await app.request("/api/health")).status).toBe(200);
      expect(Date.now() - health).toBeLessThan(1_000);
      // Delivered while the slow receiver still held its attempt (it times out after 3 s).
      expect(quick.at).toBeLessThan(slow.received[0]!.at + 3_000);
      const retried = await until("the retry", async () => slow.received[1]);
      // The retry came after the timeout (below), with the same webhook-id: the receiver can drop a duplicate.
      expect(retried.at).toBeGreaterThan(quick.at);
      expect(retried.headers["webhook-id"]).toBe(slow.received[0]!.headers["webhook-id"]);
      expect(retried.body).toBe(slow.received[0]!.body);
      const jobs = await until("both done", async () => {
        const all = (await queue.list({ kind: webhookDeliveryKind })).filter((j) =>
          ["slow", "fast"].includes(String(j.payload.team)),
        );
        return all.filter((j) => j.status === "done").length === 2 ? all : undefined;
      });
      const slowJob = jobs.find((j) => j.payload.team === "slow");
      expect(slowJob).toMatchObject({ status: "done", attempts: 2 });
      expect(slowJob?.lastError).toMatch(/aborted|timeout/i);
      expect(jobs.find((j) => j.payload.team === "fast")).toMatchObject({ status: "done", attempts: 1 });
    } finally {
      await worker.stop(2_000);
    }
  });

  it("a receiver that is down is retried with backoff, then given up, and that is recorded", async () => {
    // A port nobody listens on any more.
    const gone = await receiver();
    const server = servers.pop() as Server;
    await new Promise<void>((r) => server.close(() => r()));
    const hooks = new WebhookService(db, loopbackAllowed);
    await hooks.register("down", gone.url, "ana");
    const queue = new JobQueue(db, { backoffBaseMs: 100 });
    await publishEvent(db, { type: "incident.resolved", subject: "shop.orders" }, { teams: ["down"] });
    const deliverOne = webhookDelivery(db, loopbackAllowed, { timeoutMs: 1_000 });
    /** How far off each retry was set, when its attempt failed. */
    const delays: number[] = [];
    let tries = 0;
    for (let i = 0; i < 500; i++) {
      const job = await queue.claim("w", [webhookDeliveryKind], 10_000);
      if (job && job.payload.team !== "down") {
        await queue.complete(job.id, "w");
        continue;
      }
      if (!job) {
        const [j] = await queue.list({ kind: webhookDeliveryKind, status: "failed" });
        if (j) break;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      tries++;
      const error = await deliverOne(job, new AbortController().signal).then(
        () => "",
        (e: Error) => e.message,
      );
      expect(error).toMatch(/ECONNREFUSED/);
      if ((await queue.fail(job.id, "w", error)) === "queued") {
        delays.push(Date.parse(String((await queue.get(job.id))?.runAt)) - Date.now());
      }
    }
    expect(tries).toBe(webhookAttempts);
    // Backoff: 100 ms after the first failure, doubling each time.
    expect(delays).toHaveLength(webhookAttempts - 1);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThan(100 * 2 ** i - 80);
    });
    const [failed] = await queue.list({ kind: webhookDeliveryKind, status: "failed" });
    expect(failed).toMatchObject({ attempts: webhookAttempts, maxAttempts: webhookAttempts });
    expect(failed?.lastError).toMatch(/ECONNREFUSED/);
    expect(failed?.payload).toMatchObject({ team: "down", cloudEvent: { type: "dev.quanta.incident.resolved" } });
  });

  it("a replayed delivery keeps its webhook-id; distinct events differ and carry their feed position", async () => {
    const { url, received } = await receiver();
    const hooks = new WebhookService(db, loopbackAllowed);
    await hooks.register("replay", url, "ana");
    const first = await publishEvent(db, { type: "incident.opened", subject: "p" }, { teams: ["replay"] });
    const second = await publishEvent(db, { type: "incident.resolved", subject: "p" }, { teams: ["replay"] });
    const queue = new JobQueue(db);
    const deliverOne = webhookDelivery(db, loopbackAllowed);
    const jobs = [];
    for (let job = await queue.claim("w", [webhookDeliveryKind], 10_000); job; ) {
      if (job.payload.team === "replay") jobs.push(job);
      else await queue.complete(job.id, "w");
      job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    }
    expect(jobs).toHaveLength(2);
    // Delivered out of order, the second job twice (a retry after a lost answer).
    for (const job of [jobs[1]!, jobs[0]!, jobs[1]!]) await deliverOne(job, new AbortController().signal);
    const ids = received.map((r) => String(r.headers["webhook-id"]));
    expect(ids[0]).toBe(ids[2]);
    expect(ids[0]).not.toBe(ids[1]);
    // What the receiver keeps, deduplicated by webhook-id and put in order by the event id (the position).
    const kept = [...new Map(received.map((r) => [String(r.headers["webhook-id"]), JSON.parse(r.body)])).values()]
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((e) => [Number(e.id), e.type]);
    expect(kept).toEqual([
      [first.id, "dev.quanta.incident.opened"],
      [second.id, "dev.quanta.incident.resolved"],
    ]);
  });
});
