import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventFeed } from "../events/event-feed.js";
import { TeamRepository } from "../identity/team-repository.js";
import { JobQueue } from "../jobs/job-queue.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { WebhookAddressPolicy } from "./webhook-address.js";
import { WebhookService, webhookDelivery, webhookDeliveryKind } from "./webhook-service.js";

const loopbackAllowed = new WebhookAddressPolicy({ allowedNetworks: ["127.0.0.0/8"] });
// A Slack-style URL: its path is the credential.
const secretPath = "/services/T0001/B0002/s3cr3tT0kenXyZ";

let db: Database;
let server: Server;
let base = "";
const received: string[] = [];

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  await new TeamRepository(db).ensureTeam({ id: "ops", name: "ops" });
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push(`${req.url}\n${body}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await db?.close();
});

describe("webhook events", () => {
  it("never carry a webhook's URL: the feed and the team's other webhooks get its id and host only", async () => {
    const hooks = new WebhookService(db, loopbackAllowed);
    await hooks.register("ops", `${base}/first`, "ana");
    const secret = await hooks.register("ops", `${base}${secretPath}?token=abc`, "ana");
    await hooks.remove("ops", secret.id, "ana");

    const queue = new JobQueue(db);
    const deliverOne = webhookDelivery(db, loopbackAllowed);
    for (let job = await queue.claim("w", [webhookDeliveryKind], 10_000); job; ) {
      await deliverOne(job, new AbortController().signal);
      await queue.complete(job.id, "w");
      job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    }
    // The first webhook heard of the second one's registration and removal.
    expect(received.length).toBe(2);
    const page = await new EventFeed(db).read(
      { admin: true, governance: false, userId: null, teams: [] },
      { after: 0, limit: 100 },
    );
    const webhookEvents = page.events.filter((e) => e.type.startsWith("webhook."));
    expect(webhookEvents.map((e) => [e.type, e.payload])).toEqual([
      ["webhook.registered", { id: expect.stringMatching(/^whk_/), host: "127.0.0.1" }],
      ["webhook.registered", { id: secret.id, host: "127.0.0.1" }],
      ["webhook.removed", { id: secret.id, host: "127.0.0.1" }],
    ]);
    const everything = [...received.map((r) => r.slice(r.indexOf("\n"))), JSON.stringify(page.events)].join("\n");
    for (const leak of ["s3cr3tT0kenXyZ", "/services/", "token=abc", "/first"]) {
      expect(everything).not.toContain(leak);
    }
    for (const r of received) expect(r.startsWith("/first\n")).toBe(true);
  });
});
