// The demo mesh under examples/ is what every new user meets first: every document must be valid
// against the official standards, and every port must point at a contract that exists.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { formatIssue } from "./issues.js";
import { lintProduct } from "./lint/index.js";
import { SourceDocument } from "./spec/source.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const examples = join(repo, "examples");
const standards = resolve(repo, "../shared/standards");

type Obj = Record<string, unknown>;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function load(file: string): Obj {
  const src = SourceDocument.parse(readFileSync(file, "utf8"), relative(repo, file));
  expect(src.issues, relative(repo, file)).toEqual([]);
  return src.value as Obj;
}

function validator(schemaFile: string) {
  // The official schemas use non-standard annotations (deprecated, examples in odd places): strict off.
  const ajv = new Ajv2019.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(standards, schemaFile), "utf8")));
}

const files = walk(examples);
const productFiles = files.filter((f) => f.endsWith(".odps.yaml"));
const contractFiles = files.filter((f) => f.endsWith(".odcs.yaml"));

interface Product {
  dir: string;
  doc: Obj;
  /** Contracts in the product's own contracts/ folder, by id. */
  contracts: Map<string, Obj>;
}

const products: Product[] = productFiles.map((file) => {
  const dir = dirname(file);
  const contracts = new Map<string, Obj>();
  for (const f of contractFiles.filter((c) => dirname(c) === join(dir, "contracts"))) {
    const doc = load(f);
    contracts.set(String(doc.id), doc);
  }
  return { dir, doc: load(file), contracts };
});

const ports = (doc: Obj, key: "inputPorts" | "outputPorts") => (doc[key] ?? []) as Obj[];
const rel = (p: string) => relative(examples, p);

