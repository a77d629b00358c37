// Writes the benchmark dataset once: 10,000,000 orders as Parquet in bench/.data/ (gitignored).
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

export const rows = Number(process.env.QUANTA_BENCH_ROWS ?? 10_000_000);
export const dataFile = join(dirname(fileURLToPath(import.meta.url)), "..", ".data", `orders-${rows}.parquet`);

export async function generate() {
  if (existsSync(dataFile)) return dataFile;
  mkdirSync(dirname(dataFile), { recursive: true });
  const tmp = `${dataFile}.tmp`;
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  // order_id unique; customer_id 1 % null; amount decimal ≥ 0; 4 statuses; a timestamp per minute.
  await conn.run(`COPY (
    SELECT i AS order_id,
           CASE WHEN hash(i) % 100 = 0 THEN NULL ELSE CAST(hash(i * 7) % 250000 AS BIGINT) END AS customer_id,
           TIMESTAMP '2024-01-01' + to_seconds(i * 3) AS ordered_at,
           CAST((hash(i * 13) % 100000) / 100.0 AS DECIMAL(12,2)) AS amount,
           ['placed', 'paid', 'shipped', 'cancelled'][1 + CAST(hash(i * 17) % 4 AS INTEGER)] AS status
    FROM range(${rows}) t(i)
  ) TO '${tmp}' (FORMAT parquet, ROW_GROUP_SIZE 122880)`);
  conn.closeSync();
  instance.closeSync();
  renameSync(tmp, dataFile);
  return dataFile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await generate());
}
