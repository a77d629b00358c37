import { copyFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildChecks,
  type CheckResult,
  checkPipeline,
  formatIssue,
  lintPipeline,
  parsePipeline,
  pipelineProductOf,
  runChecks,
  SourceDocument,
} from "@quanta/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxDataset } from "../consume/sandbox-dataset.js";
import { openDuckDb } from "../duckdb-connection.js";
import { generateProductData } from "../product-data.js";
import { tempDir } from "../test-data.js";
import { buildOutput } from "./build-output.js";

/**
 * The demo mesh (examples/) built by its pipelines, as a run builds it: the source-aligned
 * products' data generated small (each generator's default size), every pipeline.yaml run with
 * `buildOutput` (inputs as views named by port, steps as temporary tables, Parquet out), upstream
 * first, and each output tested against its contract with the checks an upload goes through. The
 * data ends now, as the demo's does, so the freshness SLAs are real checks. Then the demo's incident
 * (weather-station-readings/data/incident.sql) as a new readings version: it passes the readings
 * contract and fails exactly one downstream output.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

interface Contract {
  id: string;
  doc: Obj;
  /** Where the contract's `local` server reads, in the temp copy of the mesh. */
  file: string;
  /** The one dataset of every demo contract. */
  dataset: Obj;
}

interface Product {
  name: string;
  /** The product's folder in examples/. */
  folder: string;
  odps: Obj;
  pipeline?: SourceDocument;
}

const examples = fileURLToPath(new URL("../../../../examples/", import.meta.url));
const incidentSql = join(examples, "climate/weather-station-readings/data/incident.sql");
let dir: string;
const products: Product[] = [];
const contracts = new Map<string, Contract>();

const load = async (file: string) => SourceDocument.parse(await readFile(file, "utf8"), file);
const str = (v: unknown) => (typeof v === "string" ? v : "");

async function readMesh(): Promise<void> {
  for (const domain of await readdir(examples, { withFileTypes: true })) {
    if (!domain.isDirectory()) continue;
    for (const entry of await readdir(join(examples, domain.name), { withFileTypes: true })) {
      const folder = join(examples, domain.name, entry.name);
      const files = await readdir(folder);
      const odpsFile = files.find((f) => f.endsWith(".odps.yaml"));
      if (!odpsFile) continue;
      const product: Product = { name: entry.name, folder, odps: (await load(join(folder, odpsFile))).value as Obj };
      if (files.includes("pipeline.yaml")) product.pipeline = await load(join(folder, "pipeline.yaml"));
      products.push(product);
      for (const f of await readdir(join(folder, "contracts"))) {
        const doc = (await load(join(folder, "contracts", f))).value as Obj;
        const local = list(doc.servers).find((s) => s.server === "local");
        const [dataset] = list(doc.schema);
        if (!dataset) throw new Error(`${f}: no dataset`);
        const file = resolve(dir, entry.name, "contracts", str(local?.path));
        contracts.set(str(doc.id), { id: str(doc.id), doc, file, dataset });
      }
    }
  }
}

const contractOf = (port: Obj): Contract => {
  const c = contracts.get(str(port.contractId));
  if (!c) throw new Error(`no contract ${str(port.contractId)}`);
  return c;
};

/** The views a run gives a step for input ports read from `files` (run-pipeline.ts's names). */
function viewsOf(product: Product, ports: readonly string[], fileOf: (c: Contract) => string): SandboxDataset[] {
  return ports.flatMap((name) => {
    const port = list(product.odps.inputPorts).find((p) => p.name === name);
    if (!port) throw new Error(`${product.name}: no input port ${name}`);
    const c = contractOf(port);
    const view = { files: [fileOf(c)], format: "parquet" };
    return [
      { name: str(c.dataset.name), schema: name, ...view },
      { name, ...view },
    ];
  });
}

/** Builds every output of a product from the inputs in `fileOf`, into `outDir`; answers the files. */
async function buildProduct(product: Product, fileOf: (c: Contract) => string, outDir?: string) {
  const src = product.pipeline as SourceDocument;
  const pipeline = parsePipeline(src).pipeline;
  if (!pipeline) throw new Error(`${product.name}: pipeline.yaml does not parse`);
  checkPipeline(src, pipeline, pipelineProductOf(product.odps)); // fills each output's `reads`
  const built: { contract: Contract; file: string; rows: number }[] = [];
  for (const output of pipeline.outputs) {
    const outputPort = list(product.odps.outputPorts).find((p) => p.name === output.port) as Obj;
    const contract = contractOf(outputPort);
    const file = outDir ? join(outDir, `${output.port}.parquet`) : contract.file;
    await mkdir(dirname(file), { recursive: true });
    const result = await buildOutput({
      inputs: viewsOf(product, output.reads, fileOf),
      steps: output.steps.flatMap((s) => (s.kind === "sql" ? [{ name: s.name, sql: s.sql }] : [])),
      outputFile: file,
      outputDir: dirname(file),
      timeoutMs: 60_000,
    });
    built.push({ contract, file, rows: result.rowsOut });
  }
  return built;
}

/** The contract's checks on `file`, as a staged version is tested; the ones that did not pass or warn. */
async function contractFailures(contract: Contract, file: string): Promise<CheckResult[]> {
  const name = str(contract.dataset.name);
  const physicalName = str(contract.dataset.physicalName) || name;
  const conn = await openDuckDb({
    server: { type: "local", path: file, format: "parquet" },
    objects: [{ name, physicalName }],
    baseDir: dir,
  });
  try {
    const run = await runChecks(buildChecks(contract.doc, { schema: name }), conn);
    return run.checks.filter((c) => c.result === "failed" || c.result === "error");
  } finally {
    await conn.close();
  }
}

