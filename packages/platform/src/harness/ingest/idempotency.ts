import { createHash } from "node:crypto";
import { InputError, UnprocessableError } from "@quanta/core";
import type { Queryable } from "../../storage/database.js";
import type { IngestResult } from "./ingest-result.js";
import type { IngestFormat, Upload } from "./read-upload.js";
import { checkRecordShapes } from "./record-shape.js";

/** One use of an `Idempotency-Key`: keys are per product, input port and principal. */
export interface IdempotencyScope {
  productId: string;
  port: string;
  principal: string;
  key: string;
  /** What the request asked for: same key and same fingerprint = the same request, retried. */
  fingerprint: string;
}

export const maxIdempotencyKeyLength = 255;

/**
 * The key as sent: visible ASCII, 1–255 characters. A quoted string (the IETF draft's structured
 * header form, `"abc"`) and a bare token (`abc`, as most clients send it) are the same key.
 */
export function readIdempotencyKey(raw: string): string {
  const key = /^"(.*)"$/.test(raw) ? raw.slice(1, -1) : raw;
  if (key.length === 0 || key.length > maxIdempotencyKeyLength || !/^[\x20-\x7e]+$/.test(key)) {
    throw new InputError(
      `an Idempotency-Key is 1 to ${maxIdempotencyKeyLength} visible ASCII characters (a UUID is a good one)`,
      { code: "invalid-idempotency-key" },
    );
  }
  return key;
}

/**
 * The request's fingerprint: dataset, format and body (the file's bytes, or the records as JSON),
 * hashed. The records' shape is checked first: JSON.stringify of a record nested 20,000 deep
 * would overflow the stack.
 */
export function ingestFingerprint(
  dataset: string | undefined,
  upload: Upload | { format: IngestFormat; bytes: Uint8Array },
  maxDepth: number,
): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([dataset ?? null, upload.format]))
    .update("\n");
  if ("bytes" in upload) return hash.update(upload.bytes).digest("hex");
  checkRecordShapes(upload.records, maxDepth);
  return hash.update(JSON.stringify(upload.records)).digest("hex");
}

/**
 * The answer to a key already used: the first request's result (its version was made current in
 * the same transaction as the key), or 422 when the key came with a different request.
 */
export async function replayIngest(db: Queryable, scope: IdempotencyScope): Promise<IngestResult | undefined> {
  const { rows } = await db.query<{ fingerprint: string; batch_id: number; result: IngestResult }>(
    `SELECT fingerprint, batch_id, result FROM ingest_idempotency_keys
     WHERE product_id = $1 AND port = $2 AND principal = $3 AND key = $4`,
    [scope.productId, scope.port, scope.principal, scope.key],
  );
  const first = rows[0];
  if (!first) return undefined;
  if (first.fingerprint !== scope.fingerprint) {
    throw new UnprocessableError(
      `the Idempotency-Key "${scope.key}" was used for a different request to port "${scope.port}" (batch ${first.batch_id}); send new data with a new key`,
      { code: "idempotency-key-reused", details: { batchId: Number(first.batch_id) } },
    );
  }
  return first.result;
}

/**
 * Records the key with its batch, in the batch's transaction. False when another request with the
 * key committed first (PostgreSQL waits for it here): the caller rolls back and replays that one.
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  scope: IdempotencyScope,
  batchId: number,
  result: IngestResult,
): Promise<boolean> {
  const { rows } = await tx.query(
    `INSERT INTO ingest_idempotency_keys (product_id, port, principal, key, fingerprint, batch_id, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
     ON CONFLICT (product_id, port, principal, key) DO NOTHING
     RETURNING batch_id`,
    [scope.productId, scope.port, scope.principal, scope.key, scope.fingerprint, batchId, JSON.stringify(result)],
  );
  return rows.length > 0;
}
