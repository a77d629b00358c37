/**
 * What an engine needs to serve a consumer's read of a port, and what it answers: the seam between
 * the platform's read path (which decides who reads what, ADR 0014) and the engine where the data
 * lies (which runs the read there, masks and row filters compiled into the query).
 */

export type ConsumeFormat = "json" | "csv" | "parquet" | "arrow";
export const consumeFormats: readonly ConsumeFormat[] = ["json", "csv", "parquet", "arrow"];

export interface ConsumeLimits {
  /** Rows returned when the request names no limit. */
  defaultRows: number;
  /** The largest `limit` a request may ask for. */
  maxRows: number;
  /** Wall time of one query, from start to its last row; then the engine stops it. */
  timeoutMs: number;
  /** Longest SQL text accepted, in characters. */
  maxSqlLength: number;
}

export const defaultConsumeLimits: ConsumeLimits = {
  defaultRows: 10_000,
  maxRows: 1_000_000,
  timeoutMs: 30_000,
  maxSqlLength: 20_000,
};

export interface ConsumeQuery {
  /** One SELECT over the datasets, by their names; absent: every row of the only dataset. */
  sql?: string | undefined;
  limit: number;
  format: ConsumeFormat;
}

export interface ConsumeOutcome {
  rows: number;
  bytes: number;
  durationMs: number;
  truncated: boolean;
  error?: string;
}

/**
 * The bytes of an answer: a WHATWG `ReadableStream<Uint8Array>` (core names no runtime's types, so
 * only what it needs of one is spelled here).
 */
export interface ByteStream {
  readonly locked: boolean;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * A read's answer, streamed. JSON is `{columns, rows: [{…}], rowCount, truncated}`; CSV has a
 * header line and RFC 4180 records; Parquet and Arrow IPC (stream format) are binary.
 */
export interface ConsumeStream {
  contentType: string;
  columns: { name: string; type: string }[];
  body: ByteStream;
  /** Settles when the body has been fully sent, cancelled or failed. */
  done: Promise<ConsumeOutcome>;
}

export const consumeContentTypes: Record<ConsumeFormat, string> = {
  json: "application/json; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
  arrow: "application/vnd.apache.arrow.stream",
};

/** Where one dataset's rows are: files (by path or glob) or a table of a database server. */
export type DatasetSource =
  | { kind: "files"; files: readonly string[]; format: string }
  | {
      kind: "table";
      /** A database file the engine opens read-only (DuckDB); absent: the server's own database. */
      database?: string | undefined;
      schema: string | undefined;
      table: string;
    };

/** One dataset as this reader may see it. */
export interface ReadDataset {
  /** The name the consumer's SQL reads it by: the contract's schema object. */
  name: string;
  /** Its schema in the consumer's SQL: a read across ports names each port's datasets `port.dataset`. */
  schema?: string | undefined;
  source: DatasetSource;
  /** Columns served masked: `'***'` for text, NULL of the column's type otherwise. */
  masked: readonly string[];
  /** Boolean SQL expressions over the dataset's columns that every served row meets. */
  rowFilters: readonly string[];
}

/** One read of one or more datasets, all on one server of the engine. */
export interface ReadRequest {
  /** The ODCS server entry, `${VAR}` references already resolved. */
  server: Record<string, unknown>;
  /** Where credentials and engine settings are looked up (secrets of the environment, then the process's). */
  env: Readonly<Record<string, string | undefined>>;
  datasets: readonly ReadDataset[];
  query: ConsumeQuery;
  limits: ConsumeLimits;
}

/**
 * An engine's reader. Everything that can go wrong before the first byte (guard, binding, the time
 * limit, an unreachable server) rejects with a `QuantaError` (an `InputError` for the query's own
 * faults), so the client gets a 4xx instead of a broken 200.
 */
export interface DataReader {
  consume(request: ReadRequest): Promise<ConsumeStream>;
  /** Releases pooled resources (the process is stopping). */
  close(): Promise<void>;
}

export interface ReaderOptions {
  /** A folder the reader may write temporary result files into. */
  tempDir: string;
}
