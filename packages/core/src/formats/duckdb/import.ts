import { slugify } from "../../slug.js";
import type { DataInspectionRequest, FormatOptions, ImportEnvironment, ImportInput, ImportResult } from "../format.js";
import { importData } from "../infer/import-data.js";
import { inputIssue } from "../text-source.js";

/** The base name of a database file without its ending: `data/shop.duckdb` → `shop`. */
export function databaseNameOf(location: string): string {
  const last =
    location
      .split(/[/\\]+/)
      .filter(Boolean)
      .pop() ?? "";
  return last.replace(/\.(duckdb|ddb|db)$/i, "") || "duckdb";
}

/**
 * Infers a contract from the tables of one schema of a DuckDB database file. The caller's engine
 * registry reads the file (read-only) as `source: "duckdb"`; the inference is the shared one of
 * every data importer (infer/), which reads DuckDB type names with the DuckDB dialect, as it does
 * for files. Only what names the source is then said the DuckDB way.
 */
export async function importDuckDb(
  input: ImportInput,
  options: FormatOptions,
  env: ImportEnvironment,
  now: Date = new Date(),
): Promise<ImportResult> {
  const inspect = env.inspect;
  if (inspect === undefined)
    return {
      value: {},
      issues: [
        inputIssue(
          input.file,
          "data-no-engine",
          `reading data needs the console or the platform (quanta import --format duckdb ${input.file})`,
        ),
      ],
    };
  // format.ts's DataInspectionRequest does not list "duckdb" yet; the DuckDB dialect is the files' one.
  const asDuckDb = (request: DataInspectionRequest): DataInspectionRequest => ({
    ...request,
    source: "duckdb" as DataInspectionRequest["source"],
  });
  let schemaName = options.schema?.trim() || "main";
  const result = await importData("parquet", input, options, { inspect: (r) => inspect(asDuckDb(r)) }, now);
  const value = result.value as Record<string, unknown>;
  if (value.schema === undefined) return result;
  const servers = value.servers as Record<string, unknown>[] | undefined;
  if (typeof servers?.[0]?.schema === "string") schemaName = servers[0].schema;
  const base = databaseNameOf(input.file);
  const objects = value.schema as Record<string, unknown>[];
  value.id = slugify(`${base}.${schemaName}`) || "duckdb";
  if (objects.length > 1) value.name = `${base}.${schemaName}`;
  const description = value.description as { purpose?: string } | undefined;
  if (description?.purpose !== undefined)
    description.purpose = description.purpose.replace(
      /^Inferred from Parquet files at /,
      `Inferred from schema ${schemaName} of the DuckDB database `,
    );
  // The shared inference names its source in declared rules' descriptions; say DuckDB's.
  const declaredIn = / declared in Parquet files\b/;
  for (const object of objects) {
    const rules = [
      ...((object.quality as Record<string, unknown>[] | undefined) ?? []),
      ...((object.properties as Record<string, unknown>[] | undefined) ?? []).flatMap(
        (p) => (p.quality as Record<string, unknown>[] | undefined) ?? [],
      ),
    ];
    for (const rule of rules)
      if (typeof rule.description === "string")
        rule.description = rule.description.replace(declaredIn, " declared in the DuckDB database");
  }
  return result;
}
