import { createWriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  buildChecks,
  type CheckResult,
  type Connection,
  InputError,
  type RunResult,
  runChecks,
  TimeoutError,
  TooLargeError,
  UnprocessableError,
} from "@quanta/core";
import { installedEngines } from "../engines/installed-engines.js";
import { publishEvent } from "../events/publish-event.js";
import { judgeData, policyData } from "../governance/data-gate.js";
import { datasetOf } from "../harness/ingest/ingest-batch.js";
import { RowValidator } from "../harness/ingest/row-validator.js";
import { findPort, type PortContract, portContract, schemaObjects } from "../harness/port-data.js";
import { reportRefusal } from "../observability/landing-refused.js";
import { PipelineService } from "../pipelines/pipeline-service.js";
import type { Database } from "../storage/database.js";
import type { Lake, StagedVersion } from "./lake.js";
import type { StoredDataset } from "./port-version-store.js";
import { syncFile } from "./sync-file.js";

/** The formats a port's data may be published in, stored as sent (no conversion). */
export type DataFormat = "parquet" | "csv" | "ndjson" | "json";
export const dataFormats: readonly DataFormat[] = ["parquet", "csv", "ndjson", "json"];

export interface PublishDataLimits {
  /** Largest file accepted (`QUANTA_MAX_UPLOAD_BYTES`, default 10 GiB). */
  maxBytes: number;
  /** An upload that sends nothing for this long is given up (408). */
  idleMs: number;
  /** Each statement of the contract's checks on the staged data, and all of them. */
  checkTimeoutMs: number;
  runTimeoutMs: number;
}

export const defaultPublishDataLimits: PublishDataLimits = {
  maxBytes: 10 * 1024 ** 3,
  idleMs: 60_000,
  checkTimeoutMs: 300_000,
  runTimeoutMs: 1_800_000,
};

export interface PublishDataRequest {
  productId: string;
  port: string;
  /** The contract's dataset; needed only when it has several. */
  dataset?: string | undefined;
  format: DataFormat;
  /**
   * The file, streamed: it is written to disk as it arrives, never held in memory. A web stream (an
   * HTTP request's body) or a Node stream (a file the server reads itself).
   */
  body: ReadableStream<Uint8Array> | NodeJS.ReadableStream | null;
  /** The length the client announced (Content-Length), when it did. */
  length?: number | undefined;
  actor: string;
}

/** One check's outcome, as observe shows a contract test's. */
export interface DataCheck {
  checkId: string;
  dataset: string | null;
  status: string;
  value: unknown;
  threshold: unknown;
  reason: string | null;
}

export interface PublishDataResult {
  productId: string;
  port: string;
  dataset: string;
  contractId: string;
  contractVersion: string;
  /** The version now current. */
  version: number;
  /** The version it superseded (null: the port's first). */
  previous: number | null;
  format: DataFormat;
  rows: number;
  bytes: number;
  /** The contract's checks on the uploaded data: `passed` or `warning` (a failed run is a 422). */
  status: "passed" | "warning";
  checks: DataCheck[];
}

const extensions: Record<DataFormat, string> = { parquet: "parquet", csv: "csv", ndjson: "ndjson", json: "json" };

const checkOf = (r: CheckResult): DataCheck => ({
  checkId: r.key,
  dataset: r.schema ?? null,
  status: r.result,
  value: r.value ?? null,
  threshold: r.threshold ?? null,
  reason: r.reason ?? null,
});

const size = (n: number) =>
  n >= 1024 ** 3
    ? `${(n / 1024 ** 3).toFixed(1)} GiB`
    : n >= 1024 ** 2
      ? `${(n / 1024 ** 2).toFixed(1)} MiB`
      : `${n} bytes`;

/**
 * Counts the bytes going through, refuses more than `max`, keeps the first few for the format's
 * magic bytes, and stops an upload that goes quiet.
 */
class UploadMeter extends Transform {
  bytes = 0;
  head = Buffer.alloc(0);
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly max: number,
    private readonly idleMs: number,
    private readonly onProgress: () => void,
  ) {
    super();
    this.arm();
  }

  private arm() {
    clearTimeout(this.idle);
    this.idle = setTimeout(
      () =>
        this.destroy(
          new TimeoutError(
            `the upload sent nothing for ${Math.round(this.idleMs / 1000)} s after ${this.bytes} bytes; nothing was published`,
            { code: "upload-idle" },
          ),
        ),
      this.idleMs,
    );
    this.idle.unref();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void) {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      done(
        new TooLargeError(
          `the file is larger than the ${size(this.max)} this server accepts (QUANTA_MAX_UPLOAD_BYTES)`,
          {
            code: "upload-too-large",
          },
        ),
      );
      return;
    }
    if (this.head.length < 65_536) this.head = Buffer.concat([this.head, chunk.subarray(0, 65_536 - this.head.length)]);
    this.arm();
    this.onProgress();
    done(null, chunk);
  }

  override _flush(done: () => void) {
    clearTimeout(this.idle);
    done();
  }

  override _destroy(e: Error | null, done: (e: Error | null) => void) {
    clearTimeout(this.idle);
    done(e);
  }
}

