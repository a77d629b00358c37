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

/** Rows as the server prints each value (text), null for SQL NULL. */
export type Rows = readonly (readonly (string | null)[])[];

/** The next rows of the result, or undefined when there are no more. */
export type RowSource = () => Promise<Rows | undefined>;

/** Arrays and records: sent as JSON text (CSV and Arrow), as objects and arrays (JSON). */
export const isNested = (c: ResultColumn): boolean => c.category === "A" || c.kind === "c";
