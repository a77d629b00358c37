import { DuckDbDialect, InputError } from "@quanta/core";

const dialect = new DuckDbDialect();

/** How DuckDB reads each file format straight from disk (no copy): format → table function. */
const readers: Record<string, (pathLiteral: string) => string> = {
  parquet: (p) => `read_parquet(${p})`,
  csv: (p) => `read_csv(${p}, auto_detect = true)`,
  tsv: (p) => `read_csv(${p}, auto_detect = true, delim = '\t')`,
  json: (p) => `read_json(${p}, format = 'auto')`,
  ndjson: (p) => `read_json(${p}, format = 'newline_delimited')`,
  jsonl: (p) => `read_json(${p}, format = 'newline_delimited')`,
};

export const fileFormats: readonly string[] = Object.keys(readers);

/** Format from the server's `format`, else from the file extension. */
export function formatOf(path: string, declared: string | undefined): string {
  const format = (declared ?? /\.([a-z0-9]+)$/i.exec(path)?.[1] ?? "").toLowerCase();
  if (readers[format] === undefined) {
    throw new InputError(
      `cannot read format ${JSON.stringify(declared ?? format)} of ${path} (DuckDB reads: ${fileFormats.join(", ")})`,
    );
  }
  return format;
}

export function readerSql(format: string, pathLiteral: string): string {
  const reader = readers[format];
  if (reader === undefined) throw new InputError(`unknown format ${format}`);
  return reader(pathLiteral);
}

/** The folder DuckDB may read for `path`: the part before the first wildcard (`data/*.parquet` → `data`). */
export function readableRoot(path: string): { kind: "file" | "directory"; path: string } {
  const wildcard = path.search(/[*?[{]/);
  if (wildcard < 0) return { kind: "file", path };
  const prefix = path.slice(0, wildcard);
  const slash = prefix.lastIndexOf("/");
  return { kind: "directory", path: slash <= 0 ? "/" : prefix.slice(0, slash) };
}

/** The path argument of a reader: one path (or glob) as a string, several as a list. */
export function filesLiteral(files: readonly string[]): string {
  if (files.length === 0) throw new InputError("a dataset with no files");
  return files.length === 1
    ? dialect.stringLiteral(files[0] as string)
    : `[${files.map((f) => dialect.stringLiteral(f)).join(", ")}]`;
}

/** URL schemes DuckDB reads through an extension, and that extension. */
const remoteSchemes: Record<string, string> = {
  s3: "httpfs",
  s3a: "httpfs",
  s3n: "httpfs",
  r2: "httpfs",
  gs: "httpfs",
  gcs: "httpfs",
  http: "httpfs",
  https: "httpfs",
  hf: "httpfs",
  az: "azure",
  azure: "azure",
  abfs: "azure",
  abfss: "azure",
};

/** The extension DuckDB needs to read `path` (`s3://…` → httpfs), or undefined for a local path. */
export function remoteExtension(path: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(path)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  return remoteSchemes[scheme] ?? `(no extension reads ${scheme}://)`;
}
