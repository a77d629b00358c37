import { stat } from "node:fs/promises";
import { join } from "node:path";
import { replaceRange } from "@quanta/engine-duckdb";
import type { Lake, StagedVersion } from "../lake/lake.js";
import type { CurrentVersion } from "../lake/port-version-store.js";
import type { PipelineRunParams } from "./pipeline-run-schema.js";
import { RunFailed } from "./run-control.js";

/**
 * A step's SQL for the run's range: `{{from}}` and `{{to}}` become date literals, of a backfill's
 * dates or, for a run over everything, of -infinity and infinity (so `BETWEEN {{from}} AND {{to}}`
 * keeps every dated row).
 */
export function withRange(sql: string, params: PipelineRunParams | null): string {
  return sql
    .replaceAll("{{from}}", `DATE '${params?.from ?? "-infinity"}'`)
    .replaceAll("{{to}}", `DATE '${params?.to ?? "infinity"}'`);
}

/**
 * The dataset of a backfill's new version: the previous version's files wholly outside the range
 * as they are, the outside rows of those straddling it (one file in the new version's folder), and
 * the run's file, whose rows must all lie in the range. Versions stay immutable: nothing of the
 * previous version is rewritten.
 */
export async function backfillDataset(input: {
  lake: Lake;
  staged: StagedVersion;
  previous: CurrentVersion | undefined;
  port: string;
  dataset: string;
  column: string;
  params: PipelineRunParams;
  file: string;
}): Promise<{ files: string[]; rows: number; bytes: number; kept: number; replaced: number }> {
  const { params } = input;
  const before = input.previous?.datasets.find((d) => d.name === input.dataset);
  if (before && before.format !== "parquet")
    throw new RunFailed(
      `output ${input.port}: a backfill replaces a range of Parquet files, and version ${input.previous?.version} holds ${before.format}; run the pipeline over everything once first`,
    );
  const remainderFile = join(input.staged.dir, `${input.dataset}-kept.parquet`);
  const pieces = await replaceRange({
    previous: before?.files ?? [],
    format: "parquet",
    replacement: input.file,
    column: input.column,
    from: params.from,
    to: params.to,
    remainderFile,
  }).catch((e: unknown) => {
    throw new RunFailed(
      `output ${input.port}: the backfill could not read column ${input.column}: ${(e as Error).message.split("\n")[0]}`,
    );
  });
  if (pieces.outside > 0)
    throw new RunFailed(
      `output ${input.port}: ${pieces.outside} of the backfill's ${pieces.rows} row(s) have a ${input.column} outside ${params.from} to ${params.to}; a backfill's steps keep to its range (WHERE ${input.column} BETWEEN {{from}} AND {{to}})`,
    );
  const files = [...pieces.kept, ...(pieces.remainderRows > 0 ? [remainderFile] : []), input.file];
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return {
    files: files.map((f) => input.lake.relative(f)),
    rows: pieces.keptRows + pieces.remainderRows + pieces.rows,
    bytes,
    kept: pieces.kept.length,
    replaced: pieces.dropped.length,
  };
}
