import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TeamRepository } from "../identity/team-repository.js";
import { JobQueue } from "../jobs/job-queue.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { WebhookAddressPolicy } from "./webhook-address.js";
import {
  notifyTeams,
  WebhookService,
  webhookDelivery,
  webhookDeliveryKind,
  webhookSignature,
} from "./webhook-service.js";

// The receivers listen on loopback: these deliveries need the setting that allows it.
const loopbackAllowed = new WebhookAddressPolicy({ allowedNetworks: ["127.0.0.0/8"] });

let db: Database;
let receiver: Server;
let url = "";
const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  await new TeamRepository(db).ensureTeam({ id: "ops", name: "Ops" });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await db?.close();
});

/** Queues one event for the team and runs its delivery jobs. */
async function deliver(): Promise<{ status: number }[]> {
  await notifyTeams(db, ["ops"], { type: "agreement.approved", agreement: "agr_1" });
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

describe("webhook deliveries", () => {
  it("are signed with the secret shown once at registration, and stop when the webhook is removed", async () => {
    const hooks = new WebhookService(db, loopbackAllowed);
    const hook = await hooks.register("ops", url, "ana");
    expect((await hooks.list("ops"))[0]).not.toHaveProperty("secret");

    expect(await deliver()).toEqual([{ status: 204 }]);
    const { headers, body } = received[0]!;
    expect(JSON.parse(body)).toMatchObject({ type: "agreement.approved", agreement: "agr_1" });
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
    const hooks = new WebhookService(db, loopbackAllowed);
    const hook = await hooks.register("ops", url, "ana");
    await notifyTeams(db, ["ops"], { type: "agreement.rejected" });
    await hooks.remove("ops", hook.id, "ana");
    const queue = new JobQueue(db);
    const job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    expect(job).toBeDefined();
    expect(await webhookDelivery(db, loopbackAllowed)(job!, new AbortController().signal)).toEqual({ status: 0 });
    expect(received).toHaveLength(1);
  });
});
