import type { ConnectionFactory } from "../checks/connection.js";
import type { StoreGrants } from "./grants.js";
import type { PipelineBuilder } from "./pipeline-build.js";
import type { DataReader, ReaderOptions } from "./read.js";
import type { RowRewriter } from "./row-rewrite.js";

/** What an engine can do with a server, asked before a connection is opened. */
export interface EngineCapabilities {
  /** Reads files by path or glob (Parquet, CSV, JSON), locally or through extensions. */
  files: boolean;
  /** Connects to a database server by host, port and database. */
  database: boolean;
  /** Stops a running statement (interrupt or server-side cancel) when its time limit passes. */
  cancel: boolean;
}

/**
 * An engine package's one export the rest of Quanta needs: which server `type`s it serves, its SQL
 * dialect, what it can do, and a lazy `load()` of its driver, so that a native engine costs start-up
 * time only when one of its servers is used (the shape of Malloy's connection registrations).
 */
export interface EngineManifest {
  /** Short, stable name: `duckdb`, `postgres`. */
  readonly name: string;
  /** ODCS server `type`s this engine serves. */
  readonly serverTypes: readonly string[];
  /** The `Dialect.name` its connections speak. */
  readonly dialect: string;
  readonly capabilities: EngineCapabilities;
  /** Connections for contract tests. */
  load(): Promise<ConnectionFactory>;
  /** The reader serving consumers' reads of this engine's servers; absent: this engine serves no reads. */
  loadReader?(options: ReaderOptions): Promise<DataReader>;
  /** Agreements as database permissions (roles, masking views); absent: this engine's stores hold no grants. */
  loadGrants?(): Promise<StoreGrants>;
  /** Pipeline outputs built where their inputs lie (ADR 0030); absent: this engine's inputs are built elsewhere. */
  loadPipelineBuilder?(): Promise<PipelineBuilder>;
  /** Files of the storage Quanta owns rewritten without old rows (retention, ADR 0042); absent: this engine rewrites none. */
  loadRowRewriter?(): Promise<RowRewriter>;
}
