import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { PortSchema, ProductSummarySchema, ProductVersionSchema } from "./product-schema.js";

export interface SearchText {
  a: string;
  b: string;
  c: string;
  d: string;
  words: string;
}

export interface ProductRecord {
  id: string;
  name: string;
  version: string;
  status: string;
  domainId: string | null;
  teamId: string | null;
  summary: string;
  tags: string[];
  search: SearchText;
}

export type PortRecord = z.infer<typeof PortSchema>;
export type ProductSummary = z.infer<typeof ProductSummarySchema>;
export type ProductVersion = z.infer<typeof ProductVersionSchema>;

export interface ProductQuery {
  q?: string | undefined;
  domain?: string | undefined;
  team?: string | undefined;
  tag?: string | undefined;
  status?: string | undefined;
  /** Only products certified at one of these levels now (see governance/governance-service.ts). */
  certification?: string[] | undefined;
  limit: number;
  offset: number;
}

export const summaryColumns = `p.id, p.name, p.version, p.status, p.domain_id AS domain, p.team_id AS team,
  p.summary, p.tags, p.updated_at AS "updatedAt"`;

/** Products, their published versions and the ports of the current version. */
export class ProductRepository {
  constructor(private readonly q: Queryable) {}

  async current(id: string): Promise<{ revision: number; version: string } | undefined> {
    const { rows } = await this.q.query<{ revision: number; version: string }>(
      "SELECT revision, version FROM data_products WHERE id = $1",
      [id],
    );
    return rows[0];
  }

  /** The products with an input port naming this contract (the consumers a pipeline may build from it). */
  async readersOfContract(contractId: string): Promise<string[]> {
    const { rows } = await this.q.query<{ product_id: string }>(
      "SELECT DISTINCT product_id FROM ports WHERE direction = 'input' AND contract_id = $1 ORDER BY product_id",
      [contractId],
    );
    return rows.map((r) => r.product_id);
  }

  /**
   * Products whose current version may hold a pipeline with a schedule (a file naming `kind:
   * Pipeline` and `schedule`): a cheap first cut, each one is then read properly.
   */
  async scheduledPipelineCandidates(): Promise<{ id: string; version: string }[]> {
    const { rows } = await this.q.query<{ id: string; version: string }>(
      `SELECT p.id, p.version FROM data_products p
       JOIN product_versions v ON v.product_id = p.id AND v.version = p.version
       WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(v.files) f
                     WHERE f ->> 'text' ~ 'kind"?\\s*:\\s*"?Pipeline' AND f ->> 'text' ~ 'schedule')
       ORDER BY p.id`,
    );
    return rows;
  }

  /** The ids of the products these teams own. */
  async idsOwnedBy(teamIds: readonly string[]): Promise<string[]> {
    const { rows } = await this.q.query<{ id: string }>(
      "SELECT id FROM data_products WHERE team_id = ANY($1::text[])",
      [teamIds],
    );
    return rows.map((r) => r.id);
  }

  async versionFiles(id: string, version: string): Promise<unknown | undefined> {
    const { rows } = await this.q.query<{ files: unknown }>(
      "SELECT files FROM product_versions WHERE product_id = $1 AND version = $2",
      [id, version],
    );
    return rows[0]?.files;
  }

  private params(p: ProductRecord): unknown[] {
    return [
      p.id,
      p.name,
      p.version,
      p.status,
      p.domainId,
      p.teamId,
      p.summary,
      p.tags,
      p.search.a,
      p.search.b,
      p.search.c,
      p.search.d,
      p.search.words,
    ];
  }

  /** Inserts a new product; a concurrent insert of the same id fails with a unique violation. */
  async insert(p: ProductRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO data_products (id, name, version, status, domain_id, team_id, summary, tags,
         search_a, search_b, search_c, search_d, search_words)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      this.params(p),
    );
  }

  /** Updates only if nobody published since `revision` was read; false when someone did. */
  async update(p: ProductRecord, revision: number): Promise<boolean> {
    const { rowCount } = await this.q.query(
      `UPDATE data_products SET name = $2, version = $3, status = $4, domain_id = $5, team_id = $6,
         summary = $7, tags = $8, search_a = $9, search_b = $10, search_c = $11, search_d = $12,
         search_words = $13, revision = revision + 1, updated_at = now()
       WHERE id = $1 AND revision = $14`,
      [...this.params(p), revision],
    );
    return rowCount === 1;
  }

  async insertVersion(v: {
    productId: string;
    version: string;
    document: unknown;
    files: unknown;
    publishedBy?: string | undefined;
  }): Promise<void> {
    await this.q.query(
      "INSERT INTO product_versions (product_id, version, document, files, published_by) VALUES ($1, $2, $3, $4, $5)",
      [v.productId, v.version, JSON.stringify(v.document), JSON.stringify(v.files), v.publishedBy ?? null],
    );
  }

  async replacePorts(productId: string, ports: readonly PortRecord[]): Promise<void> {
    await this.q.query("DELETE FROM ports WHERE product_id = $1", [productId]);
    for (const p of ports) {
      await this.q.query(
        `INSERT INTO ports (product_id, direction, name, type, version, contract_id, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [productId, p.direction, p.name, p.type, p.version, p.contractId, p.description],
      );
    }
  }

  async get(id: string): Promise<(ProductSummary & { document: unknown; ports: PortRecord[] }) | undefined> {
    const { rows } = await this.q.query<ProductSummary & { document: unknown }>(
      `SELECT ${summaryColumns}, v.document FROM data_products p
       JOIN product_versions v ON v.product_id = p.id AND v.version = p.version WHERE p.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { rows: ports } = await this.q.query<PortRecord>(
      `SELECT direction, name, type, version, contract_id AS "contractId", description
       FROM ports WHERE product_id = $1 ORDER BY direction, name`,
      [id],
    );
    return { ...row, ports };
  }

  async versions(id: string): Promise<ProductVersion[]> {
    const { rows } = await this.q.query<ProductVersion>(
      `SELECT version, published_at AS "publishedAt", published_by AS "publishedBy"
       FROM product_versions WHERE product_id = $1 ORDER BY published_at DESC, version DESC`,
      [id],
    );
    return rows;
  }
}