describe("demo mesh (examples/)", () => {
  it("has both domains: five Climate Quantum products and three web shop products", () => {
    expect(products.map((p) => String(p.doc.id)).sort()).toEqual([
      "climate.physical-risk",
      "climate.precipitation",
      "climate.sea-level",
      "climate.temperature",
      "climate.weather-station-readings",
      "customer.customer-cohorts",
      "sales.orders",
      "sales.orders-analytical-consent",
    ]);
  });

  it("keeps one product per folder, named after the folder, with its contracts under contracts/", () => {
    for (const p of products) {
      expect(basename(p.dir), rel(p.dir)).toBe(String(p.doc.id).split(".")[1]);
      expect(
        readdirSync(p.dir).filter((f) => f.endsWith(".odps.yaml")),
        rel(p.dir),
      ).toEqual([`${basename(p.dir)}.odps.yaml`]);
    }
    for (const c of contractFiles) expect(basename(dirname(c)), rel(c)).toBe("contracts");
  });

  const odps = validator("odps/schema/odps-json-schema-v1.0.0.json");
  it.each(productFiles.map((f) => [rel(f), f]))("%s is valid ODPS v1.0.0", (_, file) => {
    const doc = load(file);
    const valid = odps(doc);
    expect(odps.errors ?? [], String(file)).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.apiVersion).toBe("v1.0.0");
  });

  const odcs = validator("odcs/schema/odcs-json-schema-v3.1.0.json");
  it("uses validators that reject what the standards forbid", () => {
    expect(odps({ apiVersion: "v1.0.0", kind: "DataProduct", id: "x", status: "active", owner: "me" })).toBe(false);
    expect(
      odps({ apiVersion: "v1.0.0", kind: "DataProduct", id: "x", status: "active", productCreatedTs: "yesterday" }),
    ).toBe(false);
    const server = { server: "local", type: "local", format: "parquet" };
    expect(
      odcs({
        apiVersion: "v3.1.0",
        kind: "DataContract",
        id: "x",
        version: "1.0.0",
        status: "active",
        servers: [server],
      }),
    ).toBe(false);
    expect(odcs({ apiVersion: "v3.1.0", kind: "DataContract", id: "x", version: "1.0.0", status: "active" })).toBe(
      true,
    );
  });

  it.each(contractFiles.map((f) => [rel(f), f]))("%s is valid ODCS v3.1.0", (_, file) => {
    const doc = load(file);
    const valid = odcs(doc);
    expect(odcs.errors ?? [], String(file)).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.apiVersion).toBe("v3.1.0");
  });

  it.each(products.map((p) => [rel(p.dir), p.dir]))("%s lints with no errors and no warnings", (_, dir) => {
    const paths = [
      ...readdirSync(dir).filter((f) => f.endsWith(".odps.yaml")),
      ...readdirSync(join(dir, "contracts")).map((f) => join("contracts", f)),
    ];
    const files = paths.map((path) => ({ path: join(rel(dir), path), text: readFileSync(join(dir, path), "utf8") }));
    // Input ports name upstream products' contracts, which live in other folders; the test below
    // resolves them across the mesh, so a folder-only lint may not flag them.
    const issues = lintProduct(files, rel(dir)).filter(
      (i) => i.severity !== "info" && i.code !== "input-port-contract-unresolved",
    );
    expect(issues.map(formatIssue)).toEqual([]);
  });

  it("gives every product and contract a unique id", () => {
    const ids = [...products.map((p) => p.doc.id), ...products.flatMap((p) => [...p.contracts.keys()])];
    expect(new Set(ids).size).toBe(ids.length);
    expect(products.flatMap((p) => [...p.contracts.keys()]).length).toBe(contractFiles.length);
  });

  it("resolves every output port to a contract of the same version in the product's own folder", () => {
    for (const p of products) {
      const used = new Set<string>();
      for (const port of ports(p.doc, "outputPorts")) {
        const contract = p.contracts.get(String(port.contractId));
        expect(contract, `${rel(p.dir)}: output port ${String(port.name)}`).toBeDefined();
        expect(port.version, `${rel(p.dir)}: output port ${String(port.name)}`).toBe(contract?.version);
        expect(contract?.domain, `${rel(p.dir)}: ${String(port.contractId)}`).toBe(p.doc.domain);
        used.add(String(port.contractId));
      }
      // A contract no port exposes would be tested and published for nothing.
      expect(
        [...p.contracts.keys()].filter((id) => !used.has(id)),
        rel(p.dir),
      ).toEqual([]);
    }
  });

  it("resolves every input port to an output contract of the upstream product, at its version", () => {
    for (const p of products) {
      for (const port of ports(p.doc, "inputPorts")) {
        const id = String(port.contractId);
        const upstream = products.find((u) => ports(u.doc, "outputPorts").some((o) => o.contractId === id));
        expect(upstream, `${rel(p.dir)}: input port ${String(port.name)} → ${id}`).toBeDefined();
        expect(upstream?.dir).not.toBe(p.dir);
        expect(upstream?.contracts.get(id)?.version, `${rel(p.dir)}: input port ${String(port.name)}`).toBe(
          port.version,
        );
      }
    }
  });

  it("generates the source-aligned products' data and builds every other product by its pipeline", () => {
    for (const p of products) {
      const sourceAligned = JSON.stringify(p.doc.customProperties ?? []).includes('"source-aligned"');
      const generator = join(p.dir, "data", "generate.sql");
      const pipeline = join(p.dir, "pipeline.yaml");
      expect({ dir: rel(p.dir), generator: existsSync(generator), pipeline: existsSync(pipeline) }).toEqual({
        dir: rel(p.dir),
        generator: sourceAligned,
        pipeline: !sourceAligned,
      });
      const script = sourceAligned ? readFileSync(generator, "utf8") : undefined;
      for (const [id, contract] of p.contracts) {
        const servers = (contract.servers ?? []) as Obj[];
        const local = servers.find((s) => s.type === "local");
        expect(local, id).toMatchObject({ server: "local", format: "parquet" });
        // Server paths resolve against the contract file (contracts/), so data/ is one level up.
        const target = resolve(p.dir, "contracts", String(local?.path));
        expect(dirname(target), id).toBe(join(p.dir, "data"));
        if (script) expect(script, id).toContain(`TO 'data/${basename(target)}' (FORMAT parquet)`);
        expect(
          servers.some((s) => s.server === "production"),
          `${id} has a production server`,
        ).toBe(true);
      }
      if (!script) continue;
      expect(script, rel(p.dir)).not.toMatch(/\brandom\s*\(/i);
      expect(script, rel(p.dir)).toMatch(/SET VARIABLE row_count = COALESCE\(getvariable\('row_count'\), \d+\);/);
    }
  });
});
