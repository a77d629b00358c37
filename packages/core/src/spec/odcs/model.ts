/**
 * ODCS v3.1.0 (Open Data Contract Standard) as TypeScript types, written from the official JSON
 * Schema (`schemas/odcs-json-schema-v3.1.0.json`). Names follow the schema's `$defs`. Documents
 * written for v3.0.x are read into this model by `normalizeOdcs`.
 */

/** `"v3.1.0"` after normalization; the schema also accepts v3.0.x and v2.2.x. */
export type OdcsApiVersion = "v3.1.0" | "v3.0.2" | "v3.0.1" | "v3.0.0" | "v2.2.2" | "v2.2.1" | "v2.2.0";

/** Free-form value of a custom property (the schema's `AnyType`). */
export type AnyValue = string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

export interface DataContract {
  apiVersion: OdcsApiVersion;
  kind: "DataContract";
  id: string;
  version: string;
  /** Free text in the schema; the standard suggests proposed, draft, active, deprecated, retired. */
  status: string;
  name?: string;
  tenant?: string;
  tags?: string[];
  servers?: Server[];
  /** @deprecated since ODCS v3.1.0. */
  dataProduct?: string;
  description?: ContractDescription;
  domain?: string;
  schema?: SchemaObject[];
  support?: SupportItem[];
  price?: Price;
  /** v3.0 documents may give a list of members; `normalizeOdcs` turns it into `{ members }`. */
  team?: Team;
  roles?: Role[];
  /** @deprecated since ODCS v3.1.0: set `element` on each SLA property. */
  slaDefaultElement?: string;
  slaProperties?: ServiceLevelAgreementProperty[];
  authoritativeDefinitions?: AuthoritativeDefinition[];
  customProperties?: CustomProperty[];
  /** ISO 8601 date-time. */
  contractCreatedTs?: string;
}

export interface ContractDescription {
  usage?: string;
  purpose?: string;
  limitations?: string;
  authoritativeDefinitions?: AuthoritativeDefinition[];
  customProperties?: CustomProperty[];
}

export type ServerType =
  | "api"
  | "athena"
  | "azure"
  | "bigquery"
  | "clickhouse"
  | "databricks"
  | "denodo"
  | "dremio"
  | "duckdb"
  | "glue"
  | "cloudsql"
  | "db2"
  | "hive"
  | "impala"
  | "informix"
  | "kafka"
  | "kinesis"
  | "local"
  | "mysql"
  | "oracle"
  | "postgresql"
  | "postgres"
  | "presto"
  | "pubsub"
  | "redshift"
  | "s3"
  | "sftp"
  | "snowflake"
  | "sqlserver"
  | "synapse"
  | "trino"
  | "vertica"
  | "zen"
  | "custom";

/**
 * Where the data lives. The schema requires type-specific fields per `type` (e.g. postgres:
 * host, port, database, schema); they are all optional here so one type serves every server.
 */
export interface Server {
  id?: string;
  server: string;
  type: ServerType;
  description?: string;
  environment?: string;
  roles?: Role[];
  customProperties?: CustomProperty[];
  location?: string;
  format?: string;
  delimiter?: string;
  endpointUrl?: string;
  path?: string;
  host?: string;
  port?: number;
  database?: string;
  schema?: string;
  catalog?: string;
  project?: string;
  dataset?: string;
  account?: string;
  warehouse?: string;
  region?: string;
  regionName?: string;
  serviceName?: string;
  stagingDir?: string;
  stream?: string;
}

/** Fields shared by schema objects and their properties (`SchemaElement`). */
export interface SchemaElement {
  id?: string;
  name?: string;
  physicalType?: string;
  description?: string;
  businessName?: string;
  authoritativeDefinitions?: AuthoritativeDefinition[];
  tags?: string[];
  customProperties?: CustomProperty[];
}

/** A table, view, topic, file... (`SchemaObject`). */
export interface SchemaObject extends SchemaElement {
  name: string;
  logicalType?: "object";
  physicalName?: string;
  dataGranularityDescription?: string;
  properties?: SchemaProperty[];
  relationships?: Relationship[];
  quality?: DataQuality[];
}

/** ODCS v3.1 logical types: the one list every part of Quanta reads (lint, checks, dialects, importers). */
export const logicalTypes = [
  "string",
  "date",
  "timestamp",
  "time",
  "number",
  "integer",
  "object",
  "array",
  "boolean",
] as const;
export type LogicalType = (typeof logicalTypes)[number];
export type PropertyLogicalType = LogicalType;

/** Options allowed per logical type (the schema's if/then on `logicalType`). */
export interface LogicalTypeOptions {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number | string;
  maximum?: number | string;
  exclusiveMinimum?: number | string;
  exclusiveMaximum?: number | string;
  multipleOf?: number;
  timezone?: boolean;
  defaultTimezone?: string;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
}

