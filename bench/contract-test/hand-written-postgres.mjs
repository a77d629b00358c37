// The PostgreSQL baseline: ONE hand-written aggregate query computing the same metrics as the
// contract, in its own node process with `pg` (process start counts on both sides).
import pg from "pg";

const client = new pg.Client({ connectionString: process.argv[2] });
await client.connect();
const { rows } = await client.query(`
  SELECT count(*) AS row_count,
         count(*) FILTER (WHERE order_id IS NULL) AS order_id_nulls,
         count(order_id) - count(DISTINCT order_id) AS order_id_duplicates,
         count(*) FILTER (WHERE ordered_at IS NULL) AS ordered_at_nulls,
         count(*) FILTER (WHERE customer_id IS NULL) AS customer_id_nulls,
         count(*) FILTER (WHERE amount IS NOT NULL AND amount < 0) AS amount_below_zero,
         count(*) FILTER (WHERE status IS NOT NULL AND NOT (status IN ('placed', 'paid', 'shipped', 'cancelled'))) AS status_invalid,
         count(*) FILTER (WHERE amount > 1000 AND status = 'cancelled') AS big_cancelled
  FROM bench.orders`);
console.log(JSON.stringify(rows[0]));
await client.end();
