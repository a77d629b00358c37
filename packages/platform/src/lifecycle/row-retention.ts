import { ConflictError, UnprocessableError } from "@quanta/core";
import type { EngineRegistry, RowRewriter } from "@quanta/core/engines";
import { type Retention, retentionCutoff } from "@quanta/core/lint";
import { installedEngines } from "../engines/installed-engines.js";
import { publishEvent } from "../events/publish-event.js";
import type { Lake } from "../lake/lake.js";
import type { StoredDataset } from "../lake/port-version-store.js";
import type { Database } from "../storage/database.js";

/** The rewriter of the storage Quanta owns (local files), asked of the engine serving them. */
async function rowRewriter(engines: EngineRegistry): Promise<RowRewriter> {
  const engine = engines.forType("local");
  if (!engine?.loadRowRewriter)
    throw new UnprocessableError(
      "no installed engine rewrites local files without old rows: rows past a retention's element stay until one does",
      { code: "no-engine" },
    );
  return engine.loadRowRewriter();
}

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
 * The files are judged and written by the engine serving local files (its row rewriter), in UTC.
 */
export async function expireRows(
  db: Database,
  lake: Lake,
  input: { productId: string; port: string; team: string | null; retention: Retention },
  now: Date,
  /** The installed engines; one of them rewrites the files (tests pass others). */
  engines: EngineRegistry = installedEngines,
): Promise<ExpiredRows | undefined> {
  const element = input.retention.element;
  if (!element) return undefined;
  const [object, column] = element.split(".") as [string, string];
  const current = await lake.current(db, input.productId, input.port);
  const stored = current && (await lake.versions.byVersion(db, input.productId, input.port, current.version));
  const dataset = stored?.datasets.find((d) => d.name === object);
  if (!current || !stored || !dataset || dataset.files.length === 0) return undefined;
  const rewriter = await rowRewriter(engines);
  const ext = rewriter.extension(dataset.format);
  if (!ext) return undefined;
  const cutoff = retentionCutoff(input.retention, now);
  const request = { format: dataset.format, older: { column, before: cutoff } };
  const absolute = (files: readonly string[]) => files.map((f) => lake.root.resolve(f));
  const kept: string[] = [];
  const straddling: string[] = [];
  let removed = 0;
  let keptRows = 0;
  const counted = await rewriter.count({ ...request, files: absolute(dataset.files) });
  for (const [i, c] of counted.entries()) {
    const file = dataset.files[i] as string;
    removed += c.older;
    if (c.older === 0) {
      kept.push(file);
      keptRows += c.rows;
    } else if (c.older < c.rows) straddling.push(file);
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
      const remainder = await lake.file(staged, object, `retained.${ext}`);
      rows += await rewriter.rewriteWithout({ ...request, files: absolute(straddling), to: remainder });
      files.push(lake.relative(remainder));
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
}
