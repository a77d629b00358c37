/** One dataset a consumer sandbox serves as a view: where its rows are, and what the reader may not see. */
export interface SandboxDataset {
  /** The view's name: the contract's schema object. */
  name: string;
  /** The schema the view is in (a read across ports names each port's datasets `port.dataset`). */
  schema?: string | undefined;
  /** Absolute paths, each possibly a glob, read together as one dataset… */
  files?: readonly string[] | undefined;
  format?: string | undefined;
  /** …or a table of a DuckDB database file, attached read-only. */
  table?: { database: string; schema?: string | undefined; table: string } | undefined;
  /** Columns served masked: `'***'` for text, NULL of the column's type otherwise. */
  masked?: string[] | undefined;
  /** Boolean SQL expressions over the dataset's columns that every served row meets. */
  rowFilters?: string[] | undefined;
}
