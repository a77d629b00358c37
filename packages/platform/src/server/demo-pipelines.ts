import { createReadStream, existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError } from "@quanta/core";
import { buildOutput } from "@quanta/engine-duckdb";
import { AgreementService } from "../access/agreement-service.js";
import { portAccess } from "../access/port-access.js";
import { portContract } from "../harness/port-data.js";
import type { Principal } from "../identity/principal.js";
import type { Lake } from "../lake/lake.js";
import { publishData } from "../lake/publish-data.js";
import { currentPipeline } from "../pipelines/pipeline-declaration.js";
import { PipelineRunStore } from "../pipelines/pipeline-run-store.js";
import { PipelineService } from "../pipelines/pipeline-service.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Database } from "../storage/database.js";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The demo acting in a team: requests for its consumer team, decisions for its owner team, on the record. */
const demoIn = (team: string, role: "owner" | "member"): Principal => ({
  userId: "quanta-demo",
  name: "quanta-demo",
  displayName: "Quanta demo",
  kind: "service",
  roles: [],
  teams: [{ team, role }],
  via: "token",
});

/** An input port of a demo product built by a pipeline, and the output port of another team it reads. */
interface DemoRead {
  consumer: string;
  consumerTeam: string;
  productId: string;
  ownerTeam: string;
  port: string;
  /** The port's sensitive columns the pipeline's SQL names: asked for unmasked, with the purpose. */
  columns: string[];
}

/** The reads of every pipeline-built product among `productIds` that cross a team boundary. */
async function crossTeamReads(db: Database, productIds: Iterable<string>): Promise<DemoRead[]> {
  const products = new ProductRepository(db);
  const contracts = new ContractRepository(db);
  const reads: DemoRead[] = [];
  for (const id of productIds) {
    const declared = await currentPipeline(db, id);
    const team = (await products.get(id))?.team;
    if (!declared || !team) continue;
    const read = new Set(declared.pipeline.outputs.flatMap((o) => o.reads));
    for (const input of declared.inputPorts.filter((p) => p.contractId && read.has(p.name))) {
      const owner = await contracts.owner(input.contractId as string);
      const upstream = owner ? await products.get(owner) : undefined;
      const port = upstream?.ports.find((p) => p.direction === "output" && p.contractId === input.contractId);
      if (!upstream || !port || upstream.team === team) continue;
      if (reads.some((r) => r.consumerTeam === team && r.productId === upstream.id && r.port === port.name)) continue;
      const pc = await portContract(db, upstream.id, port);
      const sql = declared.pipeline.outputs
        .filter((o) => o.reads.includes(input.name))
        .flatMap((o) => o.steps.map((step) => (step.kind === "sql" ? step.sql.toLowerCase() : "")))
        .join("\n");
      const named = (column: string) => new RegExp(`(^|[^a-z0-9_])${column.toLowerCase()}([^a-z0-9_]|$)`).test(sql);
      const columns = portAccess(upstream.document, port.name, pc.contract)
        .datasets.flatMap((d) => d.sensitive)
        .filter(named);
      reads.push({
        consumer: id,
        consumerTeam: team,
        productId: upstream.id,
        ownerTeam: upstream.team ?? "",
        port: port.name,
        columns,
      });
    }
  }
  return reads;
}

/**
 * The agreements the demo's pipelines read under (ADR 0029: a run reads only under an active
 * agreement of its product's team): for every input port a pipeline reads from another team's
 * product, the team requests it with a purpose and the demo approves it, both on the record, once.
 * Teams must exist (the demo identities create them). Never throws: a read that cannot be agreed is
 * reported, and its runs fail with the reason.
 */
