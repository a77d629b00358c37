/** A column of a consume query's result, as the server describes it. */
export interface ResultColumn {
  name: string;
  /** PostgreSQL's name of the type (`format_type`): `integer`, `numeric(10,2)`, `text[]`. */
  type: string;
  /** pg_type.oid and the type modifier (−1: none), from the result's row description. */
  oid: number;
  typmod: number;
  /** pg_type.typcategory (`A` arrays, `S` strings …) and typtype (`c` records, `b` base …). */
  category: string;
  kind: string;
}

/** Arrays and records: sent as JSON text (CSV and Arrow), as objects and arrays (JSON). */
export const isNested = (c: ResultColumn): boolean => c.category === "A" || c.kind === "c";

/** How a writer slows the copy down when the file behind it cannot keep up. */
export interface Flow {
  pause(): void;
  resume(): void;
}

export interface Written {
  rows: number;
  /** A row past the limit arrived: the result goes on. */
  truncated: boolean;
}

/** A result file being written from the rows of a binary COPY (see copy-out.ts). */
export interface ResultWriter {
  /** One row; fields as offsets into `buffer` (valid only during the call), −1 for NULL. */
  add(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void;
  /** After the last row (or, with `error`, instead of it): the file complete and closed. */
  end(error?: unknown): Promise<Written>;
}
