import { type ColumnLineage, columnLineage, type LineageTransformation } from "@quanta/engine-duckdb";
import { agreementColumns } from "../access/agreement.js";
import { portAccess } from "../access/port-access.js";
import { readPipeline } from "../pipelines/pipeline-declaration.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { PublishFolder } from "../registry/publish-folder.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";

/** An upstream column an output column is computed from (or whose values decide its rows). */
export interface DeclaredColumnSource {
  product: string;
  port: string;
  dataset: string;
  column: string;
  transformations: LineageTransformation[];
}

/** One column of a pipeline output, as its SQL steps declare it: what it is computed from. */
export interface DeclaredColumnLineage {
  /** The output port and the dataset of its contract the output fills. */
  port: string;
  dataset: string;
  column: string;
  /**
   * The column's own upstream columns: those its values are computed from (DIRECT), and those
   * only choosing between values (INDIRECT CONDITIONAL, a CASE condition).
   */
  sources: DeclaredColumnSource[];
  /** Upstream columns deciding which rows the output has, or their order (INDIRECT): they concern every column. */
  indirect: DeclaredColumnSource[];
}

/** Something the lineage of an output could not follow: the rest stands. */
export interface DeclaredLineageIssue {
  port: string;
  /** The step it was found in, when it is one step's. */
  step: string | null;
  message: string;
}

export interface DeclaredLineage {
  columns: DeclaredColumnLineage[];
  issues: DeclaredLineageIssue[];
}

interface UpstreamTable {
  product: string;
  port: string;
  dataset: string;
  columns: string[];
  masked: string[];
}

/**
 * The column lineage a folder's pipeline declares (ADR 0031), before anything is stored: for
 * each output built by SQL steps alone, which upstream columns feed each of its columns. The
 * inputs are the input ports' upstream contracts as published, named as the SQL names them
 * (`port.dataset`, and `port` for a port of one dataset); a column an agreement serves masked to
 * this product's team (as a run would read it) is marked `masking`. Never throws on the
 * pipeline's SQL: what cannot be followed is an issue.
 */
export async function declaredLineage(q: Queryable, parsed: PublishFolder): Promise<DeclaredLineage> {
  const out: DeclaredLineage = { columns: [], issues: [] };
  if (!parsed.pipeline) return out;
  const { pipeline } = readPipeline(parsed.pipeline.source, parsed.product.document);
  if (!pipeline) return out;
  const upstreams = new Map<string, UpstreamTable[]>();
  for (const output of pipeline.pipeline.outputs) {
    const steps = output.steps;
    if (steps.some((s) => s.kind !== "sql")) continue;
    const tables: Record<string, UpstreamTable> = {};
    for (const read of output.reads) {
      const port = pipeline.inputPorts.find((p) => p.name === read);
      if (!port?.contractId) continue;
      const key = `${read}\u0000${port.contractId}`;
      if (!upstreams.has(key)) upstreams.set(key, await upstreamTables(q, parsed, port.contractId));
      const found = upstreams.get(key) ?? [];
      if (found.length === 0)
        out.issues.push({
          port: output.port,
          step: null,
          message: `input port ${read}: contract ${port.contractId} is not published, so its columns are unknown`,
        });
      for (const t of found) {
        tables[`${read}.${t.dataset}`] = t;
        if (found.length === 1) tables[read] = t;
      }
    }
    const dataset = outputDataset(parsed, pipeline.outputPorts, output.port, output.dataset);
    let found: ColumnLineage;
    try {
      found = await columnLineage(
        steps.map((s) => ({ name: s.name, sql: s.kind === "sql" ? s.sql : "" })),
        {
          tables: Object.fromEntries(Object.entries(tables).map(([n, t]) => [n, t.columns])),
          masked: Object.fromEntries(Object.entries(tables).map(([n, t]) => [n, t.masked])),
        },
      );
    } catch (e) {
      out.issues.push({ port: output.port, step: null, message: `no column lineage: ${(e as Error).message}` });
      continue;
    }
    for (const i of found.issues) out.issues.push({ port: output.port, step: i.statement, message: i.message });
    const resolve = (sources: ColumnLineage["dataset"]): DeclaredColumnSource[] =>
      sources.flatMap((s) => {
        const t = tables[s.table];
        return t
          ? [
              {
                product: t.product,
                port: t.port,
                dataset: t.dataset,
                column: s.column,
                transformations: s.transformations,
              },
            ]
          : [];
      });
    const indirect = resolve(found.dataset);
    for (const c of found.columns)
      out.columns.push({ port: output.port, dataset, column: c.name, sources: resolve(c.sources), indirect });
  }
  return out;
}

