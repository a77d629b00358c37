/**
 * The formats of core's registry, for `--format` choices and help without loading the converters
 * at start. formats.test.ts keeps these lists equal to the registry's.
 */
export const importFormatList: readonly (readonly [name: string, title: string])[] = [
  ["dcs", "Data Contract Specification"],
  ["dps", "Data Product Specification"],
  ["odcs", "ODCS (other versions)"],
  ["sql", "SQL DDL"],
  ["jsonschema", "JSON Schema"],
  ["avro", "Avro schema"],
  ["protobuf", "Protocol Buffers"],
  ["dbml", "DBML"],
  ["spark", "Spark schema"],
  ["iceberg", "Iceberg table schema"],
  ["bigquery", "BigQuery table schema"],
  ["glue", "AWS Glue table"],
  ["unity", "Databricks Unity Catalog table"],
  ["dbt", "dbt manifest or schema.yml"],
  ["excel", "ODCS Excel template"],
  ["parquet", "Parquet files"],
  ["csv", "CSV files"],
  ["json", "JSON data files"],
  ["postgres", "PostgreSQL database"],
  ["duckdb", "DuckDB database"],
  ["sodacl", "SodaCL checks"],
  ["great-expectations", "Great Expectations suite"],
  ["openapi", "OpenAPI"],
];

export const exportFormatList: readonly (readonly [name: string, title: string])[] = [
  ["dcs", "Data Contract Specification"],
  ["odcs", "ODCS (other versions)"],
  ["sql", "SQL DDL"],
  ["sql-query", "SQL query"],
  ["jsonschema", "JSON Schema"],
  ["avro", "Avro schema"],
  ["avro-idl", "Avro IDL"],
  ["protobuf", "Protocol Buffers"],
  ["dbml", "DBML"],
  ["spark", "Spark schema"],
  ["iceberg", "Iceberg table schema"],
  ["bigquery", "BigQuery table schema"],
  ["glue", "AWS Glue table"],
  ["unity", "Databricks Unity Catalog table"],
  ["dbt", "dbt manifest or schema.yml"],
  ["excel", "ODCS Excel template"],
  ["sodacl", "SodaCL checks"],
  ["great-expectations", "Great Expectations suite"],
  ["html", "HTML page"],
  ["markdown", "Markdown"],
  ["mermaid", "Mermaid ER diagram"],
  ["openapi", "OpenAPI"],
  ["typescript", "TypeScript and zod"],
  ["pydantic", "Pydantic"],
  ["pandera", "pandera DataFrame models"],
  ["go", "Go structs"],
  ["sqlalchemy", "SQLAlchemy models"],
  ["airflow", "Airflow DAG"],
];

export const importFormatNames: readonly string[] = importFormatList.map(([name]) => name);
export const exportFormatNames: readonly string[] = exportFormatList.map(([name]) => name);

/** The help section listing formats, two columns. */
export function formatsHelp(list: readonly (readonly [string, string])[]): string {
  const width = Math.max(...list.map(([name]) => name.length), 0) + 2;
  return `\nFormats:\n${list.map(([name, title]) => `  ${name.padEnd(width)}${title}`).join("\n")}\n`;
}

/** `--option key=value`, repeatable; later values win. */
export function collectOption(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) throw new Error(`--option takes key=value, got ${JSON.stringify(value)}`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
