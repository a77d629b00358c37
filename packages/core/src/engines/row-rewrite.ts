/**
 * What an engine needs to rewrite files of the storage Quanta owns without some of their rows, and
 * what it answers: the seam between the platform's retention (which decides which rows are old and
 * where a new version's files go, ADR 0042) and the engine reading the files (which judges and
 * writes them where they lie). The platform never opens an engine's driver itself.
 */

/** Rows older than an instant on one column: what a retention with an `element` removes. */
export interface RowsOlderThan {
  /** The column as the data names it: quoted by the engine, never spliced into SQL. */
  column: string;
  /**
   * Rows whose column is earlier than this instant are old. A date, or a time without an offset,
   * is read as UTC (as the lint rule on contract times says), whatever the machine's zone. A row
   * with no time is never old.
   */
  before: Date;
}

export interface RowRewriteRequest {
  /** A format the rewriter gives an `extension` for: `parquet`, `csv`, `json`, `ndjson`, `jsonl`. */
  format: string;
  /** Absolute paths of the files, all of one dataset. */
  files: readonly string[];
  older: RowsOlderThan;
}

/** One file as judged: its rows, and how many of them are old. */
export interface FileRows {
  file: string;
  rows: number;
  older: number;
}

/** An engine's rewriter of files. A column that is missing or cannot be read as a time rejects. */
export interface RowRewriter {
  /** The extension a rewritten file of `format` gets (`parquet`, `csv`, `ndjson`); undefined: not rewritten. */
  extension(format: string): string | undefined;
  /** Each file's rows and its old rows, in the order of `files`. */
  count(request: RowRewriteRequest): Promise<FileRows[]>;
  /**
   * Writes the rows of `files` that are not old (and those with no time) to the file `to`, in the
   * request's format, and answers how many it wrote. With none left, `to` is still written, with
   * the columns and no row.
   */
  rewriteWithout(request: RowRewriteRequest & { to: string }): Promise<number>;
}