export async function ensureDemoAgreements(
  db: Database,
  productIds: Iterable<string>,
  log: (line: string) => void,
): Promise<string[]> {
  const agreements = new AgreementService(db);
  const made: string[] = [];
  for (const read of await crossTeamReads(db, productIds)) {
    try {
      // Any agreement the team has or had for the port is left as it is (a person's request, one the
      // owner rejected or ended): the demo asks once and approves only what it asked for.
      const { rows } = await db.query<{ id: string; state: string; requested_by: string | null }>(
        "SELECT id, state, requested_by FROM agreements WHERE product_id = $1 AND port = $2 AND consumer_team = $3",
        [read.productId, read.port, read.consumerTeam],
      );
      const mine = rows.find((r) => r.state === "requested" && r.requested_by === "quanta-demo");
      if (rows.length > 0 && !mine) continue;
      const id =
        mine?.id ??
        (
          await agreements.request(
            {
              productId: read.productId,
              port: read.port,
              consumerTeam: read.consumerTeam,
              purpose: `${read.consumer} is built from it by its pipeline`,
              columns: read.columns,
            },
            demoIn(read.consumerTeam, "member"),
          )
        ).id;
      const owner = demoIn(read.ownerTeam, "owner");
      if ((await agreements.get(id, owner)).state === "requested")
        await agreements.act(id, "approve", owner, { reason: "the demo mesh's pipelines read their inputs" });
      made.push(`${read.consumerTeam} → ${read.productId}/${read.port}`);
    } catch (e) {
      if (e instanceof ConflictError) continue;
      log(`demo agreement of team ${read.consumerTeam} for ${read.productId} port ${read.port}: ${message(e)}`);
    }
  }
  return made;
}

/**
 * The first runs of the demo's pipelines, upstream first: a pipeline that reads only products no
 * pipeline builds is queued now (unless a new version of an input queued it already); the others
 * run when their inputs get their first versions (the upstream trigger, ADR 0029), so a product is
 * never built before what it reads. Only products that never ran; never throws.
 */
export async function queueDemoPipelines(
  db: Database,
  lake: Lake,
  productIds: Iterable<string>,
  log: (line: string) => void,
): Promise<string[]> {
  const ids = [...productIds];
  const built = new Set<string>();
  for (const id of ids) if (await currentPipeline(db, id)) built.add(id);
  const products = new ProductRepository(db);
  const contracts = new ContractRepository(db);
  const queued: string[] = [];
  for (const id of built) {
    try {
      const declared = await currentPipeline(db, id);
      if (!declared || (await new PipelineRunStore(db).list(id, 1)).length > 0) continue;
      let readsBuilt = false;
      for (const input of declared.inputPorts)
        if (input.contractId && built.has((await contracts.owner(input.contractId)) ?? "")) readsBuilt = true;
      const version = (await products.current(id))?.version;
      if (readsBuilt || !version) continue;
      await new PipelineService(db, lake).enqueue(id, version, "manual", "quanta-demo");
      queued.push(id);
    } catch (e) {
      if (!(e instanceof ConflictError)) log(`demo pipeline of ${id} not queued: ${message(e)}`);
    }
  }
  return queued;
}

/** Runs queued or running, and the products among `productIds` with no run at all. */
async function pendingRuns(db: Database, productIds: readonly string[]): Promise<number> {
  const { rows } = await db.query<{ open: number; never: number }>(
    `SELECT (SELECT count(*)::int FROM pipeline_runs WHERE status IN ('queued', 'running')) AS open,
            (SELECT count(*)::int FROM unnest($1::text[]) AS p(id)
              WHERE NOT EXISTS (SELECT 1 FROM pipeline_runs r WHERE r.product_id = p.id)) AS never`,
    [productIds],
  );
  return (rows[0]?.open ?? 0) + (rows[0]?.never ?? 0);
}