async function columnsOf(file: string): Promise<string[]> {
  const conn = await openDuckDb({
    server: { type: "local", path: file, format: "parquet" },
    objects: [{ name: "out" }],
    baseDir: dir,
  });
  try {
    const rows = await conn.run(`DESCRIBE ${conn.relation("out")}`);
    return rows.map((r) => `${String(r.column_name)} ${String(r.column_type)}`);
  } finally {
    await conn.close();
  }
}

/** The least rows the dataset's rowCount rules allow (at least one). */
const minimumRows = (dataset: Obj): number =>
  Math.max(
    1,
    ...list(dataset.quality)
      .filter((q) => q.metric === "rowCount")
      .map((q) =>
        q.mustBeGreaterOrEqualTo !== undefined
          ? Number(q.mustBeGreaterOrEqualTo)
          : Number(q.mustBeGreaterThan ?? 0) + 1,
      ),
  );

const rowsBuilt = new Map<string, number>();
const filesBuilt = new Map<string, string>();

beforeAll(async () => {
  dir = tempDir("quanta-demo-pipelines-");
  await readMesh();
  // The source-aligned products (no pipeline): their generators, at the default size, ending now.
  for (const p of products.filter((x) => !x.pipeline)) {
    await mkdir(join(dir, p.name, "data"), { recursive: true });
    await copyFile(join(p.folder, "data", "generate.sql"), join(dir, p.name, "data", "generate.sql"));
    await generateProductData(join(dir, p.name));
  }
  // Upstream first: a product is built once every product serving its inputs has data.
  const ready = new Set(
    products.filter((x) => !x.pipeline).flatMap((p) => list(p.odps.outputPorts).map((o) => str(o.contractId))),
  );
  const pending = products.filter((x) => x.pipeline);
  while (pending.length > 0) {
    const next = pending.findIndex((p) => list(p.odps.inputPorts).every((i) => ready.has(str(i.contractId))));
    if (next < 0) throw new Error(`cannot order ${pending.map((p) => p.name).join(", ")}`);
    const [product] = pending.splice(next, 1) as [Product];
    for (const b of await buildProduct(product, (c) => c.file)) {
      rowsBuilt.set(b.contract.id, b.rows);
      filesBuilt.set(b.contract.id, b.file);
      ready.add(b.contract.id);
    }
  }
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the demo mesh's pipelines", () => {
  it("parse and check clean against their products' ports", () => {
    const built = products.filter((p) => p.pipeline);
    expect(built.map((p) => p.name).sort()).toEqual([
      "customer-cohorts",
      "orders-analytical-consent",
      "physical-risk",
      "precipitation",
      "sea-level",
      "temperature",
    ]);
    for (const p of built) expect(lintPipeline(p.pipeline as SourceDocument, p.odps).map(formatIssue)).toEqual([]);
  });

  it("fill every output port with the contract's columns, enough rows, and pass its tests", async () => {
    const outputs = products.filter((p) => p.pipeline).flatMap((p) => list(p.odps.outputPorts).map(contractOf));
    expect(outputs).toHaveLength(7);
    for (const c of outputs) {
      const file = filesBuilt.get(c.id) as string;
      const wanted = list(c.dataset.properties).map((p) => `${str(p.name)} ${str(p.physicalType).replaceAll(" ", "")}`);
      expect(await columnsOf(file), c.id).toEqual(wanted);
      expect(rowsBuilt.get(c.id), c.id).toBeGreaterThanOrEqual(minimumRows(c.dataset));
      expect(
        (await contractFailures(c, file)).map((f) => `${f.name}: ${f.reason}`),
        c.id,
      ).toEqual([]);
    }
  });

  it("the incident passes the readings contract and fails only the temperature output", async () => {
    const readings = contracts.get("climate.weather-station-readings.readings") as Contract;
    const incidentDir = join(dir, "incident");
    await mkdir(incidentDir, { recursive: true });
    const incident = join(incidentDir, "readings.parquet");
    const view = { files: [readings.file], format: "parquet" };
    const sql = (await readFile(incidentSql, "utf8")).replace(/;\s*$/, "");
    await buildOutput({
      inputs: [
        { name: "readings", schema: "readings", ...view },
        { name: "readings", ...view },
      ],
      steps: [{ name: "incident", sql }],
      outputFile: incident,
      outputDir: incidentDir,
      timeoutMs: 60_000,
    });
    expect(await columnsOf(incident)).toEqual(await columnsOf(readings.file));
    expect(await contractFailures(readings, incident)).toEqual([]);

    const failures: Record<string, string[]> = {};
    const readers = products.filter(
      (p) => p.pipeline && list(p.odps.inputPorts).some((i) => i.contractId === readings.id),
    );
    expect(readers.map((p) => p.name).sort()).toEqual(["precipitation", "sea-level", "temperature"]);
    for (const p of readers) {
      const out = join(incidentDir, p.name);
      for (const b of await buildProduct(p, (c) => (c.id === readings.id ? incident : c.file), out))
        failures[b.contract.id] = (await contractFailures(b.contract, b.file)).map((f) => f.name);
    }
    expect(failures["climate.precipitation.daily-precipitation"]).toEqual([]);
    expect(failures["climate.sea-level.daily-sea-level"]).toEqual([]);
    expect(failures["climate.temperature.daily-temperature"]).toContain(
      "freshness of daily_temperature.measurement_date within 2 d",
    );
  });
});
