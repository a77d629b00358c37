import { type DataContract, type DataProduct, detectKind, SourceDocument } from "@quanta/core";
import {
  type PolicyColumnLineage,
  type PolicyDocument,
  type PolicySubject,
  type PolicyUpstreamColumn,
  policyDocument,
} from "@quanta/core/policy";
import type { LineageTransformation } from "@quanta/engine-duckdb";
import { type DeclaredColumnSource, declaredColumnLineage } from "../lineage/declared-columns.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import { type ProductFile, type PublishFolder, readPublishFolder } from "../registry/publish-folder.js";
import { arr, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";

export interface ProductDocuments {
  product: PolicyDocument<DataProduct>;
  contracts: PolicyDocument<DataContract>[];
}

/**
 * The product file and contracts of stored files, as policies read them (positions kept). Every
 * file is read and known by its kind, never its name, as publish reads them.
 */
export function documentsOf(files: readonly ProductFile[]): ProductDocuments | undefined {
  const sources = files.map((f) => SourceDocument.parse(f.text, f.path)).filter((s) => s.readable);
  const product = sources.find((s) => detectKind(s.value)?.kind === "odps");
  if (!product) return undefined;
  return {
    product: policyDocument<DataProduct>(product),
    contracts: sources.filter((s) => detectKind(s.value)?.kind === "odcs").map((s) => policyDocument<DataContract>(s)),
  };
}

/** A folder being published, as policies read it: the documents publish has already parsed. */
export function folderDocuments(folder: PublishFolder): ProductDocuments {
  return {
    product: policyDocument<DataProduct>(folder.product.source),
    contracts: folder.contracts.map((c) => policyDocument<DataContract>(c.source)),
  };
}

/**
 * What the policies judge of a folder about to be published: its documents, and the published
 * version it would follow (for rules about change).
 */
export async function publishSubject(q: Queryable, folder: PublishFolder): Promise<PolicySubject> {
  const current = await new ProductRepository(q).current(folder.id);
  const before = current ? await storedFiles(q, folder.id, current.version) : undefined;
  const previous = before ? documentsOf(before) : undefined;
  const lineage = await subjectLineage(q, folder);
  return { ...folderDocuments(folder), ...(previous ? { previous } : {}), lineage };
}

/**
 * What lineage rules read of a folder: its declared column lineage (its pipeline's SQL over the
 * input ports' published contracts), each upstream column with the classification its own
 * contract gives it and whether every path masks it.
 */
export async function subjectLineage(q: Queryable, folder: PublishFolder): Promise<PolicyColumnLineage[]> {
  const declared = await declaredColumnLineage(q, folder);
  const contracts = new Map<string, unknown>();
  const contractOf = async (product: string, port: string) => {
    const key = `${product}\u0000${port}`;
    if (!contracts.has(key)) contracts.set(key, await upstreamContract(q, folder, product, port));
    return contracts.get(key);
  };
  const upstream = async (s: DeclaredColumnSource, kind: "direct" | "indirect"): Promise<PolicyUpstreamColumn> => {
    const judged = s.transformations.filter((t) => kind === "indirect" || t.type === "DIRECT");
    return {
      product: s.product,
      port: s.port,
      dataset: s.dataset,
      column: s.column,
      classification: classificationOf(await contractOf(s.product, s.port), s.dataset, s.column),
      kind,
      masked: judged.length > 0 && judged.every((t) => t.masking),
      transformations: s.transformations.map((t: LineageTransformation) => `${t.type}/${t.subtype}`),
    };
  };
  const out: PolicyColumnLineage[] = [];
  for (const c of declared) {
    const upstreamColumns: PolicyUpstreamColumn[] = [];
    // A source only read to choose a value (a CASE condition) decides, but does not carry, the value.
    for (const s of c.sources)
      upstreamColumns.push(
        await upstream(s, s.transformations.some((t) => t.type === "DIRECT") ? "direct" : "indirect"),
      );
    for (const s of c.indirect) upstreamColumns.push(await upstream(s, "indirect"));
    out.push({ port: c.port, dataset: c.dataset, column: c.column, upstream: upstreamColumns });
  }
  return out;
}

/** The contract document of a product's output port: the folder's own, or the published one. */
async function upstreamContract(q: Queryable, folder: PublishFolder, product: string, port: string): Promise<unknown> {
  if (product === folder.id) {
    const contractId = str(
      arr(folder.product.document.outputPorts)
        .map(obj)
        .find((p) => str(p?.name) === port)?.contractId,
    );
    return folder.contracts.find((c) => c.id === contractId)?.source.value;
  }
  const contractId = (await new ProductRepository(q).get(product))?.ports.find(
    (p) => p.direction === "output" && p.name === port,
  )?.contractId;
  return contractId ? (await new ContractRepository(q).current(contractId))?.document : undefined;
}

/** A column's classification in a contract (by its physical name or name), lower-cased; null when it has none. */
function classificationOf(contract: unknown, dataset: string, column: string): string | null {
  const object = arr(obj(contract)?.schema)
    .map(obj)
    .find((o) => str(o?.name) === dataset);
  const property = arr(object?.properties)
    .map(obj)
    .find((p) => (str(p?.physicalName) ?? str(p?.name)) === column || str(p?.name) === column);
  return str(property?.classification)?.trim().toLowerCase() || null;
}

/** A stored version's files (undefined when that version is not published). */
export async function storedFiles(
  q: Queryable,
  productId: string,
  version: string,
): Promise<ProductFile[] | undefined> {
  return (await new ProductRepository(q).versionFiles(productId, version)) as ProductFile[] | undefined;
}

/**
 * What the policies judge for a published product: its current version, and the version before it
 * (for rules about change), read from the stored files.
 */
export async function publishedSubject(
  q: Queryable,
  productId: string,
): Promise<{ subject: PolicySubject; version: string } | undefined> {
  const products = new ProductRepository(q);
  const versions = await products.versions(productId);
  const [current, previous] = versions;
  if (!current) return undefined;
  const files = await storedFiles(q, productId, current.version);
  const docs = files ? documentsOf(files) : undefined;
  if (!docs) return undefined;
  const before = previous ? await storedFiles(q, productId, previous.version) : undefined;
  const prev = before ? documentsOf(before) : undefined;
  const lineage = files ? await storedLineage(q, files) : undefined;
  return {
    subject: { ...docs, ...(prev ? { previous: prev } : {}), ...(lineage ? { lineage } : {}) },
    version: current.version,
  };
}

/**
 * The lineage of a published version, from its stored files as publish read them: recomputed on
 * every evaluation, so an agreement granting a column unmasked since is seen. Files that no
 * longer read as a folder (published under older rules) have none.
 */
async function storedLineage(q: Queryable, files: readonly ProductFile[]): Promise<PolicyColumnLineage[] | undefined> {
  let folder: PublishFolder;
  try {
    folder = readPublishFolder(files);
  } catch {
    return undefined;
  }
  return subjectLineage(q, folder);
}
