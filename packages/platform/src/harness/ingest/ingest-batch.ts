import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError, NotFoundError, TooLargeError, UnprocessableError } from "@quanta/core";
import { writeParquetFromNdjson } from "@quanta/engine-duckdb";
import type { Database } from "../../storage/database.js";
import { EventLog } from "../../storage/repositories/event-log.js";
import type { DataLocator } from "../data-locator.js";
import type { PortContract } from "../port-data.js";
import { schemaObjects } from "../port-data.js";
import { batchName, completeBatch, datasetDir, incomingName, pendingName } from "./batch-files.js";
import { claimIdempotencyKey, type IdempotencyScope, replayIngest } from "./idempotency.js";
import type { IngestResult } from "./ingest-result.js";
import type { Upload } from "./read-upload.js";
import { checkRecordShapes } from "./record-shape.js";
import { type IngestColumn, type IngestValue, RowValidator } from "./row-validator.js";

export interface IngestLimits {
  /** Most records one request may carry. */
  maxRows: number;
  /** Quarantined rows listed in the response (all are stored). */
  listQuarantined: number;
  /** Deepest nesting of objects and arrays in a record (the record itself is level 1). */
  maxDepth: number;
}

export type { IngestResult } from "./ingest-result.js";

export const defaultIngestLimits: IngestLimits = { maxRows: 100_000, listQuarantined: 20, maxDepth: 64 };

/** A result, and whether it is the stored answer to an `Idempotency-Key` used before. */
export type IngestOutcome = IngestResult & { replayed?: true };

/** Another request with the same idempotency key committed first. */
class KeyTaken extends Error {}

/** The contract's dataset the upload is for: named, or the only one. */
export function datasetOf(pc: PortContract, dataset: string | undefined): string {
  const names = schemaObjects(pc.contract).map((o) => o.name);
  if (dataset !== undefined) {
    if (!names.includes(dataset))
      throw new NotFoundError(`contract "${pc.contractId}" has no dataset "${dataset}" (${names.join(", ")})`, {
        code: "not-found",
      });
    return dataset;
  }
  const only = names.length === 1 ? names[0] : undefined;
  if (!only)
    throw new InputError(
      `contract "${pc.contractId}" has ${names.length} datasets (${names.join(", ")}); name one with "dataset"`,
      { code: "dataset-required" },
    );
  return only;
}