/** The declared column lineage of a folder's pipeline outputs, column by column (see `declaredLineage`). */
export async function declaredColumnLineage(q: Queryable, parsed: PublishFolder): Promise<DeclaredColumnLineage[]> {
  return (await declaredLineage(q, parsed)).columns;
}

const objects = (v: unknown) => arr(v).flatMap((o) => (obj(o) ? [obj(o) as Record<string, unknown>] : []));

/** The dataset an output fills: the one it names, else its contract's only one, else the port's name. */
function outputDataset(
  parsed: PublishFolder,
  outputPorts: readonly { name: string; contractId: string | null }[],
  port: string,
  dataset: string | undefined,
): string {
  if (dataset !== undefined) return dataset;
  const contractId = outputPorts.find((p) => p.name === port)?.contractId;
  const contract = parsed.contracts.find((c) => c.id === contractId);
  const names = objects(obj(contract?.source.value)?.schema).flatMap((o) => str(o.name) ?? []);
  return names.length === 1 ? (names[0] as string) : port;
}

/**
 * The datasets of the output port serving a contract, with their columns and what this folder's
 * team would read masked: a contract of the folder itself (an output reading another), or one
 * published by another product. The owner team reads everything; another team reads the
 * sensitive columns its agreement does not grant masked, as `planRead` serves them.
 */
async function upstreamTables(q: Queryable, parsed: PublishFolder, contractId: string): Promise<UpstreamTable[]> {
  const own = parsed.contracts.find((c) => c.id === contractId);
  let product: string;
  let port: string | undefined;
  let document: unknown;
  let productDocument: unknown;
  let ownerTeam: string | null;
  if (own) {
    product = parsed.id;
    document = own.source.value;
    productDocument = parsed.product.document;
    port = objects(parsed.product.document.outputPorts).find((p) => str(p.contractId) === contractId)?.name as
      | string
      | undefined;
    ownerTeam = parsed.declaredTeam;
  } else {
    const contracts = new ContractRepository(q);
    const owner = await contracts.owner(contractId);
    if (!owner) return [];
    const upstream = await new ProductRepository(q).get(owner);
    port = upstream?.ports.find((p) => p.direction === "output" && p.contractId === contractId)?.name;
    document = (await contracts.current(contractId))?.document;
    product = owner;
    productDocument = upstream?.document;
    ownerTeam = upstream?.team ?? null;
  }
  if (!port || !document) return [];
  const access = portAccess(productDocument, port, document);
  const unmasked = await unmaskedFor(q, parsed.declaredTeam, ownerTeam, product, port);
  return objects(obj(document)?.schema).flatMap((o) => {
    const dataset = str(o.name);
    if (!dataset) return [];
    const columns = objects(o.properties).flatMap((p) => str(p.physicalName) ?? str(p.name) ?? []);
    const sensitive = access.datasets.find((d) => d.name === dataset)?.sensitive ?? [];
    const masked = sensitive.filter(
      (c) => unmasked !== "all" && !unmasked.some((g) => g.toLowerCase() === c.toLowerCase()),
    );
    return [{ product, port: port as string, dataset, columns, masked }];
  });
}

/**
 * The sensitive columns the team reads unmasked: all of them from its own product, those its
 * active agreement grants otherwise (none without one: a run would be refused, a consumer
 * without a grant reads them masked).
 */
async function unmaskedFor(
  q: Queryable,
  team: string | null,
  ownerTeam: string | null,
  product: string,
  port: string,
): Promise<"all" | string[]> {
  if (team !== null && team === ownerTeam) return "all";
  if (team === null) return [];
  const { rows } = await q.query<{ grantedColumns: string[] | null }>(
    `SELECT "grantedColumns" FROM (SELECT ${agreementColumns} FROM agreements
       WHERE product_id = $1 AND port = $2 AND consumer_team = $3) a
     WHERE state IN ('active', 'terminating') ORDER BY "requestedAt" LIMIT 1`,
    [product, port, team],
  );
  return rows[0]?.grantedColumns ?? [];
}
