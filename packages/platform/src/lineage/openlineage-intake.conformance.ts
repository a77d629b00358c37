import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../http/create-app.js";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import { readProductFolder } from "../registry/product-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { examplesDir } from "../test-fixtures.js";
import { datasetNode, jobNode } from "./openlineage-intake.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const salesTeam = "web-shop-sales-data";
const producer = "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/airflow";
const schemaURL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const columnLineageURL =
  "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";
/** `sales.orders`' port `orders` as its contract's production server names it. */
const ordersTable = { namespace: "postgres://orders-replica.webshop.example:5432", name: "webshop.public.orders" };

let run = 0;
/** A COMPLETE RunEvent of an outside job (an Airflow task), reading and writing the datasets given. */
function runEvent(over: { inputs?: unknown[]; outputs?: unknown[]; job?: string; eventType?: string } = {}): Json {
  run++;
  return {
    eventType: over.eventType ?? "COMPLETE",
    eventTime: "2026-12-03T10:00:00.000Z",
    producer,
    schemaURL,
    run: { runId: `0192f0a0-0000-7000-8000-${String(run).padStart(12, "0")}` },
    job: { namespace: "airflow://scheduler", name: over.job ?? "finance.daily_revenue" },
    inputs: over.inputs ?? [ordersTable],
    outputs: over.outputs ?? [{ namespace: "snowflake://acme", name: "finance.revenue_daily" }],
  };
}
const columnLineage = (fields: Record<string, { namespace: string; name: string; field: string }[]>) => ({
  columnLineage: {
    _producer: producer,
    _schemaURL: columnLineageURL,
    fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { inputFields: v }])),
  },
});

/**
 * POST /api/lineage and its export (ADR 0034) on one store, through the real app: the demo's
 * `sales.orders` published, an owner of its team, an outsider and a read-only token.
 */
