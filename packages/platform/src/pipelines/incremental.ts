import { stat } from "node:fs/promises";
import { rowsNotAbove, watermarkOf } from "@quanta/engine-duckdb";
import type { Lake } from "../lake/lake.js";
import type { CurrentVersion } from "../lake/port-version-store.js";
import { RunFailed } from "./run-control.js";

/** Below every value of a column of this logical type: what `{{watermark}}` is before the first version. */
const lowest: Record<string, string> = {
  date: "DATE '-infinity'",
  timestamp: "TIMESTAMP '-infinity'",
  integer: "(-9223372036854775808)::BIGINT",
  number: "'-inf'::DOUBLE",
  string: "''",
};

/** Where an incremental output starts: the current version's highest watermark, and its files. */
export interface IncrementalStart {
  column: string;
  /** The literal `{{watermark}}` becomes in the steps' SQL. */
  literal: string;
  /** The highest value published so far; null before the first version. */
  value: string | null;
  files: string[];
  rows: number;
}

export async function incrementalStart(input: {
  previous: CurrentVersion | undefined;
  dataset: string;
  port: string;
  column: string;
  logicalType: string | undefined;
}): Promise<IncrementalStart> {
  const before = input.previous?.datasets.find((d) => d.name === input.dataset);
  const first = lowest[input.logicalType ?? "timestamp"] ?? (lowest.timestamp as string);
  if (!before) return { column: input.column, literal: first, value: null, files: [], rows: 0 };
  const mark = await watermarkOf({ files: before.files, format: before.format, column: input.column }).catch(
    (e: unknown) => {
      throw new RunFailed(
        `output ${input.port}: the watermark column ${input.column} could not be read from version ${input.previous?.version}: ${(e as Error).message.split("\n")[0]}`,
      );
    },
  );
  if (before.format !== "parquet")
    throw new RunFailed(
      `output ${input.port}: an incremental run appends Parquet files, and version ${input.previous?.version} holds ${before.format}`,
    );
  return {
    column: input.column,
    literal: mark.literal ?? first,
    value: mark.value,
    files: before.files,
    rows: before.rows,
  };
}

/** `{{watermark}}` in a step's SQL becomes the watermark's literal. */
export function withWatermark(sql: string, start: IncrementalStart | undefined): string {
  return start ? sql.replaceAll("{{watermark}}", start.literal) : sql;
}

/**
 * The dataset of an append: the current version's files and the run's, whose rows must all be
 * newer than the watermark (an append-only port never gets a row twice).
 */
export async function appendedDataset(input: {
  lake: Lake;
  start: IncrementalStart;
  port: string;
  file: string;
  rows: number;
}): Promise<{ files: string[]; rows: number; bytes: number }> {
  const { start } = input;
  if (start.value !== null) {
    const old = await rowsNotAbove({ file: input.file, column: start.column, literal: start.literal });
    if (old > 0)
      throw new RunFailed(
        `output ${input.port}: ${old} of the run's ${input.rows} row(s) have a ${start.column} not after the watermark ${start.value} (or none); an incremental run appends only newer rows (WHERE ${start.column} > {{watermark}})`,
      );
  }
  const files = [...start.files, input.file];
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return { files: files.map((f) => input.lake.relative(f)), rows: start.rows + input.rows, bytes };
}
