import { format as airflow } from "./airflow/index.js";
import { format as avro } from "./avro/index.js";
import { format as avroIdl } from "./avro-idl/index.js";
import { format as bigquery } from "./bigquery/index.js";
import { format as csv } from "./csv/index.js";
import { format as dbml } from "./dbml/index.js";
import { format as dbt } from "./dbt/index.js";
import { format as dcs } from "./dcs/index.js";
import { format as dps } from "./dps/index.js";
import { format as duckdb } from "./duckdb/index.js";
import { format as excel } from "./excel/index.js";
import type { Format } from "./format.js";
import { format as glue } from "./glue/index.js";
import { format as go } from "./go/index.js";
import { format as greatExpectations } from "./great-expectations/index.js";
import { format as html } from "./html/index.js";
import { format as iceberg } from "./iceberg/index.js";
import { format as json } from "./json/index.js";
import { format as jsonschema } from "./jsonschema/index.js";
import { format as markdown } from "./markdown/index.js";
import { format as mermaid } from "./mermaid/index.js";
import { format as odcs } from "./odcs/index.js";
import { format as openapi } from "./openapi/index.js";
import { format as pandera } from "./pandera/index.js";
import { format as parquet } from "./parquet/index.js";
import { format as postgres } from "./postgres/index.js";
import { format as protobuf } from "./protobuf/index.js";
import { format as pydantic } from "./pydantic/index.js";
import { format as sodacl } from "./sodacl/index.js";
import { format as spark } from "./spark/index.js";
import { format as sql } from "./sql/index.js";
import { format as sqlQuery } from "./sql-query/index.js";
import { format as sqlalchemy } from "./sqlalchemy/index.js";
import { format as typescript } from "./typescript/index.js";
import { format as unity } from "./unity/index.js";

export * from "./format.js";

/**
 * Every format, in the order help lists them: contract standards first, then schema languages,
 * data, quality, documents and code. A format folder that declares neither an importer nor an
 * exporter yet is left out.
 */
const all: readonly Format[] = [
  dcs,
  dps,
  odcs,
  sql,
  sqlQuery,
  jsonschema,
  avro,
  avroIdl,
  protobuf,
  dbml,
  spark,
  iceberg,
  bigquery,
  glue,
  unity,
  dbt,
  excel,
  parquet,
  csv,
  json,
  postgres,
  duckdb,
  sodacl,
  greatExpectations,
  html,
  markdown,
  mermaid,
  openapi,
  typescript,
  pydantic,
  pandera,
  go,
  sqlalchemy,
  airflow,
];

export const formats: readonly Format[] = all.filter((f) => f.importer !== undefined || f.exporter !== undefined);

const byName: ReadonlyMap<string, Format> = new Map(formats.map((f) => [f.name, f]));

export function getFormat(name: string): Format | undefined {
  return byName.get(name.toLowerCase());
}

/** Formats `quanta import` reads. */
export const importFormats: readonly Format[] = formats.filter((f) => f.importer !== undefined);

/** Formats `quanta export` writes. */
export const exportFormats: readonly Format[] = formats.filter((f) => f.exporter !== undefined);
