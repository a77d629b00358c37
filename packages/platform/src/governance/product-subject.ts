import { type DataContract, type DataProduct, detectKind, SourceDocument } from "@quanta/core";
import { type PolicyDocument, type PolicySubject, policyDocument } from "@quanta/core/policy";
import type { ProductFile } from "../registry/publish-product.js";
import type { Queryable } from "../storage/database.js";
import { ProductRepository } from "../storage/repositories/product-repository.js";

export interface ProductDocuments {
  product: PolicyDocument<DataProduct>;
  contracts: PolicyDocument<DataContract>[];
}

/** The product file and contracts of a product folder, as policies read them (positions kept). */
export function documentsOf(files: readonly ProductFile[]): ProductDocuments | undefined {
  const sources = files
    .filter((f) => /\.(ya?ml|json)$/i.test(f.path))
    .map((f) => SourceDocument.parse(f.text, f.path))
    .filter((s) => s.readable);
  const product = sources.find((s) => detectKind(s.value)?.kind === "odps");
  if (!product) return undefined;
  return {
    product: policyDocument<DataProduct>(product),
    contracts: sources.filter((s) => detectKind(s.value)?.kind === "odcs").map((s) => policyDocument<DataContract>(s)),
  };
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
