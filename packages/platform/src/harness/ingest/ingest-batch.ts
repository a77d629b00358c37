import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDbDialect } from "@quanta/core";
import type { Database } from "../../storage/database.js";
import { EventLog } from "../../storage/repositories/event-log.js";
import type { DataLocator } from "../data-locator.js";
import { HarnessError } from "../harness-error.js";
import type { PortContract } from "../port-data.js";
import { schemaObjects } from "../port-data.js";
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

export const defaultIngestLimits: IngestLimits = { maxRows: 100_000, listQuarantined: 20, maxDepth: 64 };

export interface IngestResult {
  batchId: number;
  port: string;
  dataset: string;
  contractId: string;
  contractVersion: string;
  format: string;
  received: number;
  accepted: number;
  quarantined: number;
  /** The first quarantined rows with their reasons (row numbers count from 1). */
  quarantine: { row: number; reasons: string[] }[];
}

const dialect = new DuckDbDialect();

/** The contract's dataset the upload is for: named, or the only one. */
export function datasetOf(pc: PortContract, dataset: string | undefined): string {
  const names = schemaObjects(pc.contract).map((o) => o.name);
  if (dataset !== undefined) {
    if (!names.includes(dataset))
      throw new HarnessError(
        404,
        "not-found",
        `contract "${pc.contractId}" has no dataset "${dataset}" (${names.join(", ")})`,
      );
    return dataset;
  }
  const only = names.length === 1 ? names[0] : undefined;
  if (!only)
    throw new HarnessError(
      400,
      "dataset-required",
      `contract "${pc.contractId}" has ${names.length} datasets (${names.join(", ")}); name one with "dataset"`,
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
  const ndjson = join(dir, `${randomUUID()}.ndjson`);
  await writeFile(ndjson, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await instance.connect();
  try {
    const spec = columns
      .map((c) => `${dialect.stringLiteral(c.name)}: ${dialect.stringLiteral(c.duckdbType)}`)
      .join(", ");
    const select = columns.map((c) => dialect.quoteIdentifier(c.name)).join(", ");
    await conn.run(
      `COPY (SELECT ${select} FROM read_json(${dialect.stringLiteral(ndjson)}, format = 'newline_delimited', columns = {${spec}}))
       TO ${dialect.stringLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(ndjson, { force: true });
  }
}

/**
 * Validates every record against the port's contract and stores the batch atomically: accepted
 * rows in a new Parquet file under the platform's ingest folder, quarantined rows (with every
 * reason) and the batch row in the store, in one transaction whose last step renames the file into
 * place. Either all of it is there afterwards, or none of it. accepted + quarantined = received.
 */
export async function ingestBatch(
  db: Database,
  locator: DataLocator,
  pc: PortContract,
  dataset: string,
  upload: Upload,
  actor: string,
  limits: IngestLimits,
): Promise<IngestResult> {
  const received = upload.records.length;
  if (received === 0) throw new HarnessError(400, "empty", "the upload holds no records");
  if (received > limits.maxRows)
    throw new HarnessError(
      413,
      "too-many-rows",
      `the upload holds more than ${limits.maxRows} records; split it into batches`,
    );
  checkRecordShapes(upload.records, limits.maxDepth);
  const validator = new RowValidator(pc.contract, dataset);
  if (validator.columns.length === 0)
    throw new HarnessError(
      422,
      "no-schema",
      `dataset "${dataset}" of "${pc.contractId}" declares no properties to validate against`,
    );
  if (upload.header) {
    const { unknown, missing } = validator.headerProblems(upload.header);
    if (unknown.length > 0 || missing.length > 0) {
      throw new HarnessError(
        422,
        "wrong-schema",
        `the file's columns do not match dataset "${dataset}" of contract "${pc.contractId}"${unknown.length ? `; not in the contract: ${unknown.join(", ")}` : ""}${missing.length ? `; required but missing: ${missing.join(", ")}` : ""}`,
        { unknown, missing, expected: validator.columns.map((c) => c.name) },
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
  const dir = join(locator.ingestDir(pc.productId, pc.port.name), dataset.replace(/[^A-Za-z0-9._-]/g, "_"));
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.incoming-${randomUUID()}.parquet`);
  if (accepted.length > 0) await writeParquet(accepted, validator.columns, dir, temp);
  let final: string | undefined;
  try {
    const batchId = await db.transaction(async (tx) => {
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
      const id = (rows[0] as { id: number }).id;
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
        final = join(dir, `batch-${String(id).padStart(8, "0")}.parquet`);
        await tx.query("UPDATE ingest_batches SET file = $2 WHERE id = $1", [id, final]);
        await rename(temp, final); // last step: a failure here rolls the whole batch back
      }
      return id;
    });
    return {
      batchId,
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
  } catch (e) {
    // The commit failed after the rename, or anything before it: leave no file behind.
    await rm(temp, { force: true });
    if (final) await rm(final, { force: true });
    throw e;
  }
}
