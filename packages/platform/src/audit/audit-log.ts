import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { AuditEntrySchema } from "./audit-entry-schema.js";

export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditDecision = AuditEntry["decision"];

export interface AuditInput {
  actor: string;
  /** What was asked: `consume`, `access.request`, `access.approve`, `access.terminate`... */
  action: string;
  productId?: string | null | undefined;
  port?: string | null | undefined;
  agreementId?: string | null | undefined;
  decision: AuditDecision;
  reason?: string | null | undefined;
  rows?: number | null | undefined;
  purpose?: string | null | undefined;
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  productId?: string | undefined;
  /** Only these products (an owner sees the products of their teams). */
  productIds?: readonly string[] | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  afterId?: number | undefined;
  limit?: number | undefined;
}

const columns = `id, at, actor, action, product_id AS "productId", port, agreement_id AS "agreementId", decision,
  reason, rows, purpose, details`;

/**
 * Who read what and every access decision, append-only: the table's triggers refuse UPDATE,
 * DELETE and TRUNCATE, so no code path (nor a person with the application's database role) can
 * rewrite history.
 */
export class AuditLog {
  constructor(private readonly q: Queryable) {}

  async append(e: AuditInput): Promise<AuditEntry> {
    const { rows } = await this.q.query<AuditEntry>(
      `INSERT INTO audit_log (actor, action, product_id, port, agreement_id, decision, reason, rows, purpose, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
      [
        e.actor,
        e.action,
        e.productId ?? null,
        e.port ?? null,
        e.agreementId ?? null,
        e.decision,
        e.reason ?? null,
        e.rows ?? null,
        e.purpose ?? null,
        JSON.stringify(e.details ?? {}),
      ],
    );
    return rows[0] as AuditEntry;
  }

  /** Oldest first within the window; `afterId` pages on. */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const { rows } = await this.q.query<AuditEntry>(
      `SELECT ${columns} FROM audit_log
       WHERE ($1::text IS NULL OR product_id = $1)
         AND ($2::text[] IS NULL OR product_id = ANY($2::text[]))
         AND ($3::text IS NULL OR actor = $3)
         AND ($4::text IS NULL OR action = $4)
         AND ($5::timestamptz IS NULL OR at >= $5)
         AND ($6::timestamptz IS NULL OR at < $6)
         AND id > $7
       ORDER BY id LIMIT $8`,
      [
        query.productId ?? null,
        query.productIds ? [...query.productIds] : null,
        query.actor ?? null,
        query.action ?? null,
        query.from ?? null,
        query.to ?? null,
        query.afterId ?? 0,
        Math.min(query.limit ?? 100, 1000),
      ],
    );
    return rows;
  }
}
