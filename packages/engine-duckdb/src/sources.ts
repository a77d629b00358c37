import { InputError } from "@quanta/core";

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
