import type { LookupAddress } from "node:dns";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishEvent } from "../events/publish-event.js";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { TeamRepository } from "../identity/team-repository.js";
import { JobQueue } from "../jobs/job-queue.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { type WebhookAddressOptions, WebhookAddressPolicy } from "./webhook-address.js";
import { WebhookService, webhookDelivery, webhookDeliveryKind } from "./webhook-service.js";

let db: Database;
let app: OpenAPIHono;
let owner: Record<string, string>;
let receiver: Server;
let redirector: Server;
let port = 0;
let redirectPort = 0;
const received: string[] = [];

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
};

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  await new TeamRepository(db).ensureTeam({ id: "ops", name: "Ops" });
  // Deliveries go to a team of their own: the registration tests leave webhooks on ops.
  await new TeamRepository(db).ensureTeam({ id: "relay", name: "Relay" });
  app = createApp({ registry: new Registry(db) });
  owner = (await testIdentity(db, { teams: [{ team: "ops", role: "owner" }] })).headers;
  receiver = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(204).end();
  });
  port = await listen(receiver);
  // A public-looking receiver that sends the delivery on to loopback.
  redirector = createServer((req, res) => {
    req.resume();
    res.writeHead(307, { location: `http://127.0.0.1:${port}/redirected` }).end();
  });
  redirectPort = await listen(redirector);
});
afterAll(async () => {
  await new Promise<void>((r) => receiver.close(() => r()));
  await new Promise<void>((r) => redirector.close(() => r()));
  await db?.close();
});

const register = (url: string) =>
  app.request("/api/teams/ops/webhooks", {
    method: "POST",
    headers: { ...owner, "content-type": "application/json" },
    body: JSON.stringify({ url }),
  });

