import type { SqlValue } from "../checks/check.js";
import type { Issue } from "../issues.js";
import type { DataContract } from "../spec/odcs/model.js";
import type { SourceDocument } from "../spec/source.js";

/**
 * One foreign format Quanta reads into a contract, writes a contract out to, or both (ADR 0043).
 * Every format lives in `formats/<name>/`: `index.ts` declares it, `import.ts` and `export.ts`
 * hold the conversions and are loaded only when used, so heavy parsers (protobufjs, exceljs)
 * cost start-up time only for the user who asks for them.
 */
export interface Format {
  /** What users pass to `--format`: lower case, stable. */
  readonly name: string;
  /** Human name for help and the marketplace: "Avro schema", "dbt manifest or schema.yml". */
  readonly title: string;
  readonly importer?: FormatImporter;
  readonly exporter?: FormatExporter;
}

/** A named setting of one direction of a format: `--option dialect=snowflake`. */
export interface FormatOption {
  readonly name: string;
  readonly description: string;
  /** The only values accepted, when the option is an enumeration. */
  readonly choices?: readonly string[];
  readonly default?: string;
}

/** Settings given to an import or export, already checked against the format's `options`. */
export type FormatOptions = Readonly<Record<string, string | undefined>>;

/** The bytes of one input, with the name issues point at (a path, a URL, `<upload>`). */
export interface ImportInput {
  readonly file: string;
  readonly bytes: Uint8Array;
}

/**
 * How an importer reads its input:
 * - `document`: YAML or JSON, parsed with positions (SourceDocument);
 * - `text`: any other text (SQL, Protobuf, DBML), positions from offsets;
 * - `binary`: bytes with their own structure (Excel);
 * - `data`: real data (Parquet, CSV, JSON rows, a live database), read through the engine registry
 *   by the caller's `ImportEnvironment.inspect`; the importer itself stays pure.
 */
export type ImportInputKind = "document" | "text" | "binary" | "data";

/** A converted document (plain data in the target standard) and what the conversion noticed. */
export interface ImportResult {
  value: Record<string, unknown>;
  issues: Issue[];
}

export interface FormatImporter {
  readonly description: string;
  /** The standard the conversion produces. */
  readonly target: "odcs" | "odps";
  readonly input: ImportInputKind;
  readonly options?: readonly FormatOption[];
  /** True when the input looks like this format (used when no format is named); cheap, never throws. */
  detect?(input: ImportInput): boolean;
  run(input: ImportInput, options: FormatOptions, env: ImportEnvironment): Promise<ImportResult>;
}

/** What the caller (console, platform) lends an importer that needs more than the input's bytes. */
export interface ImportEnvironment {
  /** Reads real data where it lives through the engine registry (the `data` importers). */
  inspect?(request: DataInspectionRequest): Promise<InspectedData>;
}

/** What a `data` importer asks the engine registry to look at. */
export interface DataInspectionRequest {
  /** `parquet`, `csv`, `json` (files, globs), `duckdb` (a database file) or `postgres` (a live database). */
  readonly source: "parquet" | "csv" | "json" | "postgres" | "duckdb";
  /** A file path or glob for files; a connection URL without password for `postgres`. */
  readonly location: string;
  readonly options: FormatOptions;
}

/** What the engine saw: per dataset its columns, their observed values, and its keys. */
export interface InspectedData {
  /** The ODCS server entry that reaches the data again (no secrets). */
  readonly server: Record<string, unknown>;
  readonly datasets: readonly InspectedDataset[];
}

export interface InspectedDataset {
  /** Name of the schema object: the table, or the file's base name. */
  readonly name: string;
  readonly physicalName?: string;
  readonly physicalType?: string;
  readonly rowCount: number;
  readonly columns: readonly InspectedColumn[];
  /** Declared by the database, or observed (unique and never null) when `keysObserved`. */
  readonly primaryKey?: readonly string[];
  readonly keysObserved?: boolean;
  readonly foreignKeys?: readonly { columns: readonly string[]; table: string; references: readonly string[] }[];
  /** The table's comment. */
  readonly description?: string;
  /** Declared UNIQUE constraints, each its columns. */
  readonly uniqueKeys?: readonly (readonly string[])[];
  /** Declared CHECK constraints: a boolean SQL expression over the table's columns. */
  readonly checks?: readonly { readonly name: string; readonly expression: string }[];
}

export interface InspectedColumn {
  readonly name: string;
  /** The engine's own type spelling: `BIGINT`, `character varying(20)`. */
  readonly type: string;
  /** Declared nullability, when the engine knows it (PostgreSQL, Parquet). */
  readonly nullable?: boolean;
  readonly nulls: number;
  readonly distinct?: number;
  readonly min?: SqlValue;
  readonly max?: SqlValue;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** Every distinct value, when there are few of them (a value set to suggest). */
  readonly values?: readonly SqlValue[];
  /** The labels a declared enum type allows, in their order (PostgreSQL, DuckDB ENUM). */
  readonly enumValues?: readonly string[];
  readonly description?: string;
}

/** One file an export writes. `path` is relative (dbt writes `models/orders.sql` and more). */
export interface ExportFile {
  readonly path: string;
  readonly content: string | Uint8Array;
  readonly mediaType: string;
}

export interface ExportResult {
  files: ExportFile[];
  issues: Issue[];
}

/** What an exporter is given: the contract (read and normalized to ODCS v3.1) and where it came from. */
export interface ExportInput {
  readonly contract: DataContract;
  /** The contract's source, so that "not representable" warnings point at its line. */
  readonly source: SourceDocument;
  readonly options: FormatOptions;
  /** The ODPS product the contract belongs to, when known (openapi, airflow). */
  readonly product?: Record<string, unknown>;
}

export interface FormatExporter {
  readonly description: string;
  readonly options?: readonly FormatOption[];
  run(input: ExportInput): Promise<ExportResult>;
}

/** Limits every importer applies, whatever the format, so hostile input stays bounded. */
export const formatLimits = {
  maxBytes: 8 * 1024 * 1024,
  /** Nesting of records, structs, messages, objects. */
  maxDepth: 32,
  /** Schema objects plus properties of one contract. */
  maxElements: 20_000,
};
