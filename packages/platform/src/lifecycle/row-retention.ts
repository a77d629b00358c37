import { DuckDBInstance } from "@duckdb/node-api";
import { ConflictError, DuckDbDialect } from "@quanta/core";
import { type Retention, retentionCutoff } from "@quanta/core/lint";
import { readerSql } from "@quanta/engine-duckdb";
import { publishEvent } from "../events/publish-event.js";
import type { Lake } from "../lake/lake.js";
import type { StoredDataset } from "../lake/port-version-store.js";
import type { Database } from "../storage/database.js";

const dialect = new DuckDbDialect();

/** How a remainder file is written in each format a version's dataset may have. */
const copyOptions: Record<string, string> = {
  parquet: "FORMAT parquet",
  csv: "FORMAT csv, HEADER true",
  json: "FORMAT json",
  ndjson: "FORMAT json",
  jsonl: "FORMAT json",
};

export interface ExpiredRows {
  productId: string;
  port: string;
  dataset: string;
  /** The version written without the old rows. */
  version: number;
  previous: number;
  /** Rows removed (older than the cutoff on the element column). */
  rows: number;
}

/** The version's files changed while the old rows were judged (an ingest, another replica's pass). */
class CurrentMoved extends ConflictError {}

/**
 * Rows older than the retention, on its `element` column (`object.column`), leave the port's
 * current version: a new version is written through the lake as every other (staged aside, made
 * current in one transaction), listing the files with no old row as they are, dropping the files
 * with only old rows, and one remainder file holding the newer rows (and those with no date) of
 * the files that had both. Rows with a null date are kept. The version it replaces is superseded
 * and expires with the version retention. Nothing is written when no row is old. On N replicas,
 * the one whose version lands first wins; the others find the current version moved and give up.
 */
export async function expireRows(
  db: Database,
  lake: Lake,
  input: { productId: string; port: string; team: string | null; retention: Retention },
  now: Date,
): Promise<ExpiredRows | undefined> {
  const element = input.retention.element;
  if (!element) return undefined;
  const [object, column] = element.split(".") as [string, string];
  const current = await lake.current(db, input.productId, input.port);
  const stored = current && (await lake.versions.byVersion(db, input.productId, input.port, current.version));
  const dataset = stored?.datasets.find((d) => d.name === object);
  if (!current || !stored || !dataset || dataset.files.length === 0) return undefined;
  const options = copyOptions[dataset.format];
  if (!options) return undefined;
  const cutoff = retentionCutoff(input.retention, now);
  const at = `CAST(${dialect.quoteIdentifier(column)} AS TIMESTAMPTZ)`;
  const old = `${at} < ${dialect.stringLiteral(cutoff.toISOString())}::TIMESTAMPTZ`;
  const read = (files: readonly string[]) =>
    readerSql(dataset.format, `[${files.map((f) => dialect.stringLiteral(lake.root.resolve(f))).join(", ")}]`);
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    threads: "1",
  });
  const conn = await instance.connect();
  const one = async (sql: string) => (await conn.runAndReadAll(sql)).getRows()[0] ?? [];
  try {
    const kept: string[] = [];
    const straddling: string[] = [];
    let removed = 0;
    let keptRows = 0;
    for (const file of dataset.files) {
      const [rows, older] = await one(`SELECT count(*), count(*) FILTER (WHERE ${old}) FROM ${read([file])}`);
      const n = Number(rows ?? 0);
      const o = Number(older ?? 0);
      removed += o;
      if (o === 0) {
        kept.push(file);
        keptRows += n;
      } else if (o < n) straddling.push(file);
    }
    if (removed === 0) return undefined;
    // Every row is old: the version keeps one empty file, so the dataset still has its columns.
    if (kept.length === 0 && straddling.length === 0) straddling.push(dataset.files[0] as string);
    const staged = await lake.stage(db, {
      productId: input.productId,
      port: input.port,
      source: "retention",
      createdBy: "quanta",
    });
    try {
      const files = [...kept];
      let rows = keptRows;
      if (straddling.length > 0) {
        const ext = dataset.format === "parquet" ? "parquet" : dataset.format === "csv" ? "csv" : "ndjson";
        const remainder = await lake.file(staged, object, `retained.${ext}`);
        const [n] = await one(`SELECT count(*) FROM ${read(straddling)} WHERE NOT (${old}) OR ${at} IS NULL`);
        await conn.run(
          `COPY (SELECT * FROM ${read(straddling)} WHERE NOT (${old}) OR ${at} IS NULL) TO ${dialect.stringLiteral(remainder)} (${options})`,
        );
        files.push(lake.relative(remainder));
        rows += Number(n ?? 0);
      }
      const made = await db.transaction(async (tx) => {
        const result = await lake.versions.makeCurrent(tx, staged.row, (datasets: readonly StoredDataset[]) => {
          const now = datasets.find((d) => d.name === object);
          if (!now || now.files.join("\n") !== dataset.files.join("\n"))
            throw new CurrentMoved(`port ${input.port}'s current version moved while its old rows were judged`);
          return datasets.map((d) => (d.name === object ? { ...d, files, rows } : d));
        });
        await publishEvent(
          tx,
          {
            type: "port.rows.expired",
            subject: input.productId,
            actor: "quanta",
            payload: {
              port: input.port,
              dataset: object,
              column,
              rows: removed,
              version: result.version,
              previous: result.previous,
              cutoff: cutoff.toISOString(),
            },
          },
          { teams: [input.team] },
        );
        return result;
      });
      return {
        productId: input.productId,
        port: input.port,
        dataset: object,
        version: made.version,
        previous: made.previous ?? current.version,
        rows: removed,
      };
    } catch (e) {
      await lake.discard(db, staged, (e as Error).message);
      // Another version became current meanwhile (an ingest, another replica's pass): judged anew next pass.
      if (e instanceof CurrentMoved || e instanceof ConflictError) return undefined;
      throw e;
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