/** A resolver with fixed answers (names the real DNS does not have). */
const fixedDns = (answers: Record<string, string[]>): NonNullable<WebhookAddressOptions["resolve"]> =>
  ((hostname: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    const found = answers[hostname];
    if (!found)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
    callback(
      null,
      found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
  }) as never;

/** Registers `url` (as an installation allowing it would), then delivers one event with `policy`. */
async function deliverTo(url: string, policy: WebhookAddressPolicy): Promise<string> {
  const hooks = new WebhookService(db, new WebhookAddressPolicy({ allowedNetworks: ["0.0.0.0/0", "::/0"] }));
  const hook = await hooks.register("relay", url, "test");
  try {
    await publishEvent(db, { type: "agreement.approved", subject: "agr_1" }, { teams: ["relay"] });
    const queue = new JobQueue(db);
    // This webhook's delivery (another of the team's may have one of this webhook's registration).
    let job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    while (job && job.payload.webhookId !== hook.id) {
      await queue.complete(job.id, "w");
      job = await queue.claim("w", [webhookDeliveryKind], 10_000);
    }
    if (!job) throw new Error("no delivery queued");
    try {
      return `delivered ${(await webhookDelivery(db, policy)(job, new AbortController().signal)).status}`;
    } catch (e) {
      return (e as Error).message;
    } finally {
      await queue.complete(job.id, "w");
    }
  } finally {
    await hooks.remove("relay", hook.id, "test");
  }
}

describe("webhook registration", () => {
  const hostile: [string, string][] = [
    ["http://127.0.0.1/hook", "127.0.0.1, a loopback address"],
    ["http://127.1/hook", "127.0.0.1, a loopback address"],
    ["http://2130706433/hook", "127.0.0.1, a loopback address"],
    ["http://017700000001/hook", "127.0.0.1, a loopback address"],
    ["http://0x7f.1/hook", "127.0.0.1, a loopback address"],
    ["http://0x7f000001/hook", "127.0.0.1, a loopback address"],
    ["http://0.0.0.0/hook", "0.0.0.0, an unspecified (0.0.0.0/8) address"],
    ["http://0/hook", "0.0.0.0, an unspecified (0.0.0.0/8) address"],
    ["http://10.1.2.3/hook", "10.1.2.3, a private address"],
    ["http://172.16.0.1/hook", "172.16.0.1, a private address"],
    ["http://172.31.255.254/hook", "172.31.255.254, a private address"],
    ["http://192.168.1.1/hook", "192.168.1.1, a private address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254, a link-local (cloud metadata) address"],
    ["http://100.100.100.200/", "100.100.100.200, a shared (carrier-grade NAT) address"],
    ["http://224.0.0.1/", "224.0.0.1, a multicast address"],
    ["http://255.255.255.255/", "255.255.255.255, a reserved (or broadcast) address"],
    ["http://[::1]/hook", "::1, a loopback address"],
    ["http://[0:0:0:0:0:0:0:1]/hook", "::1, a loopback address"],
    ["http://[::]/hook", "::, the unspecified address"],
    ["http://[fd12:3456::1]/hook", "fd12:3456::1, a unique-local address"],
    ["http://[fe80::1]/hook", "fe80::1, a link-local address"],
    ["http://[ff02::1]/hook", "ff02::1, a multicast address"],
    ["http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1, which carries 127.0.0.1, a loopback address"],
    [
      "http://[::ffff:a9fe:a9fe]/hook",
      "::ffff:a9fe:a9fe, which carries 169.254.169.254, a link-local (cloud metadata)",
    ],
    ["http://[64:ff9b::10.0.0.1]/hook", "64:ff9b::a00:1, which carries 10.0.0.1, a private address"],
  ];
  it.each(hostile)("refuses %s: it points at %s", async (url, why) => {
    const res = await register(url);
    expect(res.status).toBe(400);
    const { message } = ((await res.json()) as { error: { message: string } }).error;
    expect(message).toContain(`webhook url "${url}" points at ${why}`);
    expect(message).toContain("webhooks reach public addresses only");
    expect(message).toContain("QUANTA_WEBHOOK_ALLOWED_NETWORKS");
  });

  const names: [string, string][] = [
    ["http://localhost:8080/hook", "names localhost, a name of this host or its local network"],
    ["http://LOCALHOST./hook", "names localhost, a name of this host or its local network"],
    ["http://api.localhost/hook", "names api.localhost, a name of this host"],
    ["http://metadata.google.internal/", "names metadata.google.internal, a name of this host or its local network"],
    ["http://printer.local/", "names printer.local"],
    ["http://metadata/", "names metadata, a name without a domain"],
  ];
  it.each(names)("refuses %s: it %s", async (url, why) => {
    const res = await register(url);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(why);
  });

  it("accepts public addresses and names, and an allowed network with its internal names", async () => {
    for (const url of ["https://hooks.example.com/q", "http://93.184.215.14/q", "https://[2606:4700::1111]/q"]) {
      expect((await register(url)).status, url).toBe(201);
    }
    const internal = createApp({ registry: new Registry(db), webhookAllowedNetworks: ["10.20.0.0/16", "127.0.0.1"] });
    const call = (url: string) =>
      internal.request("/api/teams/ops/webhooks", {
        method: "POST",
        headers: { ...owner, "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
    expect((await call("http://10.20.3.4/hook")).status).toBe(201);
    expect((await call("http://127.0.0.1:9000/hook")).status).toBe(201);
    expect((await call("http://hooks.corp.internal/hook")).status).toBe(201);
    // Only the networks listed: the rest of 10/8 and loopback stay refused.
    expect((await call("http://10.21.0.1/hook")).status).toBe(400);
    expect((await call("http://127.0.0.2/hook")).status).toBe(400);
    expect(() => new WebhookAddressPolicy({ allowedNetworks: ["10.0.0.0/33"] })).toThrow(
      'QUANTA_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0/33" is not a network',
    );
  });
});

describe("webhook delivery", () => {
  const publicOnly = new WebhookAddressPolicy();

  it("refuses a name that resolves to loopback, with the setting off", async () => {
    const before = received.length;
    expect(await deliverTo(`http://localhost:${port}/hook`, publicOnly)).toMatch(
      /^localhost resolves to (127\.0\.0\.1|::1), a loopback address; webhooks reach public addresses only/,
    );
    const rebound = new WebhookAddressPolicy({ resolve: fixedDns({ "hooks.example.com": ["127.0.0.1"] }) });
    expect(await deliverTo(`http://hooks.example.com:${port}/hook`, rebound)).toMatch(
      /^hooks\.example\.com resolves to 127\.0\.0\.1, a loopback address/,
    );
    // Every address is checked, not only the first.
    const mixed = new WebhookAddressPolicy({
      resolve: fixedDns({ "hooks.example.com": ["93.184.215.14", "169.254.169.254"] }),
    });
    expect(await deliverTo(`http://hooks.example.com:${port}/hook`, mixed)).toMatch(
      /resolves to 169\.254\.169\.254, a link-local \(cloud metadata\) address/,
    );
    expect(received.length).toBe(before);
  });

  it("refuses an address registered before the rule, and connects to the address it checked", async () => {
    expect(await deliverTo(`http://127.0.0.1:${port}/hook`, publicOnly)).toMatch(
      /points at 127\.0\.0\.1, a loopback address; not delivered/,
    );
    expect(await deliverTo(`http://[::ffff:127.0.0.1]:${port}/hook`, publicOnly)).toMatch(/carries 127\.0\.0\.1/);
    // A name the real DNS does not know: delivered only because the connection uses the checked answer.
    const allowed = new WebhookAddressPolicy({
      allowedNetworks: ["127.0.0.0/8"],
      resolve: fixedDns({ "receiver.quanta.test": ["127.0.0.1"] }),
    });
    expect(await deliverTo(`http://receiver.quanta.test:${port}/hook`, allowed)).toBe("delivered 204");
    expect(received.at(-1)).toBe("POST /hook");
  });

  it("does not follow a redirect", async () => {
    const allowed = new WebhookAddressPolicy({ allowedNetworks: ["127.0.0.0/8"] });
    const before = received.length;
    expect(await deliverTo(`http://127.0.0.1:${redirectPort}/hook`, allowed)).toMatch(
      /answered 307, a redirect \(not followed\)/,
    );
    expect(received.length).toBe(before);
  });
});
