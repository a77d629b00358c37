import { formatPath, type Path } from "../issues.js";
import { loadDocument } from "../spec/load-document.js";
import type { DataContract } from "../spec/odcs/model.js";
import type { DataProduct } from "../spec/odps/model.js";
import type { Position, SourceDocument } from "../spec/source.js";
import type { PolicyFinding } from "./policy-model.js";

/**
 * A document rules look at: its value (normalized ODPS/ODCS) and, when it came from a file, how
 * to find a node in it. The platform may hold only values; findings then carry the path alone.
 */
export interface PolicyDocument<T> {
  value: T;
  file: string;
  locate?: (path: Path) => Position;
}

/** What the policies judge: one product, the contracts of its ports, and optionally its last published version. */
export interface PolicySubject {
  product: PolicyDocument<DataProduct>;
  contracts: PolicyDocument<DataContract>[];
  /** The previously published version, for rules about change (breaking changes). */
  previous?: { product?: PolicyDocument<DataProduct>; contracts: PolicyDocument<DataContract>[] };
  /** Overrides `product.domain` to choose the domain policies. */
  domain?: string;
  /** The time rules judge against (notice periods); now when absent. */
  now?: Date;
  /** A new version of a port's data and its contract test results: given, only `on: data` rules judge. */
  data?: PolicyData;
  /**
   * Where the output ports' columns come from, as the product's pipeline declares it (its SQL):
   * one entry per output column. Absent when nobody computed it (a document linted alone); empty
   * when the product has no pipeline of SQL steps.
   */
  lineage?: PolicyColumnLineage[];
}

/** One column of an output port and the upstream columns it derives from. */
export interface PolicyColumnLineage {
  port: string;
  dataset: string;
  column: string;
  upstream: PolicyUpstreamColumn[];
}

/** An upstream column on the way to an output column, as its own contract classifies it. */
export interface PolicyUpstreamColumn {
  product: string;
  port: string;
  dataset: string;
  column: string;
  /** The upstream contract property's `classification`, lower-cased; null when it has none. */
  classification: string | null;
  /** `direct`: the column's values are computed from it; `indirect`: it decides which rows there are. */
  kind: "direct" | "indirect";
  /**
   * Whether every path from it masks it: a masking function (a hash) or the agreement serving it
   * masked to this product's team.
   */
  masked: boolean;
  /** The transformations on the way, in OpenLineage's terms: `DIRECT/AGGREGATION`, `INDIRECT/FILTER`. */
  transformations: string[];
}

/** What `on: data` rules read as `data`: the staged version of one dataset of a port, as tested. */
export interface PolicyData {
  port: string;
  dataset: string;
  /** The staged version's number. */
  version: number;
  /** Where the version comes from: `publish` (an upload), `pipeline`, `ingest`. */
  source: string;
  rows: number;
  bytes: number;
  /** The contract test's result: passed, warning, failed or error. */
  status: string;
  checks: PolicyDataCheck[];
}

export interface PolicyDataCheck {
  id: string;
  status: string;
  /** The check's name (its ODCS `name`, or what it checks). */
  name: string;
  /** The ODCS quality dimension (completeness, accuracy, …) where the check has one. */
  dimension: string | null;
  /** What the check measured, when it is a number. */
  value: number | null;
}

/** A product or contract read from a parsed file, normalized to the current model. */
export function policyDocument<T extends DataProduct | DataContract>(src: SourceDocument): PolicyDocument<T> {
  const loaded = loadDocument(src);
  return { value: loaded.value as T, file: src.file, locate: (path) => src.locate(path) };
}

/** A finding at `path` of `doc` (the nearest existing node when the path does not exist). */
export function findingAt(doc: PolicyDocument<unknown>, path: Path, message: string): PolicyFinding {
  const pos = doc.locate?.(path) ?? { line: 0, column: 0 };
  return { message, file: doc.file, line: pos.line, column: pos.column, path: formatPath(path) };
}
