import type { z } from "@hono/zod-openapi";
import type { Queryable } from "../storage/database.js";
import type { UsageByConsumerSchema } from "./observation-schema.js";

export interface UsageInput {
  productId: string;
  port?: string | undefined;
  consumer: string;
  action: string;
  rows?: number;
  bytes?: number;
  durationMs?: number;
  /** A read that failed: the platform's serving path ("serving") or the request itself ("request"). */
  failure?: "serving" | "request";
}

export type UsageByConsumer = z.infer<typeof UsageByConsumerSchema>;

/** Who read what and how much, one record per request. */
export class UsageRepository {
  constructor(private readonly q: Queryable) {}

  async record(u: UsageInput): Promise<void> {
    await this.q.query(
      `INSERT INTO usage_records (product_id, port, consumer, action, rows, bytes, duration_ms, failure)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        u.productId,
        u.port ?? null,
        u.consumer,
        u.action,
        u.rows ?? 0,
        u.bytes ?? 0,
        Math.round(u.durationMs ?? 0),
        u.failure ?? null,
      ],
    );
  }

  async byConsumer(productId: string, since?: string): Promise<UsageByConsumer[]> {
    const { rows } = await this.q.query<UsageByConsumer>(
      `SELECT consumer, count(*)::int AS reads, sum(rows)::bigint AS rows, sum(bytes)::bigint AS bytes
       FROM usage_records WHERE product_id = $1 AND at >= COALESCE($2::timestamptz, '-infinity')
       GROUP BY consumer ORDER BY consumer`,
      [productId, since ?? null],
    );
    return rows;
  }
}
