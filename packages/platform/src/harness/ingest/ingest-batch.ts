import { rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ConflictError, InputError, NotFoundError, TooLargeError, UnprocessableError } from "@quanta/core";
import { writeParquetFromNdjson } from "@quanta/engine-duckdb";
import { publishEvent } from "../../events/publish-event.js";
import type { Lake, StagedVersion } from "../../lake/lake.js";
import { type StoredDataset, VersionRaced } from "../../lake/port-version-store.js";
import { syncFile } from "../../lake/sync-file.js";
import type { Database } from "../../storage/database.js";
import type { PortContract } from "../port-data.js";
import { schemaObjects } from "../port-data.js";
import { batchName, incomingName, quarantineName } from "./batch-files.js";
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

/** The accepted rows' file added to a dataset of the current version (no copy: earlier files are listed). */
function appended(current: readonly StoredDataset[], batch: StoredDataset): StoredDataset[] {
  const existing = current.find((d) => d.name === batch.name);
  if (!existing) return [...current, batch];
  if (existing.format !== batch.format)
    throw new ConflictError(
      `dataset "${batch.name}" of the current version is ${existing.format}, not ${batch.format}; ingest appends Parquet batches`,
      { code: "format-mismatch" },
    );
  return current.map((d) =>
    d === existing
      ? { ...d, files: [...d.files, ...batch.files], rows: d.rows + batch.rows, bytes: d.bytes + batch.bytes }
      : d,
  );
}

/** A newer version raced this batch's this many times: the request gives up (409) and may be sent again. */
const maxAttempts = 5;

/**
 * Validates every record against the port's contract and stores the batch atomically: accepted
 * rows as a new Parquet file of a new version of the port in the storage root (the previous
 * version's files plus this one), quarantined rows (with every reason) in the store and beside the
 * file, the batch row and the idempotency key, all made visible in one transaction.
 * accepted + quarantined = received. The file is written into the version's own folder while the
 * version is staged; a reader of the port sees it only once that transaction has committed, and a
 * stop before is cleaned up by start-up recovery (lake/recover-lake.ts).
 */
export async function ingestBatch(
  db: Database,
  lake: Lake,
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

  /** One attempt: the batch's files into a staged version, then everything in one transaction. */
  const attempt = async (staged: StagedVersion | undefined): Promise<IngestResult> => {
    // The batch's id is taken first: it names the file, which is written before the transaction.
    const { rows: ids } = await db.query<{ id: number }>(
      "SELECT nextval(pg_get_serial_sequence('ingest_batches', 'id'))::bigint AS id",
    );
    const id = Number((ids[0] as { id: number }).id);
    let batch: StoredDataset | undefined;
    if (staged) {
      const file = await lake.file(staged, dataset, batchName(id));
      await writeParquet(accepted, validator.columns, dirname(file), file);
      if (quarantined.length > 0) {
        const beside = await lake.file(staged, dataset, quarantineName(id));
        await writeFile(
          beside,
          quarantined.map((q) => JSON.stringify({ row: q.row, reasons: q.reasons, record: q.record })).join("\n") +
            "\n",
        );
        await syncFile(beside);
      }
      await syncFile(file);
      batch = {
        name: dataset,
        format: "parquet",
        files: [lake.relative(file)],
        rows: accepted.length,
        bytes: (await stat(file)).size,
      };
    }
    return db.transaction(async (tx): Promise<IngestResult> => {
      await tx.query(
        `INSERT INTO ingest_batches (id, product_id, port, dataset, contract_id, contract_version, format, received, accepted, quarantined, actor)
         OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          id,
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
      // The port's lock is taken before the key's: two retries of one request meet at the key
      // only once the first has switched the version, never the other way round (no deadlock).
      let version: number | null = null;
      if (staged && batch) {
        const added = batch;
        version = (await lake.versions.makeCurrent(tx, staged.row, (current) => appended(current, added))).version;
        await tx.query("UPDATE ingest_batches SET file = $2, port_version = $3 WHERE id = $1", [
          id,
          lake.root.resolve(added.files[0] as string),
          staged.row.id,
        ]);
      }
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
        version,
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
      await publishEvent(
        tx,
        {
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
            version,
          },
        },
        { owners: [pc.productId] },
      );
      return result;
    });
  };

  for (let tries = 1; ; tries++) {
    // Nothing accepted, nothing new to read: the port keeps its version, the batch is only recorded.
    const staged =
      accepted.length > 0
        ? await lake.stage(db, { productId: pc.productId, port: pc.port.name, source: "ingest", createdBy: actor })
        : undefined;
    try {
      return await attempt(staged);
    } catch (e) {
      // Rolled back, or never begun: the staged version and its files go.
      if (staged) await lake.discard(db, staged, `the batch was not stored: ${(e as Error).message}`);
      if (e instanceof VersionRaced && tries < maxAttempts) continue;
      if (e instanceof KeyTaken && idempotency) {
        const first = await replayIngest(db, idempotency);
        if (first) return { ...first, replayed: true };
      }
      throw e;
    }
  }
}