/** Resolves once no pipeline run is queued or running and each product has run (false: gave up or stopped). */
export async function pipelinesSettled(
  db: Database,
  productIds: readonly string[],
  options: { timeoutMs: number; stopped: () => boolean; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  // Two quiet polls in a row: a run that just ended may be queuing its downstream runs.
  let quiet = 0;
  while (Date.now() < deadline && !options.stopped()) {
    quiet = (await pendingRuns(db, productIds)) === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return true;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
  }
  return false;
}

/** The demo's incident: a re-delivery of the weather readings, written by this SELECT over `readings`. */
export const incidentScript = join("data", "incident.sql");

/**
 * The demo's incident, on its first start only: once the first pipeline runs have ended, the
 * observations team re-delivers the weather readings with the change `data/incident.sql` of
 * weather-station-readings describes. The readings pass their own contract, so the new version
 * becomes current and the products built from it run again; one of them fails its contract's tests
 * on the new figures, and its previous version keeps serving. The demo then starts with real run
 * history: runs that succeeded, and one that failed with its test results. Never throws.
 */
export async function playDemoIncident(
  db: Database,
  lake: Lake,
  folders: ReadonlyMap<string, string>,
  options: { log: (line: string) => void; info: (line: string) => void; stopped: () => boolean; timeoutMs?: number },
): Promise<"played" | "skipped" | "gave-up"> {
  const built: string[] = [];
  for (const id of folders.keys()) if (await currentPipeline(db, id)) built.push(id);
  if (built.length === 0) return "skipped";
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  if (!(await pipelinesSettled(db, built, { timeoutMs, stopped: options.stopped }))) return "gave-up";
  if (!(await reportRuns(db, built, options.info, "the demo's pipelines ran"))) return "skipped";
  const source = [...folders].find(([, folder]) => existsSync(join(folder, incidentScript)));
  if (!source) return "skipped";
  const [productId, folder] = source;
  const port = "readings";
  // Once: a store whose readings have more than their first version has played it (or been used).
  const versions = await lake.versions.history(db, productId, port, { limit: 2 });
  if (versions.length !== 1 || options.stopped()) return "skipped";
  const work = await mkdtemp(join(lake.root.path, ".demo-incident-"));
  try {
    const sql = (await readFile(join(folder, incidentScript), "utf8"))
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("--"))
      .join("\n")
      .trim()
      .replace(/;$/, "");
    const file = join(work, "readings.parquet");
    await buildOutput({
      inputs: [
        {
          name: port,
          files: [join(folder, "data", "readings.parquet")],
          format: "parquet",
          masked: [],
          rowFilters: [],
        },
      ],
      steps: [{ name: "redelivery", sql }],
      outputFile: file,
      outputDir: work,
      timeoutMs: 120_000,
    });
    const published = await publishData(db, lake, {
      productId,
      port,
      dataset: port,
      format: "parquet",
      body: createReadStream(file),
      length: (await stat(file)).size,
      actor: "quanta-demo",
    });
    options.info(
      `demo incident: ${productId} re-delivered its readings (version ${published.version}); the products built from them run again`,
    );
  } catch (e) {
    options.log(`demo incident not played: ${message(e)}`);
    return "skipped";
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
  if (!(await pipelinesSettled(db, built, { timeoutMs, stopped: options.stopped }))) return "gave-up";
  await reportRuns(db, built, options.info, "after the incident");
  return "played";
}

/** One line: how many runs succeeded and which failed; true when every product has a run that succeeded. */
async function reportRuns(
  db: Database,
  productIds: readonly string[],
  info: (line: string) => void,
  what: string,
): Promise<boolean> {
  const { rows } = await db.query<{ product_id: string; status: string; id: number; reason: string | null }>(
    "SELECT product_id, status, id, reason FROM pipeline_runs WHERE product_id = ANY($1::text[]) ORDER BY id",
    [productIds],
  );
  const failed = rows
    .filter((r) => r.status === "failed")
    .map((r) => `${r.product_id} (run ${r.id}: ${(r.reason ?? "").slice(0, 300)})`);
  info(
    `${what}: ${rows.filter((r) => r.status === "succeeded").length} run(s) succeeded${failed.length > 0 ? `, failed: ${failed.join(", ")}` : ""}`,
  );
  return productIds.every((id) => rows.some((r) => r.product_id === id && r.status === "succeeded"));
}
