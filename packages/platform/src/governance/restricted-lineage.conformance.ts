import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShop } from "../access/access-fixtures.js";
import { DataLocator } from "../harness/data-locator.js";
import { Harness } from "../harness/harness.js";
import { createApp } from "../http/create-app.js";
import { type TestIdentity, testIdentity } from "../identity/identity-fixtures.js";
import { revenueFiles, revenuePipeline } from "../pipelines/pipeline-fixtures.js";
import { readProductFolder } from "../registry/product-folder.js";
import { type ProductFile, readPublishFolder } from "../registry/publish-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { StoreTarget } from "../storage/store-target.js";
import { examplesDir } from "../test-fixtures.js";
import { GovernanceService } from "./governance-service.js";
import { publishedSubject, publishSubject } from "./product-subject.js";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are JSON the assertions check field by field
type Json = Record<string, any>;

const metadata = (files: ProductFile[]) =>
  files.filter((f) => !f.path.endsWith(".parquet") && !f.path.startsWith("data/"));

/**
 * `shop.<id>`: the revenue fixture (its `sample_email` is `min(customer_email)`, restricted in
 * shop.orders, classified internal) under its own id, by `team`, with edits to its files.
 */
const revenue = (
  id: string,
  options: {
    team?: string;
    pipeline?: string;
    classification?: string;
    version?: string;
    contractVersion?: string;
  } = {},
): ProductFile[] =>
  revenueFiles({
    version: options.version ?? "1.0.0",
    pipeline: options.pipeline ?? revenuePipeline(),
  }).map((f) => {
    let text = f.text.replaceAll("shop.revenue", `shop.${id}`);
    if (options.contractVersion && f.path.endsWith(".odcs.yaml"))
      text = text.replace("\nversion: 1.0.0\n", `\nversion: ${options.contractVersion}\n`);
    if (options.contractVersion && f.path.endsWith(".odps.yaml"))
      text = text.replace(
        `    version: 1.0.0\n    contractId: shop.${id}.revenue`,
        `    version: ${options.contractVersion}\n    contractId: shop.${id}.revenue`,
      );
    if (options.team) text = text.replace("name: Revenue team", `name: ${options.team}`);
    if (options.classification && f.path.endsWith(".odcs.yaml"))
      text = text.replace(
        "      - name: sample_email\n        logicalType: string\n        classification: internal",
        `      - name: sample_email\n        logicalType: string\n        classification: ${options.classification}`,
      );
    return { ...f, text };
  });

/**
 * The built-in restricted-lineage at publish on one store (ADR 0031 lineage, governance.md): a
 * pipeline deriving a column from a restricted one is refused unless it classifies the column
 * confidential or masks it; the agreement's masks count; the demo mesh publishes cleanly.
 */
