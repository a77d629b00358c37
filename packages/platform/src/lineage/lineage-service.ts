import { InputError, NotFoundError } from "@quanta/core";
import type { ColumnLineage } from "@quanta/engine-duckdb";
import { authorize } from "../identity/authorize.js";
import type { Principal } from "../identity/principal.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { type ProductFile, type PublishFolder, readPublishFolder } from "../registry/publish-folder.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { agreementEdges } from "./agreement-edges.js";
import { type DeclaredColumnLineage, declaredColumnLineage } from "./declared-columns.js";
import type { LineageGraph } from "./lineage-schema.js";
import { type LineageEdge, LineageStore } from "./lineage-store.js";
import { nodeId, parseNodeId } from "./node-id.js";

type NewEdge = Omit<LineageEdge, "firstSeen" | "lastSeen">;
export type LineageDirection = "upstream" | "downstream";

/** At most this many nodes (and four times as many edges) in one answer; beyond, `truncated`. */
export const maxLineageNodes = 500;
export const maxLineageDepth = 10;

/**
 * The declared edges into one product (ADR 0033): each input port's contract resolves to the
 * upstream output port serving it, `port:<upstream>/<out>` → `product:<id>`, and the product feeds
 * each of its output ports, `product:<id>` → `port:<id>/<out>`. Replaced as a whole, so a new
 * version that drops an input or an output drops its edge.
 */
export async function recordDeclaredLineage(q: Queryable, productId: string): Promise<void> {
  const products = new ProductRepository(q);
  const contracts = new ContractRepository(q);
  const product = await products.get(productId);
  const store = new LineageStore(q);
  const into: NewEdge[] = [];
  for (const input of product?.ports.filter((p) => p.direction === "input" && p.contractId) ?? []) {
    const contractId = input.contractId as string;
    const upstream = await contracts.owner(contractId);
    if (!upstream || upstream === productId) continue;
    const served = (await products.get(upstream))?.ports.find(
      (p) => p.direction === "output" && p.contractId === contractId,
    );
    if (!served) continue;
    into.push({
      from: nodeId({ kind: "port", product: upstream, port: served.name }),
      to: nodeId({ kind: "product", product: productId }),
      origin: "declared",
      details: { inputPort: input.name, contractId, version: input.version },
    });
  }
  const out: NewEdge[] = (product?.ports ?? [])
    .filter((p) => p.direction === "output")
    .map((p) => ({
      from: nodeId({ kind: "product", product: productId }),
      to: nodeId({ kind: "port", product: productId, port: p.name }),
      origin: "declared",
      details: p.contractId ? { contractId: p.contractId } : {},
    }));
  await store.replaceInto("declared", [nodeId({ kind: "product", product: productId })], into);
  await store.replaceUnder("declared", `port:${productId}/`, out);
}

/**
 * After a publish: the product's own declared edges, and those of the products reading the
 * contracts it changed: new contract versions (their columns may differ, or the readers were
 * published first and had nothing to resolve to) and the contracts of ports it dropped. A publish
 * that changes no contract leaves its readers as they are.
 */
export async function recordPublishedLineage(
  q: Queryable,
  productId: string,
  changed: { contracts: readonly string[]; removedContracts: readonly string[] } = {
    contracts: [],
    removedContracts: [],
  },
): Promise<void> {
  await redrawDeclared(q, productId);
  const products = new ProductRepository(q);
  const readers = new Set<string>();
  for (const c of [...changed.contracts, ...changed.removedContracts])
    for (const r of await products.readersOfContract(c)) readers.add(r);
  readers.delete(productId);
  // Their SQL reads this product's columns: those may have changed, or been unknown until now.
  for (const r of readers) await redrawDeclared(q, r);
}

/** A product's declared edges, ports and columns, drawn again from its current version. */
async function redrawDeclared(q: Queryable, productId: string): Promise<void> {
  await recordDeclaredLineage(q, productId);
  await recordStoredColumns(q, productId);
}

/** The declared column edges of a product's current version, from its stored files. */
async function recordStoredColumns(q: Queryable, productId: string): Promise<void> {
  const products = new ProductRepository(q);
  const current = await products.current(productId);
  const files = current ? await products.versionFiles(productId, current.version) : undefined;
  if (!Array.isArray(files)) return;
  let folder: PublishFolder;
  try {
    folder = readPublishFolder(files as ProductFile[]);
  } catch {
    return; // A version stored before its folder's rules: it has no pipeline to read.
  }
  await recordDeclaredColumns(q, productId, await declaredColumnLineage(q, folder));
}

/** A column's node name. */
const columnNode = (c: { product: string; port: string; dataset: string; column: string }) =>
  nodeId({ kind: "column", product: c.product, port: c.port, dataset: c.dataset, column: c.column });

/** Column edges of one origin, one per pair of columns: its transformations gathered, `indirect` when any is. */
class ColumnEdges {
  private readonly edges = new Map<string, NewEdge>();
  constructor(
    private readonly origin: LineageEdge["origin"],
    private readonly details: Record<string, unknown>,
  ) {}

