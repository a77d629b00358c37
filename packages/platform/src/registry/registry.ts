import type { z } from "@hono/zod-openapi";
import { InputError, NotFoundError } from "@quanta/core";
import { EventLog, type StoredEvent } from "../audit/event-log.js";
import { publishGovernance } from "../governance/publish-governance.js";
import type { Principal } from "../identity/principal.js";
import type { Database } from "../storage/database.js";
import {
  ContractRepository,
  type ContractSummary,
  type ContractVersion,
  type ContractVersionSummary,
} from "./contract-repository.js";
import { productCacheOf } from "./product-cache.js";
import { type ProductQuery, ProductRepository } from "./product-repository.js";
import type { ProductDetailSchema } from "./product-schema.js";
import { type ProductList, productSearchOf } from "./product-search.js";
import { type PublishInput, type PublishResult, publishProduct } from "./publish-product.js";
import type { Facets } from "./search-index.js";

export type ProductDetail = z.infer<typeof ProductDetailSchema>;

/**
 * No product holds a NUL (the store cannot take one): a NUL in the text or a filter is a mistake or
 * a probe, refused as every other field refuses it rather than matching nothing.
 */
function refuseNul(query: Omit<ProductQuery, "limit" | "offset">): void {
  for (const field of ["q", "domain", "team", "tag", "status"] as const) {
    if (query[field]?.includes("\0")) throw new InputError(`${field}: holds a NUL character`);
  }
}

/** The registry service: what the HTTP API, the CLI and tests call; written once for both stores. */
export class Registry {
  constructor(readonly db: Database) {}

  /**
   * The platform's own publish (the demo mesh at start-up), through the policy gate: blocking
   * policy rules refuse (ADR 0014). Nobody's rights are checked: callers on behalf of a person or a
   * service use `publishAs`.
   */
  publish(input: Omit<PublishInput, "principal">): Promise<PublishResult> {
    return publishProduct(this.db, input, publishGovernance);
  }

  /**
   * Publishes on behalf of `principal`: their rights are decided from the stored owner team and
   * their memberships (ADR 0020), a refusal is audited, and the version records them as publisher.
   */
  publishAs(principal: Principal, input: Omit<PublishInput, "principal" | "publishedBy">): Promise<PublishResult> {
    return publishProduct(this.db, { ...input, principal, publishedBy: principal.name }, publishGovernance);
  }

  async search(query: ProductQuery): Promise<ProductList> {
    refuseNul(query);
    return productSearchOf(this.db).search(query);
  }

  /** How many products matching the query carry each domain, team, tag and status. */
  async facets(query: Omit<ProductQuery, "limit" | "offset">): Promise<Facets> {
    refuseNul(query);
    return productSearchOf(this.db).facets(query);
  }

  /** Whether this process has read the catalogue into its search index. */
  get searchReady(): boolean {
    return productSearchOf(this.db).ready;
  }

  /** Reads the catalogue into the search index now (a search would otherwise do it first). */
  warmSearch(): Promise<void> {
    return productSearchOf(this.db).refresh();
  }

  /** Answered from the product cache while the product's revision holds (see product-cache.ts). */
  async product(id: string): Promise<ProductDetail> {
    const products = new ProductRepository(this.db);
    const detail = await productCacheOf<ProductDetail>(this.db).read(
      id,
      async () => (await products.current(id))?.revision,
      async () => {
        // The revision first: what is read after it is at least as new, never older.
        const current = await products.current(id);
        const found = current && (await products.get(id));
        if (!current || !found) throw new NotFoundError(`no data product "${id}"`);
        const [contracts, versions] = await Promise.all([
          new ContractRepository(this.db).list(id),
          products.versions(id),
        ]);
        const value = { ...found, document: found.document as Record<string, unknown>, contracts, versions };
        return { revision: current.revision, value };
      },
    );
    return { ...detail };
  }

  async contracts(productId: string): Promise<ContractSummary[]> {
    await this.requireProduct(productId);
    return new ContractRepository(this.db).list(productId);
  }

  async contractVersions(productId: string, contractId: string): Promise<ContractVersionSummary[]> {
    await this.requireContract(productId, contractId);
    return new ContractRepository(this.db).versions(contractId);
  }

  async contractVersion(productId: string, contractId: string, version: string): Promise<ContractVersion> {
    await this.requireContract(productId, contractId);
    const found = await new ContractRepository(this.db).version(contractId, version);
    if (!found) throw new NotFoundError(`contract "${contractId}" has no published version "${version}"`);
    return found;
  }

  events(options: { subject?: string; afterId?: number; limit?: number }): Promise<StoredEvent[]> {
    return new EventLog(this.db).list(options);
  }

  private async requireProduct(id: string): Promise<void> {
    if (!(await new ProductRepository(this.db).current(id))) throw new NotFoundError(`no data product "${id}"`);
  }

  private async requireContract(productId: string, contractId: string): Promise<void> {
    await this.requireProduct(productId);
    if ((await new ContractRepository(this.db).owner(contractId)) !== productId) {
      throw new NotFoundError(`data product "${productId}" has no contract "${contractId}"`);
    }
  }
}
