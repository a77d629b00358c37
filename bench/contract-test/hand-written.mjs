// The baseline: ONE hand-written DuckDB query computing the same metrics as the contract, in one
// scan, in its own node process (process start counts on both sides).
import { DuckDBInstance } from "@duckdb/node-api";

const file = process.argv[2];
const instance = await DuckDBInstance.create(":memory:");
const conn = await instance.connect();
const reader = await conn.runAndReadAll(`
  SELECT count(*) AS row_count,
         count(*) FILTER (WHERE order_id IS NULL) AS order_id_nulls,
         count(order_id) - count(DISTINCT order_id) AS order_id_duplicates,
         count(*) FILTER (WHERE ordered_at IS NULL) AS ordered_at_nulls,
         count(*) FILTER (WHERE customer_id IS NULL) AS customer_id_nulls,
         count(*) FILTER (WHERE amount IS NOT NULL AND amount < 0) AS amount_below_zero,
         count(*) FILTER (WHERE status IS NOT NULL AND NOT (status IN ('placed', 'paid', 'shipped', 'cancelled'))) AS status_invalid,
         count(*) FILTER (WHERE amount > 1000 AND status = 'cancelled') AS big_cancelled
  FROM read_parquet('${file.replaceAll("'", "''")}')`);
console.log(JSON.stringify(reader.getRowObjectsJson()[0]));
conn.closeSync();
instance.closeSync();
