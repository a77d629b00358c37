/** How an output column depends on an input column: a value computed from it (DIRECT) or rows chosen by it (INDIRECT). */
export type DirectSubtype = "IDENTITY" | "TRANSFORMATION" | "AGGREGATION";
export type IndirectSubtype = "JOIN" | "FILTER" | "GROUP_BY" | "SORT" | "WINDOW" | "CONDITIONAL";

/** One transformation in OpenLineage's terms (ColumnLineageDatasetFacet 1-2-0). */
export type LineageTransformation =
  | { type: "DIRECT"; subtype: DirectSubtype; masking: boolean }
  | { type: "INDIRECT"; subtype: IndirectSubtype; masking: boolean };

/** An input column and what was done to it on the way. */
export interface LineageSource {
  /** The input table as the request names it (`port` or `port.dataset`). */
  table: string;
  column: string;
  transformations: LineageTransformation[];
}

export interface OutputColumnLineage {
  name: string;
  sources: LineageSource[];
  /** References on the way that name no column of their scope (`consented.amout`): the sources may be incomplete. */
  unknown: string[];
}

export type LineageIssueCode = "unknown-column" | "unknown-table" | "ambiguous-column" | "unsupported";

/** Something the walk could not follow, as data; the lineage of the rest stands. */
export interface LineageIssue {
  code: LineageIssueCode;
  /** The statement it was found in. */
  statement: string;
  message: string;
}

export interface ColumnLineage {
  /** The last statement's columns, in order. */
  columns: OutputColumnLineage[];
  /** Input columns that decide which rows there are or their order (INDIRECT): they concern every column. */
  dataset: LineageSource[];
  issues: LineageIssue[];
}

/** One SELECT; later statements read earlier ones by name (a pipeline's steps, a view over views). */
export interface LineageStatement {
  name: string;
  sql: string;
}

export interface LineageInputs {
  /** The columns of each table the statements read, by the name they read it by (`orders`, `orders.orders`). */
  tables: Readonly<Record<string, readonly string[]>>;
  /** Columns of those tables served masked: whatever they feed is marked `masking`. */
  masked?: Readonly<Record<string, readonly string[]>> | undefined;
  /**
   * Boolean SQL over a table's columns that every row served meets (an agreement's row filters):
   * the columns they read decide the rows of whatever reads the table (INDIRECT FILTER).
   */
  rowFilters?: Readonly<Record<string, readonly string[]>> | undefined;
}