export function restrictedLineageConformance(name: string, target: StoreTarget): void {
  describe(`restricted-lineage on ${name}`, () => {
    let db: Database;
    let registry: Registry;
    let app: OpenAPIHono;
    let shop: Awaited<ReturnType<typeof writeShop>>;
    let shopOwner: TestIdentity;
    let revenueOwner: TestIdentity;
    const errors: unknown[] = [];

    beforeAll(async () => {
      shop = await writeShop(3);
      db = await target.open();
      registry = new Registry(db);
      await registry.publish({ files: shop.files });
      const locator = new DataLocator(join(shop.root, "platform"));
      app = createApp({ registry, harness: new Harness({ db, registry, locator }), logError: (e) => errors.push(e) });
      shopOwner = await testIdentity(db, {
        username: "owner@shop.example",
        teams: [{ team: "shop-team", role: "owner" }],
      });
      revenueOwner = await testIdentity(db, {
        username: "rita@revenue.example",
        teams: [{ team: "revenue-team", role: "owner" }],
      });
    }, 60_000);
    afterAll(async () => {
      await db?.close();
      if (shop) await rm(shop.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const call = async (method: string, path: string, who: TestIdentity, body: unknown) => {
      const res = await app.request(path, {
        method,
        headers: { "content-type": "application/json", ...who.headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const refusal = async (files: ProductFile[]) => {
      const e = (await registry.publish({ files }).then(
        () => undefined,
        (err: unknown) => err,
      )) as Json | undefined;
      expect(e, "the publish was not refused").toBeDefined();
      return e as Json;
    };
    const finding =
      "output column revenue.sample_email is derived from restricted column shop.orders.orders.customer_email but classified";

    it("refuses the owner team deriving an internal column from its restricted one, naming both and the fix", async () => {
      const e = await refusal(revenue("leak", { team: "Shop team" }));
      expect(e.name).toBe("RefusedError");
      expect(e.message).toMatch(/^refused by policy quanta-default .*: blocking rule restricted-lineage failed$/);
      const issue = (e.issues as Json[]).find((i) => i.code === "policy-restricted-lineage");
      expect(issue).toMatchObject({ severity: "error", file: "contracts/revenue.odcs.yaml", line: 28, column: 25 });
      expect(issue?.message).toBe(
        `restricted-lineage (blocking): ${finding} "internal"; classify it confidential or restricted, or mask it on the way (a hash such as sha256(), or leave the column ungranted in the agreement)`,
      );
      expect(
        await registry
          .publish({ files: revenue("leak", { team: "Shop team", version: "1.0.1" }) })
          .catch(() => "refused"),
      ).toBe("refused");
    });

    it("publishes it when the column is classified confidential, or the SQL masks the restricted column", async () => {
      await registry.publish({ files: revenue("classified", { team: "Shop team", classification: "confidential" }) });
      const hashed = revenuePipeline().replace("min(customer_email)", "min(sha256(customer_email))");
      await registry.publish({ files: revenue("hashed", { team: "Shop team", pipeline: hashed }) });
      const subject = await publishSubject(
        db,
        readPublishFolder(revenue("hashed2", { team: "Shop team", pipeline: hashed })),
      );
      expect(subject.lineage?.find((c) => c.column === "sample_email")?.upstream).toEqual([
        {
          product: "shop.orders",
          port: "orders",
          dataset: "orders",
          column: "customer_email",
          classification: "restricted",
          kind: "direct",
          masked: true,
          transformations: ["DIRECT/AGGREGATION"],
        },
      ]);
    });

    it("counts the agreement's masks: another team reads the column masked until its agreement grants it", async () => {
      // No agreement yet: a run would be refused, and a grant is what would unmask the column.
      await registry.publish({ files: revenue("consumer") });
      const first = await publishedSubject(db, "shop.consumer");
      expect(first?.subject.lineage?.find((c) => c.column === "sample_email")?.upstream[0]).toMatchObject({
        column: "customer_email",
        masked: true,
      });
      const asked = await call("POST", "/api/access-requests", revenueOwner, {
        productId: "shop.orders",
        port: "orders",
        consumerTeam: "revenue-team",
        purpose: "Revenue figures",
        columns: ["customer_email"],
      });
      expect(asked.status).toBe(201);
      const approved = await call("POST", `/api/access-requests/${asked.body.id}/approve`, shopOwner, {
        columns: ["customer_email"],
      });
      expect(approved.body.grantedColumns).toEqual(["customer_email"]);
      // The approval judged the reading product again: it fails the rule and loses its raw level.
      const [evaluation] = await new GovernanceService(db).history("shop.consumer", 1);
      expect(evaluation?.trigger).toBe("agreement");
      const result = evaluation?.results.find((r) => r.ruleId === "restricted-lineage");
      expect(result?.passed).toBe(false);
      expect(result?.findings[0]?.message).toContain(finding);
      expect(evaluation?.level).toBe("none");
      // And its next version is refused until it protects the column.
      const e = await refusal(revenue("consumer", { version: "1.0.1" }));
      expect((e.issues as Json[]).some((i) => i.code === "policy-restricted-lineage")).toBe(true);
      await registry.publish({
        files: revenue("consumer", { version: "1.1.0", contractVersion: "1.1.0", classification: "restricted" }),
      });
    });

    it("publishes the demo mesh, every pipeline's lineage known and none leaking", async () => {
      const demo = [
        "climate/weather-station-readings",
        "climate/temperature",
        "climate/precipitation",
        "climate/sea-level",
        "climate/physical-risk",
        "webshop/orders",
        "webshop/orders-analytical-consent",
        "webshop/customer-cohorts",
      ];
      for (const p of demo) {
        const files = metadata(await readProductFolder(join(examplesDir, p)));
        const result = await registry.publish({ files });
        expect(
          result.warnings.filter((w: Json) => String(w.code).startsWith("policy-restricted")),
          p,
        ).toEqual([]);
      }
      const risk = await publishedSubject(db, "climate.physical-risk");
      const score = risk?.subject.lineage?.find((c) => c.port === "regional-risk-scores" && c.column === "risk_score");
      expect(
        score?.upstream.filter((u) => u.kind === "direct").map((u) => `${u.product}.${u.column} ${u.classification}`),
      ).toEqual(
        expect.arrayContaining([
          "climate.temperature.max_temperature_c public",
          "climate.temperature.mean_temperature_c public",
          "climate.sea-level.anomaly_m public",
        ]),
      );
      // A band chosen by the score: its inputs decide the value but are not carried in it.
      const band = risk?.subject.lineage?.find((c) => c.port === "regional-risk-scores" && c.column === "risk_band");
      const bandFrom = band?.upstream.filter((u) => u.column === "max_temperature_c");
      expect(bandFrom?.map((u) => u.kind)).toEqual(["indirect"]);
      expect(bandFrom?.[0]?.transformations).toContain("INDIRECT/CONDITIONAL");
      // The pseudonym is a hash of the customer number: masked on the way.
      const consented = await publishedSubject(db, "sales.orders-analytical-consent");
      const key = consented?.subject.lineage?.find((c) => c.column === "customer_key");
      expect(key?.upstream.filter((u) => u.kind === "direct")).toEqual([
        expect.objectContaining({ product: "sales.orders", column: "customer_id", masked: true }),
      ]);
    });
  });
}
