import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readingsOdcs, sensorsOdps, type writeSensorProducts } from "../harness/harness-fixtures.js";
import type { ProductFile } from "../registry/publish-product.js";

/** The quality rule that makes `test.slow` slow: even 100 readings cross-joined six times are 1e12 rows. */
export const slowRule = "SELECT count(*) FROM readings a, readings b, readings c, readings d, readings e, readings f";

/**
 * `test.slow` (tests only): the sensors product under another id, its contract with one SQL rule
 * no time limit in a test lets finish. Written beside the sensors fixture, with a copy of its data.
 */
export async function writeSlowProduct(
  fixture: Awaited<ReturnType<typeof writeSensorProducts>>,
): Promise<{ dir: string; files: ProductFile[] }> {
  const dir = join(fixture.root, "slow");
  await mkdir(join(dir, "contracts"), { recursive: true });
  await mkdir(join(dir, "data"), { recursive: true });
  await copyFile(join(fixture.sensorsDir, "data", "readings.parquet"), join(dir, "data", "readings.parquet"));
  const rowCount = "    quality:\n      - metric: rowCount\n        mustBeGreaterThan: 0\n";
  if (!readingsOdcs.includes(rowCount)) throw new Error("the readings contract changed: update writeSlowProduct");
  const files = [
    { path: "slow.odps.yaml", text: sensorsOdps.replaceAll("test.sensors", "test.slow") },
    {
      path: "contracts/readings.odcs.yaml",
      text: readingsOdcs
        .replaceAll("test.sensors.readings", "test.slow.readings")
        .replace(rowCount, `${rowCount}      - type: sql\n        query: ${slowRule}\n        mustBeGreaterThan: 0\n`),
    },
  ];
  for (const f of files) await writeFile(join(dir, f.path), f.text);
  return { dir, files };
}
