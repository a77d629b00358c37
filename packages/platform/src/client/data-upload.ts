import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Transform } from "node:stream";
import { QuantaError } from "@quanta/core";
import type { DataFormat, PublishDataResult } from "../lake/publish-data.js";

/** The server refused an upload (4xx) or failed on it (5xx): its status, error code and details. */
export class DataUploadError extends QuantaError {
  constructor(
    message: string,
    readonly status: number,
    options: { code?: string | undefined; details?: Record<string, unknown> | undefined } = {},
  ) {
    super(message, options);
  }
}

export interface DataUploadOptions {
  /** The contract's dataset, when the port's contract has several. */
  dataset?: string | undefined;
  format: DataFormat;
  /** Called as the file goes out (bytes sent so far, of `total`), at most every `progressMs`. */
  onProgress?: ((sent: number, total: number) => void) | undefined;
  progressMs?: number;
}

const contentTypes: Record<DataFormat, string> = {
  parquet: "application/vnd.apache.parquet",
  csv: "text/csv",
  ndjson: "application/x-ndjson",
  json: "application/json",
};

/** The format a file's name says it holds, or undefined. */
export function dataFormatOfFile(path: string): DataFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  const formats: Record<string, DataFormat> = {
    parquet: "parquet",
    csv: "csv",
    ndjson: "ndjson",
    jsonl: "ndjson",
    json: "json",
  };
  return ext === undefined ? undefined : formats[ext];
}

/**
 * `PUT /api/products/{id}/ports/{port}/data` with the file streamed from disk (never read whole
 * into memory), `Content-Length` set so the server can refuse a file over its limit at once. The
 * server's refusal (4xx) is a `DataUploadError` with its message, code and details (the checks of
 * a 422); an early answer (401, 403, 413) ends the upload without sending the rest.
 */
export async function uploadData(
  base: string,
  token: string | undefined,
  productId: string,
  port: string,
  file: string,
  options: DataUploadOptions,
): Promise<PublishDataResult> {
  const total = (await stat(file)).size;
  const query = new URLSearchParams({ format: options.format });
  if (options.dataset) query.set("dataset", options.dataset);
  const url = new URL(
    `${base}/api/products/${encodeURIComponent(productId)}/ports/${encodeURIComponent(port)}/data?${query}`,
  );
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(url, {
      method: "PUT",
      headers: {
        "content-type": contentTypes[options.format],
        "content-length": String(total),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    let answered = false;
    // Large reads: fewer, bigger writes to the socket (64 KiB reads cost a third more time).
    const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
    request.on("response", (res: IncomingMessage) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        source.destroy();
        resolve({ status: res.statusCode ?? 0, text: body });
      });
      res.on("error", reject);
    });
    request.on("error", (e: NodeJS.ErrnoException) => {
      // The server may answer (and close) before the whole file is out: its answer counts.
      if (answered) return;
      reject(new QuantaError(`cannot upload to the Quanta server at ${url.origin}: ${e.code ?? e.message}`));
    });
    let sent = 0;
    let shown = 0;
    const every = options.progressMs ?? 200;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        const now = Date.now();
        if (options.onProgress && (now - shown >= every || sent === total)) {
          shown = now;
          options.onProgress(sent, total);
        }
        done(null, chunk);
      },
    });
    source.on("error", (e) => {
      request.destroy();
      reject(e);
    });
    source.pipe(meter).pipe(request);
  });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DataUploadError(`${url.origin} did not answer like a Quanta server (HTTP ${status}, not JSON)`, status);
  }
  if (status === 201) return body as PublishDataResult;
  const error = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }).error;
  throw new DataUploadError(
    `${error?.message ?? `HTTP ${status}`}${status >= 500 ? ` (HTTP ${status})` : ""}`,
    status,
    {
      code: error?.code,
      details: error?.details,
    },
  );
}
