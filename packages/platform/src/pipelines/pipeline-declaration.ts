import {
  checkPipeline,
  describeCycle,
  findPipelineCycle,
  type Issue,
  isPipelineDocument,
  type Pipeline,
  type PipelineEdge,
  parsePipeline,
  SourceDocument,
} from "@quanta/core";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { PublishFolder } from "../registry/publish-folder.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";

/** A product's ports as its ODPS document declares them (name and contract). */
export interface DeclaredPort {
  name: string;
  contractId: string | null;
}

export interface ProductPipeline {
  pipeline: Pipeline;
  source: SourceDocument;
  inputPorts: DeclaredPort[];
  outputPorts: DeclaredPort[];
}

const declaredPorts = (document: unknown, field: "inputPorts" | "outputPorts"): DeclaredPort[] =>
  arr(obj(document)?.[field]).flatMap((p) => {
    const name = str(obj(p)?.name);
    return name ? [{ name, contractId: str(obj(p)?.contractId) ?? null }] : [];
  });

/**
 * Parses and checks a pipeline file against its product's ports; the issues point into the file.
 * `pipeline` is undefined when there are errors.
 */
export function readPipeline(
  source: SourceDocument,
  productDocument: unknown,
): { pipeline: ProductPipeline | undefined; issues: Issue[] } {
  const parsed = parsePipeline(source);
  if (!parsed.pipeline) return { pipeline: undefined, issues: parsed.issues };
  const inputPorts = declaredPorts(productDocument, "inputPorts");
  const outputPorts = declaredPorts(productDocument, "outputPorts");
  const issues = checkPipeline(source, parsed.pipeline, {
    inputPorts: inputPorts.map((p) => p.name),
    outputPorts: outputPorts.map((p) => p.name),
  });
  if (issues.some((i) => i.severity === "error")) return { pipeline: undefined, issues };
  return { pipeline: { pipeline: parsed.pipeline, source, inputPorts, outputPorts }, issues };
}

/** The pipeline of a product's current version, when it has one (and it reads cleanly). */
export async function currentPipeline(q: Queryable, productId: string): Promise<ProductPipeline | undefined> {
  const source = await currentPipelineSource(q, productId);
  if (!source) return undefined;
  const product = await new ProductRepository(q).get(productId);
  return readPipeline(source, product?.document).pipeline;
}

/** The pipeline document of the product's current version, as published (exports read its schedule). */
export async function currentPipelineSource(q: Queryable, productId: string): Promise<SourceDocument | undefined> {
  const products = new ProductRepository(q);
  const current = await products.current(productId);
  if (!current) return undefined;
  const files = arr(await products.versionFiles(productId, current.version)).flatMap((f) => {
    const path = str(obj(f)?.path);
    const text = str(obj(f)?.text);
    return path !== undefined && text !== undefined ? [{ path, text }] : [];
  });
  for (const f of files) {
    if (!/\.(ya?ml|json)$/i.test(f.path)) continue;
    const source = SourceDocument.parse(f.text, f.path);
    if (source.readable && isPipelineDocument(source.value)) return source;
  }
  return undefined;
}

/**
 * The input ports each output of a pipeline reads, resolved to the products that serve them:
 * an input port names a contract (`contractId`), the contract belongs to one product.
 */
async function edgesOf(
  q: Queryable,
  productId: string,
  p: ProductPipeline,
  /** Contracts of the folder being published (not stored yet), by the product they belong to. */
  own: ReadonlyMap<string, string>,
): Promise<(PipelineEdge & { contractId: string })[]> {
  const contracts = new ContractRepository(q);
  const reads = new Set(p.pipeline.outputs.flatMap((o) => o.reads));
  const edges: (PipelineEdge & { contractId: string })[] = [];
  for (const port of p.inputPorts) {
    if (!reads.has(port.name) || !port.contractId) continue;
    const upstream = own.get(port.contractId) ?? (await contracts.owner(port.contractId));
    if (upstream) edges.push({ product: productId, via: port.name, upstream, contractId: port.contractId });
  }
  return edges;
}

/** Whether a product's pipeline builds the output port that serves `contractId`. */
function builds(p: ProductPipeline, contractId: string): boolean {
  const ports = p.outputPorts.filter((o) => o.contractId === contractId).map((o) => o.name);
  return p.pipeline.outputs.some((o) => ports.includes(o.port));
}

/**
 * The pipeline of a folder being published, checked: its shape, its ports, and that no chain of
 * products built by pipelines leads back to this one (a cycle, named, refused at the step that
 * reads the input port closing it).
 */
export async function checkFolderPipeline(q: Queryable, folder: PublishFolder): Promise<Issue[]> {
  if (!folder.pipeline) return [];
  const { pipeline, issues } = readPipeline(folder.pipeline.source, folder.product.document);
  if (!pipeline) return issues;
  const own = new Map(folder.contracts.map((c) => [c.id, folder.id]));
  const graph = new Map<string, (PipelineEdge & { contractId: string })[]>();
  graph.set(folder.id, await edgesOf(q, folder.id, pipeline, own));
  const pipelines = new Map<string, ProductPipeline | undefined>([[folder.id, pipeline]]);
  // Loaded as the walk reaches them; an edge counts only if the upstream's pipeline builds that port.
  const load = async (id: string) => {
    if (pipelines.has(id)) return;
    const p = await currentPipeline(q, id);
    pipelines.set(id, p);
    graph.set(id, p ? await edgesOf(q, id, p, own) : []);
  };
  const queue = [folder.id];
  for (let i = 0; i < queue.length && i < 500; i++) {
    for (const e of graph.get(queue[i] as string) ?? []) {
      if (pipelines.has(e.upstream)) continue;
      await load(e.upstream);
      queue.push(e.upstream);
    }
  }
  const upstreamOf = (id: string) =>
    (graph.get(id) ?? []).filter((e) => {
      const up = pipelines.get(e.upstream);
      return up !== undefined && builds(up, e.contractId);
    });
  const cycle = findPipelineCycle(folder.id, upstreamOf);
  if (!cycle) return issues;
  const first = cycle[0] as PipelineEdge;
  // The step of this product's pipeline that reads the input port starting the cycle.
  const outputs = pipeline.pipeline.outputs;
  const o = Math.max(
    0,
    outputs.findIndex((x) => x.reads.includes(first.via)),
  );
  const s = Math.max(
    0,
    (outputs[o]?.steps ?? []).findIndex(
      (st) => st.kind === "sql" && new RegExp(`\\b${first.via.replace(/[^\w-]/g, "")}\\b`, "i").test(st.sql),
    ),
  );
  return [
    ...issues,
    folder.pipeline.source.at(
      ["outputs", o, "steps", s, "sql"],
      "pipeline-cycle",
      "error",
      `the pipelines form a cycle: ${describeCycle(cycle)}; a product cannot be built, directly or through others, from its own output`,
    ),
  ];
}
