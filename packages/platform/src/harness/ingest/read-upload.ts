import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@quanta/core";
import { readTabularFile } from "@quanta/engine-duckdb";
import { uploadDirPrefix } from "./batch-files.js";
import type { ValueMode } from "./row-validator.js";

export type IngestFormat = "json" | "ndjson" | "csv" | "parquet";

export interface Upload {
  format: IngestFormat;
  mode: ValueMode;
  records: unknown[];
  /** Column names of a file with a header (CSV, Parquet): checked against the contract as a whole. */
  header?: string[];
}

/** Media type → the format it carries (multipart parts may also be named by file extension). */
export const mediaTypes: Record<string, IngestFormat> = {
  "application/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "text/csv": "csv",
  "application/csv": "csv",
  "application/vnd.apache.parquet": "parquet",
  "application/x-parquet": "parquet",
};

const extensions: Record<string, IngestFormat> = {
  json: "json",
  ndjson: "ndjson",
  jsonl: "ndjson",
  csv: "csv",
  parquet: "parquet",
};

export function formatOfFile(name: string, type: string): IngestFormat | undefined {
  return (
    mediaTypes[type.split(";")[0]?.trim().toLowerCase() ?? ""] ??
    extensions[/\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ""]
  );
}

function ndjson(text: string): unknown[] {
  const records: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      records.push(JSON.parse(line));
    } catch (e) {
      throw new InputError(`line ${i + 1} is not JSON: ${(e as Error).message}`, { code: "invalid-file" });
    }
  }
  return records;
}

/** CSV and Parquet are read by the DuckDB engine from a private temporary file (its readers are the robust ones). */
async function readWithDuckDb(
  bytes: Uint8Array,
  format: "csv" | "parquet",
  tempRoot: string,
  maxRows: number,
): Promise<Upload> {
  if (format === "parquet") {
    const head = new TextDecoder().decode(bytes.subarray(0, 4));
    const tail = new TextDecoder().decode(bytes.subarray(bytes.length - 4));
    if (head !== "PAR1" || tail !== "PAR1")
      throw new InputError("the file is not Parquet (no PAR1 magic bytes)", { code: "invalid-file" });
  }
  const dir = await mkdtemp(join(tempRoot, uploadDirPrefix()));
  const file = join(dir, `upload.${format}`);
  try {
    await writeFile(file, bytes);
    const { header, records } = await readTabularFile(file, format, maxRows);
    return { format, mode: "text", records, header };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Turns an upload into records; a body that is not what it claims to be is a 400, nothing stored. */
export async function readUpload(
  format: IngestFormat,
  bytes: Uint8Array,
  tempRoot: string,
  maxRows: number,
): Promise<Upload> {
  if (bytes.length === 0) throw new InputError("the upload is empty", { code: "empty" });
  if (format === "csv" || format === "parquet") return readWithDuckDb(bytes, format, tempRoot, maxRows);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError("the upload is not UTF-8 text", { code: "invalid-file" });
  }
  if (format === "ndjson") return { format, mode: "strict", records: ndjson(text) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`the upload is not JSON: ${(e as Error).message}`, { code: "invalid-file" });
  }
  if (!Array.isArray(parsed)) throw new InputError("a JSON upload is an array of records", { code: "invalid-file" });
  return { format, mode: "strict", records: parsed };
}
