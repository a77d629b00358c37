/** One dataset a consumer sandbox serves as a view: its files, and what the reader may not see. */
export interface SandboxDataset {
  /** The view's name: the contract's schema object. */
  name: string;
  /** Absolute path, possibly a glob. */
  file: string;
  format: string;
  /** Columns served masked: `'***'` for text, NULL of the column's type otherwise. */
  masked?: string[] | undefined;
  /** Boolean SQL expressions over the dataset's columns that every served row meets. */
  rowFilters?: string[] | undefined;
}
