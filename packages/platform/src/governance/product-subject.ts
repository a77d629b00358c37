import { type DataContract, type DataProduct, detectKind, SourceDocument } from "@quanta/core";
import { type PolicyDocument, type PolicySubject, policyDocument } from "@quanta/core/policy";
import { ProductRepository } from "../registry/product-repository.js";
import type { ProductFile, PublishFolder } from "../registry/publish-folder.js";
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
  return { ...folderDocuments(folder), ...(previous ? { previous } : {}) };
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
  return { subject: { ...docs, ...(prev ? { previous: prev } : {}) }, version: current.version };
}