  add(from: string, to: string, transformations: readonly unknown[], indirect: boolean): void {
    const key = `${from}\u0000${to}`;
    const edge = this.edges.get(key) ?? {
      from,
      to,
      origin: this.origin,
      details: { ...this.details, transformations: [] },
    };
    (edge.details.transformations as unknown[]).push(...transformations);
    if (indirect) edge.details.indirect = true;
    this.edges.set(key, edge);
  }

  list(): NewEdge[] {
    return [...this.edges.values()];
  }
}

/**
 * The declared column edges of a product (ADR 0033): its pipeline's SQL read at publish, each
 * output column from the upstream columns it is computed from (or that decide its rows), so the
 * graph knows a product's columns before its first run. Replaces the product's earlier ones.
 */
export async function recordDeclaredColumns(
  q: Queryable,
  productId: string,
  columns: readonly DeclaredColumnLineage[],
): Promise<void> {
  const edges = new ColumnEdges("declared", {});
  for (const c of columns) {
    const to = nodeId({ kind: "column", product: productId, port: c.port, dataset: c.dataset, column: c.column });
    for (const s of c.sources) edges.add(columnNode(s), to, s.transformations, false);
    for (const s of c.indirect) edges.add(columnNode(s), to, s.transformations, true);
  }
  await new LineageStore(q).replaceUnder("declared", `column:${productId}/`, edges.list());
}

/**
 * The declared edges of the products published before the graph existed: drawn once, the first
 * time the graph is walked, and marked done (migration 34), so a publish since does not hide them.
 */
export async function backfillDeclaredLineage(q: Queryable): Promise<void> {
  const done = await q.query("SELECT 1 FROM lineage_backfills WHERE name = 'declared'");
  if (done.rows.length > 0) return;
  await rebuildDeclaredLineage(q);
  await q.query("INSERT INTO lineage_backfills (name) VALUES ('declared') ON CONFLICT (name) DO NOTHING");
}

/** The declared edges of every product, drawn again from the registry. */
export async function rebuildDeclaredLineage(q: Queryable): Promise<void> {
  // The registry's table, read for its ids only: the edges themselves come from the repositories.
  const { rows } = await q.query<{ id: string }>("SELECT id FROM data_products ORDER BY id");
  for (const { id } of rows) await redrawDeclared(q, id);
}

/** What a pipeline's input table (`port` or `port.dataset`, as its SQL names it) reads. */
export interface LineageTable {
  product: string;
  port: string;
  dataset: string;
}

/** The tables an output's SQL may name, from its input ports and their planned reads. */
export function lineageTables(
  reads: readonly string[],
  plans: readonly { productId: string; port: string; datasets: readonly { name: string }[] }[],
): Record<string, LineageTable> {
  const tables: Record<string, LineageTable> = {};
  reads.forEach((input, i) => {
    const plan = plans[i];
    if (!plan) return;
    for (const d of plan.datasets) {
      const table = { product: plan.productId, port: plan.port, dataset: d.name };
      tables[`${input}.${d.name}`] = table;
      if (plan.datasets.length === 1) tables[input] = table;
    }
  });
  return tables;
}

/**
 * The column edges of a run's published outputs (ADR 0033), from their column lineage: each
 * output column derives from the upstream columns with the transformations in the details.
 * Rows-deciding (INDIRECT) inputs are kept on each column's edges from them. Replaces the
 * output's previous pipeline edges.
 */
export async function recordPipelineLineage(
  q: Queryable,
  productId: string,
  runId: number,
  outputs: readonly { port: string; dataset: string | null; published: boolean }[],
  lineage: Readonly<Record<string, ColumnLineage | undefined>>,
  tables: Readonly<Record<string, Readonly<Record<string, LineageTable>>>>,
): Promise<void> {
  const store = new LineageStore(q);
  const job = `quanta/${productId}.pipeline`;
  for (const o of outputs) {
    const found = lineage[o.port];
    if (!o.published || !o.dataset || !found) continue;
    const dataset = o.dataset;
    const inputs = tables[o.port] ?? {};
    const edges = new ColumnEdges("pipeline", { job, run: runId });
    const add = (column: string, source: ColumnLineage["dataset"][number], indirect: boolean) => {
      const t = inputs[source.table];
      if (!t) return;
      const to = nodeId({ kind: "column", product: productId, port: o.port, dataset, column });
      edges.add(columnNode({ ...t, column: source.column }), to, source.transformations, indirect);
    };
    for (const c of found.columns) {
      for (const s of c.sources) add(c.name, s, false);
      for (const s of found.dataset) add(c.name, s, true);
    }
    await store.replaceUnder("pipeline", `column:${productId}/${o.port}/`, edges.list());
  }
}

/**
 * A column edge whose upstream column only decides which rows there are (a filter, a join, a
 * grouping), none of the values: left out when only where values come from is asked.
 */
function onlyDecidesRows(e: LineageEdge): boolean {
  const ts = e.details.transformations;
  return e.details.indirect === true && !(Array.isArray(ts) && ts.some((t) => obj(t)?.type === "DIRECT"));
}

