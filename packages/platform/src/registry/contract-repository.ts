import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { ContractSummarySchema, ContractVersionSchema, ContractVersionSummarySchema } from "./contract-schema.js";

export interface ContractVersionInput {
  contractId: string;
  version: string;
  productId: string;
  productVersion: string;
  name: string | null;
  status: string | null;
  file: string;
  source: string;
  sha256: string;
  document: unknown;
}

export type ContractSummary = z.infer<typeof ContractSummarySchema>;
export type ContractVersionSummary = z.infer<typeof ContractVersionSummarySchema>;
export type ContractVersion = z.infer<typeof ContractVersionSchema>;

/** Contracts and their published versions (immutable: the table refuses UPDATE and DELETE). */
export class ContractRepository {
  constructor(private readonly q: Queryable) {}

  async owner(contractId: string): Promise<string | undefined> {
    const { rows } = await this.q.query<{ product_id: string }>("SELECT product_id FROM contracts WHERE id = $1", [
      contractId,
    ]);
    return rows[0]?.product_id;
  }

  async versionHash(contractId: string, version: string): Promise<string | undefined> {
    const { rows } = await this.q.query<{ sha256: string }>(
      "SELECT sha256 FROM contract_versions WHERE contract_id = $1 AND version = $2",
      [contractId, version],
    );
    return rows[0]?.sha256;
  }

  /** Points the contract at `version`, adding that version unless it is already published. */
  async publish(c: ContractVersionInput): Promise<{ created: boolean }> {
    await this.q.query(
      `INSERT INTO contracts (id, product_id, name, version, status) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version,
         status = EXCLUDED.status, updated_at = now()
       WHERE contracts.product_id = EXCLUDED.product_id`,
      [c.contractId, c.productId, c.name, c.version, c.status],
    );
    const { rowCount } = await this.q.query(
      `INSERT INTO contract_versions (contract_id, version, product_version, file, source, sha256, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contract_id, version) DO NOTHING`,
      [c.contractId, c.version, c.productVersion, c.file, c.source, c.sha256, JSON.stringify(c.document)],
    );
    return { created: rowCount === 1 };
  }

  /** The version the contract points at now (the one last published with its product). */
  async current(contractId: string): Promise<ContractVersion | undefined> {
    const { rows } = await this.q.query<{ version: string }>("SELECT version FROM contracts WHERE id = $1", [
      contractId,
    ]);
    return rows[0] ? this.version(contractId, rows[0].version) : undefined;
  }

  async list(productId: string): Promise<ContractSummary[]> {
    const { rows } = await this.q.query<ContractSummary>(
      `SELECT id, product_id AS "productId", name, version, status, updated_at AS "updatedAt"
       FROM contracts WHERE product_id = $1 ORDER BY id`,
      [productId],
    );
    return rows;
  }

  async versions(contractId: string): Promise<ContractVersionSummary[]> {
    const { rows } = await this.q.query<ContractVersionSummary>(
      `SELECT contract_id AS "contractId", version, product_version AS "productVersion", sha256,
         published_at AS "publishedAt"
       FROM contract_versions WHERE contract_id = $1 ORDER BY published_at DESC, version DESC`,
      [contractId],
    );
    return rows;
  }

  async version(contractId: string, version: string): Promise<ContractVersion | undefined> {
    const { rows } = await this.q.query<ContractVersion>(
      `SELECT contract_id AS "contractId", version, product_version AS "productVersion", sha256,
         published_at AS "publishedAt", file, source, document
       FROM contract_versions WHERE contract_id = $1 AND version = $2`,
      [contractId, version],
    );
    return rows[0];
  }

  /** The current document of each contract named (one query); unknown ids are left out. */
  async currentDocuments(contractIds: readonly string[]): Promise<Map<string, unknown>> {
    if (contractIds.length === 0) return new Map();
    const { rows } = await this.q.query<{ id: string; document: unknown }>(
      `SELECT c.id, v.document FROM contracts c
         JOIN contract_versions v ON v.contract_id = c.id AND v.version = c.version
       WHERE c.id = ANY($1)`,
      [contractIds],
    );
    return new Map(rows.map((r) => [r.id, r.document]));
  }
}