/** Accepted rows as one Parquet file, typed by the contract, written by DuckDB from NDJSON. */
async function writeParquet(
  rows: Record<string, IngestValue>[],
  columns: IngestColumn[],
  dir: string,
  target: string,
): Promise<void> {
  const ndjson = join(dir, incomingName("ndjson"));
  await writeFile(ndjson, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  try {
    await writeParquetFromNdjson(ndjson, columns, target);
  } finally {
    await rm(ndjson, { force: true });
  }
}

/**
 * Validates every record against the port's contract and stores the batch atomically: accepted
 * rows in a new Parquet file under the platform's ingest folder, quarantined rows (with every
 * reason), the batch row and the idempotency key in the store, in one transaction.
 * accepted + quarantined = received. The file is written under a temporary name, renamed to a
 * pending name inside the transaction and to `batch-<id>.parquet` only after the commit, so a
 * reader of the folder never sees a batch the store does not have; a stop in between is
 * completed by start-up recovery (recover-ingest.ts) or by a retry with the same key.
 */
export async function ingestBatch(
  db: Database,
  locator: DataLocator,
  pc: PortContract,
  dataset: string,
  upload: Upload,
  actor: string,
  limits: IngestLimits,
  idempotency?: IdempotencyScope,
): Promise<IngestOutcome> {
  const received = upload.records.length;
  if (received === 0) throw new InputError("the upload holds no records", { code: "empty" });
  if (received > limits.maxRows)
    throw new TooLargeError(`the upload holds more than ${limits.maxRows} records; split it into batches`, {
      code: "too-many-rows",
    });
  checkRecordShapes(upload.records, limits.maxDepth);
  const validator = new RowValidator(pc.contract, dataset);
  if (validator.columns.length === 0)
    throw new UnprocessableError(
      `dataset "${dataset}" of "${pc.contractId}" declares no properties to validate against`,
      { code: "no-schema" },
    );
  if (upload.header) {
    const { unknown, missing } = validator.headerProblems(upload.header);
    if (unknown.length > 0 || missing.length > 0) {
      throw new UnprocessableError(
        `the file's columns do not match dataset "${dataset}" of contract "${pc.contractId}"${unknown.length ? `; not in the contract: ${unknown.join(", ")}` : ""}${missing.length ? `; required but missing: ${missing.join(", ")}` : ""}`,
        { code: "wrong-schema", details: { unknown, missing, expected: validator.columns.map((c) => c.name) } },
      );
    }
  }
  const accepted: Record<string, IngestValue>[] = [];
  const quarantined: { row: number; record: unknown; reasons: string[] }[] = [];
  for (const [i, record] of upload.records.entries()) {
    const verdict = validator.validate(record, upload.mode);
    if (verdict.row) accepted.push(verdict.row);
    else quarantined.push({ row: i + 1, record, reasons: verdict.reasons });
  }
  const dir = datasetDir(locator, pc.productId, pc.port.name, dataset);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, incomingName("parquet"));
  let pending: string | undefined;
  let result: IngestResult;
  try {
    if (accepted.length > 0) await writeParquet(accepted, validator.columns, dir, temp);
    result = await db.transaction(async (tx): Promise<IngestResult> => {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO ingest_batches (product_id, port, dataset, contract_id, contract_version, format, received, accepted, quarantined, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          pc.productId,
          pc.port.name,
          dataset,
          pc.contractId,
          pc.contractVersion,
          upload.format,
          received,
          accepted.length,
          quarantined.length,
          actor,
        ],
      );
      const id = Number((rows[0] as { id: number }).id);
      const result: IngestResult = {
        batchId: id,
        port: pc.port.name,
        dataset,
        contractId: pc.contractId,
        contractVersion: pc.contractVersion,
        format: upload.format,
        received,
        accepted: accepted.length,
        quarantined: quarantined.length,
        quarantine: quarantined.slice(0, limits.listQuarantined).map((q) => ({ row: q.row, reasons: q.reasons })),
      };
      if (idempotency && !(await claimIdempotencyKey(tx, idempotency, id, result))) throw new KeyTaken();
      for (let start = 0; start < quarantined.length; start += 500) {
        const part = quarantined.slice(start, start + 500);
        await tx.query(
          `INSERT INTO quarantine_rows (batch_id, row_number, record, reasons)
           SELECT $1, r.row_number, r.record, r.reasons
           FROM jsonb_to_recordset($2::jsonb) AS r(row_number integer, record jsonb, reasons jsonb)`,
          [id, JSON.stringify(part.map((q) => ({ row_number: q.row, record: q.record, reasons: q.reasons })))],
        );
      }
      await new EventLog(tx).append({
        type: "ingest.batch",
        subject: pc.productId,
        actor,
        payload: {
          batch: id,
          port: pc.port.name,
          dataset,
          received,
          accepted: accepted.length,
          quarantined: quarantined.length,
        },
      });
      if (accepted.length > 0) {
        await tx.query("UPDATE ingest_batches SET file = $2 WHERE id = $1", [id, join(dir, batchName(id))]);
        pending = join(dir, pendingName(id));
        await rename(temp, pending); // a failure here rolls the whole batch back
      }
      return result;
    });
  } catch (e) {
    // Rolled back, or never begun: no file is left behind.
    await rm(temp, { force: true });
    if (pending) await rm(pending, { force: true });
    if (e instanceof KeyTaken && idempotency) {
      const first = await replayIngest(db, locator, idempotency);
      if (first) return { ...first, replayed: true };
    }
    throw e;
  }
  // Committed: now, and only now, the file takes the name readers see.
  if (result.accepted > 0 && !(await completeBatch(dir, result.batchId)))
    throw new Error(`batch ${result.batchId} is committed, but its file ${pending} is gone`);
  return result;
}
