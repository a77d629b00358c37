import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EngineError, InputError } from "@quanta/core";
import { DuckDBInstance } from "./duckdb-api.js";

export interface GenerateOptions {
  /** Rows of the product's main dataset (the script's `row_count` variable); the script's default when absent. */
  rowCount?: number;
  /** The moment the data ends at (the script's `as_of`), for reproducible files; now when absent. */
  asOf?: Date;
}

/** Where a data product keeps the script that generates its demo data. */
export const generateScript = join("data", "generate.sql");

/**
 * Runs a product folder's `data/generate.sql` (a DuckDB script, deterministic by convention) so
 * its contracts have data to be tested against. The script writes with `COPY … TO 'data/<file>'`;
 * those targets are resolved against the product folder, whatever the process's working directory.
 */
export async function generateProductData(productDir: string, options: GenerateOptions = {}): Promise<void> {
  const scriptPath = join(productDir, generateScript);
  let script: string;
  try {
    script = await readFile(scriptPath, "utf8");
  } catch {
    throw new InputError(`no data generator at ${scriptPath}`);
  }
  const dataDir = join(productDir, "data").replaceAll("'", "''");
  const resolved = script.replace(/\bTO\s+'data\//g, `TO '${dataDir}/`);
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    if (options.rowCount !== undefined) {
      if (!Number.isSafeInteger(options.rowCount) || options.rowCount < 1) {
        throw new InputError(`row count must be a positive whole number, not ${options.rowCount}`);
      }
      await conn.run(`SET VARIABLE row_count = ${options.rowCount}`);
    }
    if (options.asOf) await conn.run(`SET VARIABLE as_of = TIMESTAMP '${options.asOf.toISOString().slice(0, 19)}'`);
    await conn.run(resolved);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new EngineError(`generating data for ${productDir} failed: ${(e as Error).message}`, { cause: e });
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
