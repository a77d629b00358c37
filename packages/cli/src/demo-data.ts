import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * Demo sizes of the source-aligned products (the others are built from them by their pipelines):
 * realistic enough that consume, search and the charts mean something (a million station readings,
 * hundreds of thousands of orders), small enough to generate in seconds.
 */
const demoRowCounts: Record<string, number> = {
  "weather-station-readings": 1_000_000,
  orders: 300_000,
};

function hasData(productDir: string): boolean {
  const dir = join(productDir, "data");
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".parquet"));
}

/**
 * Generates the demo data of every product folder that has a generator and no data yet (first
 * start only; later starts reuse the files). Deterministic apart from `as_of`, which is now, so
 * freshness SLAs hold right after generation.
 */
export async function ensureDemoData(
  productDirs: readonly string[],
  log: (line: string) => void,
  /** Rows of every product's main dataset instead of the realistic sizes (tests, small machines). */
  rows?: number,
): Promise<number> {
  const missing = productDirs.filter((d) => existsSync(join(d, "data", "generate.sql")) && !hasData(d));
  if (missing.length === 0) return 0;
  const { generateProductData } = await import("@quanta/engine-duckdb");
  log(`generating demo data for ${missing.length} data product(s) (first start only) …`);
  for (const dir of missing) {
    const rowCount = rows ?? demoRowCounts[basename(dir)];
    await generateProductData(dir, rowCount ? { rowCount } : {});
  }
  return missing.length;
}