/** The file's last bytes: a Parquet file ends with its footer and `PAR1`. */
async function tail(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.min(length, size));
    await handle.read(buffer, 0, buffer.length, size - buffer.length);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Refuses a body that is plainly not the format it claims (400), before DuckDB reads it. */
async function checkMagic(format: DataFormat, head: Buffer, file: string): Promise<void> {
  const magic = head.subarray(0, 4).toString("latin1");
  if (format === "parquet") {
    if (magic !== "PAR1")
      throw new InputError(
        `the file is not Parquet: it does not start with the PAR1 magic bytes${head.length > 0 && !head.includes(0) ? " (it looks like text; send format=csv, ndjson or json)" : ""}`,
        { code: "invalid-file" },
      );
    if ((await tail(file, 4)).toString("latin1") !== "PAR1")
      throw new InputError("the Parquet file is cut off: it does not end with its footer (PAR1); send the whole file", {
        code: "invalid-file",
      });
    return;
  }
  if (magic === "PAR1")
    throw new InputError(`the file is Parquet, not ${format.toUpperCase()}; send format=parquet`, {
      code: "invalid-file",
    });
  if (head.includes(0))
    throw new InputError(`the file is not ${format.toUpperCase()} text: it holds NUL bytes`, { code: "invalid-file" });
}

/**
 * Publishes a port's data with its product: the body is streamed into a staged version's folder
 * in the storage root, checked (the format; the columns against the contract's dataset; the
 * contract's checks, run by the DuckDB engine over the staged file), and made current in one
 * transaction only when the checks pass. Anything else leaves the current version as it was and
 * no file of the upload behind: a failed check is a 422 with every check's result, a body that is
 * cut off, empty, too large or not the format it claims a 4xx naming why.
 */
export async function publishData(
  db: Database,
  lake: Lake,
  request: PublishDataRequest,
  limits: PublishDataLimits = defaultPublishDataLimits,
): Promise<PublishDataResult> {
  const port = await findPort(db, request.productId, request.port, ["output"]);
  const pc = await portContract(db, request.productId, port);
  const dataset = datasetOf(pc, request.dataset);
  const object = schemaObjects(pc.contract).find((o) => o.name === dataset) ?? { name: dataset };
  if (!request.body) throw new InputError("send the data file as the request body", { code: "empty" });
  if (request.length !== undefined && request.length > limits.maxBytes)
    throw new TooLargeError(
      `the file (${size(request.length)}) is larger than the ${size(limits.maxBytes)} this server accepts (QUANTA_MAX_UPLOAD_BYTES)`,
      { code: "upload-too-large" },
    );
  const staged = await lake.stage(db, {
    productId: request.productId,
    port: port.name,
    source: "publish",
    createdBy: request.actor,
  });
  try {
    const file = await lake.file(staged, dataset, `${object.physicalName ?? dataset}.${extensions[request.format]}`);
    const bytes = await receive(db, lake, staged, request, file, limits);

    const { rows, run, checks } = await testStagedFile(
      { contract: pc, dataset, object, file, format: request.format, baseDir: staged.dir },
      limits,
    );
    if (run.result === "failed" || run.result === "error") {
      const bad = checks.filter((c) => c.status === "failed" || c.status === "error");
      throw new UnprocessableError(
        `the data does not meet contract "${pc.contractId}" ${pc.contractVersion}: ${bad.length} of ${checks.length} check(s) ${run.result === "error" ? "failed or could not run" : "failed"} (${bad
          .slice(0, 3)
          .map((c) => `${c.checkId}${c.reason ? `: ${c.reason}` : ""}`)
          .join("; ")}${bad.length > 3 ? "; …" : ""}); nothing was published`,
        { code: "checks-failed", details: { version: staged.row.version, status: run.result, checks } },
      );
    }
    // Blocking `on: data` policies judge the tested version before it becomes current.
    await judgeData(
      db,
      request.productId,
      policyData({ port: port.name, dataset, version: staged.row.version, source: "publish", rows, bytes, run }),
      request.actor,
    );
    const stored: StoredDataset = { name: dataset, format: request.format, files: [lake.relative(file)], rows, bytes };
    const made = await db.transaction(async (tx) => {
      const made = await lake.versions.makeCurrent(tx, staged.row, (current) => [
        ...current.filter((d) => d.name !== dataset),
        stored,
      ]);
      await publishEvent(
        tx,
        {
          type: "port.version.published",
          subject: request.productId,
          actor: request.actor,
          payload: {
            port: port.name,
            dataset,
            version: made.version,
            previous: made.previous,
            format: request.format,
            rows,
            bytes,
            contract: pc.contractId,
            contractVersion: pc.contractVersion,
            checks: run.result,
          },
        },
        { owners: [request.productId], consumersOf: [request.productId] },
      );
      return made;
    });
    // Pipelines reading this port run next (debounced); their trouble is theirs, not the upload's.
    await new PipelineService(db, lake).triggerDownstream(request.productId, port.name).catch(() => []);
    return {
      productId: request.productId,
      port: port.name,
      dataset,
      contractId: pc.contractId,
      contractVersion: pc.contractVersion,
      version: made.version,
      previous: made.previous,
      format: request.format,
      rows,
      bytes,
      status: run.result,
      checks,
    };
  } catch (e) {
    await lake.discard(db, staged, (e as Error).message);
    // Refused for its columns or checks: the owners hear of it as an incident (the 422 answers the uploader).
    await reportRefusal(
      db,
      {
        productId: request.productId,
        port: port.name,
        dataset,
        source: "publish",
        version: staged.row.version,
        contract: pc.contract,
      },
      e,
    );
    throw e;
  }
}