export function openLineageIntakeConformance(name: string, target: StoreTarget): void {
  describe(`OpenLineage intake on ${name}`, () => {
    let db: Database;
    let app: OpenAPIHono;
    let root: string;
    const errors: unknown[] = [];
    const who: Record<"owner" | "outsider" | "readOnly", Record<string, string>> = {} as never;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "quanta-openlineage-"));
      const folder = join(root, "orders");
      await cp(join(examplesDir, "webshop", "orders"), folder, {
        recursive: true,
        filter: (src) => !src.endsWith(".parquet"),
      });
      db = await target.open();
      const registry = new Registry(db);
      await registry.publish({ files: await readProductFolder(folder), publishedBy: "quanta-demo" });
      const identity = new IdentityStore(db);
      app = createApp({ registry, identity, logError: (e) => errors.push(e) });
      const owner = await testIdentity(identity, { teams: [{ team: salesTeam, role: "member" }] });
      who.owner = owner.headers;
      who.outsider = (
        await testIdentity(identity, { teams: [{ team: "marketing-analytics", role: "member" }] })
      ).headers;
      const { token } = await identity.tokens.createToken(owner.user.id, { name: "read only", scopes: ["read"] });
      who.readOnly = { authorization: `Bearer ${token}` };
    });
    afterAll(async () => {
      await db?.close();
      if (root) await rm(root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const post = async (headers: Record<string, string>, body: string | unknown) => {
      const res = await app.request("/api/lineage", {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const edgesOf = async (node: string) =>
      (
        await db.query<{ from: string; to: string; details: Json }>(
          `SELECT from_node AS "from", to_node AS "to", details FROM lineage_edges
           WHERE origin = 'openlineage' AND (from_node = $1 OR to_node = $1) ORDER BY id`,
          [node],
        )
      ).rows;
    const counts = async () =>
      (
        await db.query<{ events: number; edges: number }>(
          `SELECT (SELECT count(*)::int FROM lineage_events) AS events, (SELECT count(*)::int FROM lineage_edges) AS edges`,
        )
      ).rows[0];

    it("attaches an event posted from outside to the product its postgres table is", async () => {
      const event = runEvent({
        outputs: [
          {
            namespace: "snowflake://acme",
            name: "finance.revenue_daily",
            facets: columnLineage({ revenue: [{ ...ordersTable, field: "total_amount" }] }),
          },
        ],
      });
      const res = await post(who.outsider, event);
      expect(res.status).toBe(200);
      expect(res.body.events[0].inputs).toEqual(["port:sales.orders/orders"]);
      const job = jobNode("airflow://scheduler", "finance.daily_revenue");
      const revenue = datasetNode("snowflake://acme", "finance.revenue_daily");
      expect((await edgesOf("port:sales.orders/orders")).map((e) => [e.from, e.to])).toEqual([
        ["port:sales.orders/orders", job],
      ]);
      expect((await edgesOf(job)).map((e) => e.to)).toContain(revenue);
      const [column] = await edgesOf("column:sales.orders/orders/orders.total_amount");
      expect(column).toMatchObject({ to: revenue, details: { columns: [{ to: "revenue" }] } });
    });

    it("takes a batch as a JSON array, all in one transaction, and the export answers it newest last", async () => {
      const before = await counts();
      const batch = [runEvent({ job: "a" }), runEvent({ job: "b", eventType: "START" })];
      const res = await post(who.outsider, batch);
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(2);
      expect((await counts())?.events).toBe((before?.events ?? 0) + 2);
      const page = await app.request("/api/lineage/openlineage?limit=2", { headers: who.outsider });
      const first = (await page.json()) as Json;
      expect(first.items).toHaveLength(2);
      const rest = (await (
        await app.request(`/api/lineage/openlineage?limit=100&after=${first.next}`, { headers: who.outsider })
      ).json()) as Json;
      const all = [...first.items, ...rest.items];
      expect(all.at(-1).event.job.name).toBe("b");
      expect(all.every((i: Json) => i.source === "received")).toBe(true);
      expect(rest.next).toBeNull();
    });

    it("refuses malformed JSON, schema-invalid events (naming the index) and an empty batch, storing nothing", async () => {
      const before = await counts();
      const bad = await post(who.owner, "{ not json");
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^the body is not JSON/);
      const invalid = runEvent();
      delete invalid.run;
      const batch = await post(who.owner, [runEvent(), invalid]);
      expect(batch.status).toBe(400);
      expect(batch.body.error.message).toBe(
        "event 1 is not an OpenLineage RunEvent: / must have required property 'run'",
      );
      const facet = runEvent({
        outputs: [{ ...ordersTable, facets: { columnLineage: { _producer: producer, _schemaURL: columnLineageURL } } }],
      });
      const badFacet = await post(who.owner, facet);
      expect(badFacet.status).toBe(400);
      expect(badFacet.body.error.message).toMatch(
        /^the event is not an OpenLineage RunEvent: \/outputs\/0\/facets\/columnLineage must have required property 'fields'/,
      );
      expect((await post(who.owner, [])).status).toBe(400);
      expect(await counts()).toEqual(before);
    });

    it("refuses oversized bodies, batches and facets too deep", async () => {
      const big = await post(who.owner, JSON.stringify({ ...runEvent(), pad: "x".repeat(1024 * 1024) }));
      expect(big.status).toBe(413);
      expect(big.body.error.message).toMatch(/lineage takes at most 1048576 per request/);
      const many = await post(
        who.owner,
        Array.from({ length: 501 }, () => ({})),
      );
      expect(many.status).toBe(413);
      expect(many.body.error.message).toBe("the batch holds 501 events; lineage takes at most 500 per request");
      let deep: Json = { leaf: true };
      for (let i = 0; i < 20; i++) deep = { deep };
      const tooDeep = await post(who.owner, {
        ...runEvent(),
        run: { runId: runEvent().run.runId, facets: { custom: deep } },
      });
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.error.message).toBe("the event nests deeper than 16 levels (facets included)");
    });

    it("refuses an output port the sender may not write, audited, and a token without the write scope", async () => {
      const before = await counts();
      const event = runEvent({ inputs: [], outputs: [ordersTable] });
      const res = await post(who.outsider, event);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `only the owner team of sales.orders (${salesTeam}) or an admin may send lineage naming it as an output`,
      );
      const { rows } = await db.query<{ reason: string }>(
        `SELECT reason FROM audit_log WHERE action = 'lineage.write' AND decision = 'denied' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows[0]?.reason).toBe(res.body.error.message);
      const scoped = await post(who.readOnly, runEvent());
      expect(scoped.status).toBe(403);
      expect(scoped.body.error.message).toMatch(/lineage.write needs the write scope/);
      expect((await post({}, runEvent())).status).toBe(401);
      expect(await counts()).toEqual(before);
      // The owner team may.
      expect((await post(who.owner, event)).status).toBe(200);
    });

    it("refuses a job whose output is its own input", async () => {
      const res = await post(who.owner, runEvent({ inputs: [ordersTable], outputs: [ordersTable] }));
      expect(res.status).toBe(422);
      expect(res.body.error.message).toBe(
        "the event: job airflow://scheduler/finance.daily_revenue names port:sales.orders/orders as both input and output; lineage refuses a cycle",
      );
    });

    it("refuses column lineage naming a column the port's contract does not declare", async () => {
      const before = await counts();
      const event = runEvent({
        outputs: [
          {
            namespace: "snowflake://acme",
            name: "finance.revenue_daily",
            facets: columnLineage({ revenue: [{ ...ordersTable, field: "total_amout" }] }),
          },
        ],
      });
      const res = await post(who.owner, [runEvent(), event]);
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(
        /^event 1: column total_amout is not in dataset orders of port sales.orders\/orders \(its contract declares order_id, /,
      );
      expect(await counts()).toEqual(before);
    });

    it("keeps unknown datasets as external nodes, namespaces encoded", async () => {
      const res = await post(who.owner, runEvent({ inputs: [{ namespace: "file", name: "/nowhere/x.csv" }] }));
      expect(res.status).toBe(200);
      expect(res.body.events[0].inputs).toEqual(["dataset:file//nowhere/x.csv"]);
      expect(res.body.events[0].job).toBe("job:airflow%3A%2F%2Fscheduler/finance.daily_revenue");
    });
  });
}