/** A column or field (`SchemaProperty`; `items` of an array uses the same shape without `name`). */
export interface SchemaProperty extends SchemaElement {
  name: string;
  primaryKey?: boolean;
  primaryKeyPosition?: number;
  logicalType?: PropertyLogicalType;
  logicalTypeOptions?: LogicalTypeOptions;
  physicalName?: string;
  required?: boolean;
  unique?: boolean;
  partitioned?: boolean;
  partitionKeyPosition?: number;
  classification?: string;
  encryptedName?: string;
  transformSourceObjects?: string[];
  transformLogic?: string;
  transformDescription?: string;
  examples?: unknown[];
  criticalDataElement?: boolean;
  relationships?: Relationship[];
  quality?: DataQuality[];
  /** For `logicalType: object`. */
  properties?: SchemaProperty[];
  /** For `logicalType: array`. */
  items?: SchemaItemProperty;
}

export type SchemaItemProperty = Omit<SchemaProperty, "name"> & { name?: string };

/** A foreign key: `from` is implicit (the property) at property level, explicit at schema level. */
export interface Relationship {
  type?: "foreignKey";
  from?: string | string[];
  to: string | string[];
  customProperties?: CustomProperty[];
}

export type QualityDimension =
  | "accuracy"
  | "completeness"
  | "conformity"
  | "consistency"
  | "coverage"
  | "timeliness"
  | "uniqueness";

export type QualityMetric = "nullValues" | "missingValues" | "invalidValues" | "duplicateValues" | "rowCount";

/** Comparison operators of library and SQL checks: exactly one is given (`DataQualityOperators`). */
export interface QualityOperators {
  mustBe?: unknown;
  mustNotBe?: unknown;
  mustBeGreaterThan?: number;
  mustBeGreaterOrEqualTo?: number;
  mustBeLessThan?: number;
  mustBeLessOrEqualTo?: number;
  mustBeBetween?: [number, number];
  mustNotBeBetween?: [number, number];
}

/** A data quality check (`DataQuality`): text, library (metric), sql or custom. */
export interface DataQuality extends QualityOperators {
  id?: string;
  type?: "text" | "library" | "sql" | "custom";
  name?: string;
  description?: string;
  dimension?: QualityDimension;
  method?: string;
  severity?: string;
  businessImpact?: string;
  schedule?: string;
  scheduler?: string;
  unit?: string;
  tags?: string[];
  authoritativeDefinitions?: AuthoritativeDefinition[];
  customProperties?: CustomProperty[];
  /** library */
  metric?: QualityMetric;
  /** @deprecated v3.0 name of `metric`; `normalizeOdcs` maps it. */
  rule?: string;
  arguments?: Record<string, unknown>;
  /** sql */
  query?: string;
  /** custom */
  engine?: string;
  implementation?: string | Record<string, unknown>;
}

export interface AuthoritativeDefinition {
  id?: string;
  url: string;
  type: string;
  description?: string;
}

export interface SupportItem {
  id?: string;
  channel: string;
  url?: string;
  description?: string;
  tool?: string;
  scope?: string;
  invitationUrl?: string;
  customProperties?: CustomProperty[];
}

/** Alias matching the schema's `Support` (a list of support items). */
export type Support = SupportItem[];

/** The schema's `Pricing`. */
export interface Price {
  id?: string;
  priceAmount?: number;
  priceCurrency?: string;
  priceUnit?: string;
}

export interface TeamMember {
  id?: string;
  username: string;
  name?: string;
  description?: string;
  role?: string;
  /** ISO date. */
  dateIn?: string;
  dateOut?: string;
  replacedByUsername?: string;
  tags?: string[];
  customProperties?: CustomProperty[];
  authoritativeDefinitions?: AuthoritativeDefinition[];
}

export interface Team {
  id?: string;
  name?: string;
  description?: string;
  members?: TeamMember[];
  tags?: string[];
  customProperties?: CustomProperty[];
  authoritativeDefinitions?: AuthoritativeDefinition[];
}

export interface Role {
  id?: string;
  role: string;
  description?: string;
  access?: string;
  firstLevelApprovers?: string;
  secondLevelApprovers?: string;
  customProperties?: CustomProperty[];
}

export interface ServiceLevelAgreementProperty {
  id?: string;
  /** e.g. latency, retention, frequency, availability, throughput, errorRate, generalAvailability. */
  property: string;
  value: string | number | boolean | null;
  valueExt?: string | number | boolean | null;
  unit?: string;
  element?: string;
  driver?: string;
  description?: string;
  scheduler?: string;
  schedule?: string;
}

export interface CustomProperty {
  id?: string;
  property: string;
  value: AnyValue;
  description?: string;
}