/** What `testStagedFile` found: the rows of the file and the contract's checks on it. */
export interface StagedTest {
  rows: number;
  run: RunResult;
  checks: DataCheck[];
}

/**
 * The audit of write-audit-publish, shared by uploads and pipeline runs: a staged file of one
 * dataset read by the DuckDB engine through the engine registry over a synthesized `local` server,
 * its columns compared with the contract's dataset (422 `wrong-schema`), its rows counted, and the
 * contract's checks for that dataset run. Never makes anything current; the caller decides.
 */
export async function testStagedFile(
  input: {
    contract: PortContract;
    dataset: string;
    object: { name: string; physicalName?: string };
    file: string;
    format: DataFormat;
    baseDir: string;
  },
  limits: Pick<PublishDataLimits, "checkTimeoutMs" | "runTimeoutMs">,
): Promise<StagedTest> {
  const { contract: pc, dataset, object, file } = input;
  const engine = installedEngines.forType("local");
  if (!engine) throw new UnprocessableError("no installed engine reads files", { code: "no-engine" });
  const openConnection = await engine.load();
  const connection: Connection = await openConnection({
    server: { type: "local", path: file, format: input.format },
    objects: [object],
    baseDir: input.baseDir,
  });
  try {
    let columns: { name: string }[] | undefined;
    try {
      columns = await connection.introspect(dataset, { timeoutMs: limits.checkTimeoutMs });
    } catch (e) {
      throw new InputError(
        `the file is not readable ${input.format.toUpperCase()}: ${(e as Error).message.split("\n")[0]}`,
        { code: "invalid-file" },
      );
    }
    const validator = new RowValidator(pc.contract, dataset);
    const { unknown, missing } = validator.headerProblems((columns ?? []).map((c) => c.name));
    if (unknown.length > 0 || missing.length > 0) {
      throw new UnprocessableError(
        `the file's columns do not match dataset "${dataset}" of contract "${pc.contractId}"${unknown.length ? `; not in the contract: ${unknown.join(", ")}` : ""}${missing.length ? `; required but missing: ${missing.join(", ")}` : ""}`,
        { code: "wrong-schema", details: { unknown, missing, expected: validator.columns.map((c) => c.name) } },
      );
    }
    const counted = await connection.run(`SELECT count(*) AS n FROM ${connection.relation(dataset)}`, {
      timeoutMs: limits.checkTimeoutMs,
    });
    const rows = Number(counted[0]?.n ?? 0);
    const run: RunResult = await runChecks(buildChecks(pc.contract, { schema: dataset }), connection, {
      checkTimeoutMs: limits.checkTimeoutMs,
      runTimeoutMs: limits.runTimeoutMs,
    });
    return { rows, run, checks: run.checks.map(checkOf) };
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Streams the body into `file` (flushed to disk), answering its size; a cut-off or bad body throws. */
async function receive(
  db: Database,
  lake: Lake,
  staged: StagedVersion,
  request: PublishDataRequest,
  file: string,
  limits: PublishDataLimits,
): Promise<number> {
  // A long upload says it is alive, so another replica's start-up recovery leaves it alone.
  let touched = Date.now();
  const touch = () => {
    if (Date.now() - touched < 60_000) return;
    touched = Date.now();
    void lake.versions.touch(db, staged.row.id).catch(() => {});
  };
  const meter = new UploadMeter(limits.maxBytes, limits.idleMs, touch);
  try {
    const body = request.body as ReadableStream<Uint8Array> | NodeJS.ReadableStream;
    const source =
      body instanceof ReadableStream
        ? Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>)
        : body;
    await pipeline(source, meter, createWriteStream(file, { highWaterMark: 1024 * 1024 }));
  } catch (e) {
    if (e instanceof TooLargeError || e instanceof TimeoutError) throw e;
    throw new InputError(
      `the upload was cut off after ${meter.bytes} bytes${request.length !== undefined ? ` of ${request.length}` : ""} (${(e as Error).message}); nothing was published`,
      { code: "upload-incomplete" },
    );
  }
  if (request.length !== undefined && meter.bytes !== request.length)
    throw new InputError(
      `the upload was cut off: ${meter.bytes} bytes arrived of the ${request.length} announced; nothing was published`,
      { code: "upload-incomplete" },
    );
  if (meter.bytes === 0) throw new InputError("the file is empty", { code: "empty" });
  await syncFile(file);
  await checkMagic(request.format, meter.head, file);
  return (await stat(file)).size;
}