const dotted = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The lineage graph's reads: a node's upstream or downstream, breadth-first, one query a level. */
export class LineageService {
  constructor(private readonly db: Queryable) {}

  /**
   * A node's name in the graph, from `product[.port[.column]]` (or `product.port.dataset.column`)
   * resolved against the registry, or a raw node name (`column:…`).
   */
  async resolve(node: string): Promise<string> {
    const products = new ProductRepository(this.db);
    if (node.includes(":")) {
      const n = parseNodeId(node);
      if (!n)
        throw new InputError(`"${node}" is no lineage node name (product:, port:, column:, job:, dataset:, team:)`);
      if ("product" in n && !(await products.current(n.product)))
        throw new NotFoundError(`no data product "${n.product}"`);
      return nodeId(n);
    }
    if (!dotted.test(node))
      throw new InputError(`"${node}" is no node: give PRODUCT, PRODUCT.PORT or PRODUCT.PORT.COLUMN, or a node name`);
    const parts = node.split(".");
    for (let i = parts.length; i > 0; i--) {
      const productId = parts.slice(0, i).join(".");
      const product = await products.get(productId);
      if (!product) continue;
      const [portName, ...rest] = parts.slice(i);
      if (portName === undefined) return nodeId({ kind: "product", product: productId });
      const port = product.ports.find((p) => p.direction === "output" && p.name === portName);
      if (!port) throw new NotFoundError(`data product ${productId} has no output port "${portName}"`);
      if (rest.length === 0) return nodeId({ kind: "port", product: productId, port: port.name });
      if (rest.length > 2) throw new InputError(`"${node}": a column is PORT.COLUMN or PORT.DATASET.COLUMN`);
      const doc = port.contractId
        ? (await new ContractRepository(this.db).current(port.contractId))?.document
        : undefined;
      const objects = arr(obj(doc)?.schema).flatMap((o) => {
        const x = obj(o);
        return x ? [x] : [];
      });
      const object =
        rest.length === 2
          ? objects.find((o) => str(o.name) === rest[0])
          : objects.length === 1
            ? objects[0]
            : undefined;
      const column = rest[rest.length - 1] as string;
      if (!object) {
        if (rest.length === 2) throw new NotFoundError(`port ${productId}.${port.name} has no dataset "${rest[0]}"`);
        throw new InputError(`port ${productId}.${port.name} serves several datasets: name one, PORT.DATASET.COLUMN`);
      }
      // Edges name a column as the data does: its physical name when the contract gives one.
      const property = arr(object.properties)
        .map((p) => obj(p))
        .find((p) => str(p?.name) === column || str(p?.physicalName) === column);
      if (!property)
        throw new NotFoundError(`dataset ${str(object.name)} of ${productId}.${port.name} has no column "${column}"`);
      return nodeId({
        kind: "column",
        product: productId,
        port: port.name,
        dataset: str(object.name) as string,
        column: str(property.physicalName) ?? column,
      });
    }
    throw new NotFoundError(`no data product named by "${node}"`);
  }

  async graph(
    principal: Principal | undefined,
    node: string,
    direction: LineageDirection,
    depth = 3,
    options: { direct?: boolean } = {},
  ): Promise<LineageGraph> {
    authorize(principal, "lineage.read", undefined);
    if (!Number.isInteger(depth) || depth < 1 || depth > maxLineageDepth)
      throw new InputError(`depth is 1 to ${maxLineageDepth}, not ${depth}`);
    const start = await this.resolve(node);
    const store = new LineageStore(this.db);
    await backfillDeclaredLineage(this.db);
    const seen = new Map<string, number>([[start, 0]]);
    const edges: LineageEdge[] = [];
    const maxEdges = maxLineageNodes * 4;
    let truncated = false;
    let frontier = [start];
    for (let level = 1; level <= depth && frontier.length > 0 && !truncated; level++) {
      const room = maxEdges - edges.length + 1;
      const found = await store.next(frontier, direction, room);
      // Who reads what: from the agreements themselves, live.
      if (found.length < room) found.push(...(await agreementEdges(this.db, frontier, direction, room - found.length)));
      if (found.length > maxEdges - edges.length) {
        truncated = true;
        found.length = maxEdges - edges.length;
      }
      const next: string[] = [];
      for (const e of found) {
        if (options.direct && onlyDecidesRows(e)) continue;
        const other = direction === "upstream" ? e.from : e.to;
        if (!seen.has(other)) {
          if (seen.size >= maxLineageNodes) {
            truncated = true;
            continue;
          }
          seen.set(other, level);
          next.push(other);
        }
        edges.push(e);
      }
      frontier = next;
    }
    return {
      node: start,
      direction,
      depth,
      nodes: [...seen].map(([id, d]) => ({ id, kind: parseNodeId(id)?.kind ?? "dataset", depth: d })),
      edges: edges.map((e) => ({
        ...e,
        firstSeen: new Date(e.firstSeen).toISOString(),
        lastSeen: new Date(e.lastSeen).toISOString(),
      })),
      truncated,
    };
  }
}
