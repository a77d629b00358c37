import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  componentValidator,
  openApi31Problems,
} from "../../../core/src/formats/openapi/openapi-structure.test-helpers.js";
import { bufferIo } from "../buffer-io.js";
import { runExport } from "../commands/run-export.js";

const ordersDir = resolve(import.meta.dirname, "../../../../examples/webshop/orders");
const contract = join(ordersDir, "contracts/orders.odcs.yaml");
const product = join(ordersDir, "orders.odps.yaml");

let platform: RunningPlatform;
let work: string;
let token: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "quanta-openapi-"));
  platform = await startPlatform({
    store: { memory: true },
    dataDir: join(work, "data"),
    port: 0,
    hostname: "127.0.0.1",
    runJobs: false,
    publishFolders: [ordersDir],
  });
  // A member of the owner team reads its own product without an agreement.
  const identity = new IdentityStore(platform.db);
  const { rows } = await platform.db.query<{ team_id: string }>(
    "SELECT team_id FROM data_products WHERE id = 'sales.orders'",
  );
  const user = await identity.users.createUser({ username: "olivia@webshop.example" });
  await identity.teams.setTeamMember(rows[0]?.team_id as string, user.id, "owner");
  token = (await identity.tokens.createToken(user.id, { name: "test" })).token;
}, 120_000);

afterAll(async () => {
  await platform?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * `quanta export --format openapi` as a user runs it (through the command's own code; the
 * console's --format choices list the formats the lead has released).
 */
async function exportOpenApi(...options: [string, string][]) {
  const io = bufferIo(work);
  const code = await runExport(io, contract, { format: "openapi", product, option: Object.fromEntries(options) });
  expect(io.stderr()).toBe("");
  expect(code).toBe(0);
  return JSON.parse(io.stdout());
}

describe("openapi export against the running harness", () => {
  it("describes the consume answer the harness really gives: every row validates", async () => {
    const doc = await exportOpenApi(["baseUrl", platform.url]);
    expect(openApi31Problems(doc)).toEqual([]);
    const op = doc.paths["/api/products/{id}/consume"].post;
    const request = op.requestBody.content["application/json"].examples.OrdersRow.value;
    expect(request).toEqual({ port: "orders", sql: 'SELECT * FROM "orders"', limit: 100, format: "json" });
    // The request the document gives as its example, sent to the server the document names.
    const url = `${doc.servers[0].url}/api/products/${op.parameters[0].schema.default}/consume`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.rows).toHaveLength(100);
    const answer = componentValidator(doc, "ConsumeResult");
    expect(answer(body), JSON.stringify(answer.errors?.slice(0, 3))).toBe(true);
    // Every column the data has is a property of the row schema, and the other way round.
    const properties = Object.keys(doc.components.schemas.OrdersRow.properties);
    expect(body.columns.map((c: { name: string }) => c.name).sort()).toEqual([...properties].sort());
    // The request schema accepts the request that worked and refuses what the route refuses.
    const requestSchema = componentValidator(doc, "ConsumeRequest");
    expect(requestSchema(request)).toBe(true);
    expect(requestSchema({ ...request, format: "xml" })).toBe(false);
    const refused = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...request, format: "xml" }),
    });
    expect(refused.status).toBe(400);
  });

  it("describes the errors the harness answers with", async () => {
    const doc = await exportOpenApi(["baseUrl", platform.url]);
    const op = doc.paths["/api/products/{id}/consume"].post;
    const error = componentValidator(doc, "Error");
    const url = `${platform.url}/api/products/sales.orders/consume`;
    const cases: [number, RequestInit][] = [
      [401, { method: "POST", headers: { "content-type": "application/json" }, body: '{"port":"orders"}' }],
      [
        400,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ port: "orders", sql: "COPY orders TO 'x.csv'" }),
        },
      ],
      [
        404,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ port: "nope" }),
        },
      ],
    ];
    for (const [status, init] of cases) {
      const res = await fetch(url, init);
      expect(res.status).toBe(status);
      expect(op.responses[String(status)]).toBeDefined();
      const body = await res.json();
      expect(error(body), JSON.stringify(body)).toBe(true);
    }
  });

  it("a row that breaks the contract does not validate (the schema is no blank cheque)", async () => {
    const doc = await exportOpenApi();
    const res = await fetch(`${platform.url}/api/products/sales.orders/consume`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ port: "orders", limit: 1 }),
    });
    const body = await res.json();
    const row = componentValidator(doc, "OrdersRow");
    expect(row(body.rows[0])).toBe(true);
    const required = Object.entries<{ type: unknown }>(doc.components.schemas.OrdersRow.properties).find(
      ([, s]) => !Array.isArray(s.type),
    );
    expect(required).toBeDefined();
    expect(row({ ...body.rows[0], [required?.[0] as string]: null })).toBe(false);
    expect(readFileSync(contract, "utf8")).toContain(`name: ${required?.[0]}`);
  });
});
