import { DuckDbDialect } from "@quanta/core";
import { ConsumerSandbox } from "../consume/consumer-sandbox.js";
import type { SandboxDataset } from "../consume/sandbox-dataset.js";
import type { LineageInputs } from "./lineage-types.js";

const dialect = new DuckDbDialect();

/**
 * The tables a pipeline's steps read, as `columnLineage` takes them: each view of the inputs
 * (`port`, `port.dataset`) with its columns as the run serves them, its masks and row filters. The
 * views are opened as the build opens them and read with `LIMIT 0`: the files' schemas, no rows.
 */
export async function lineageInputsOf(datasets: readonly SandboxDataset[]): Promise<LineageInputs> {
  const sandbox = await ConsumerSandbox.open(datasets, { threads: 1, memoryLimit: "256MB" });
  try {
    const tables: Record<string, string[]> = {};
    const masked: Record<string, string[]> = {};
    const rowFilters: Record<string, string[]> = {};
    for (const d of datasets) {
      const key = d.schema ? `${d.schema}.${d.name}` : d.name;
      const view = (d.schema ? `${dialect.quoteIdentifier(d.schema)}.` : "") + dialect.quoteIdentifier(d.name);
      const reader = await sandbox.conn.runAndReadAll(`SELECT * FROM ${view} LIMIT 0`);
      tables[key] = reader.columnNames();
      if (d.masked?.length) masked[key] = [...d.masked];
      if (d.rowFilters?.length) rowFilters[key] = [...d.rowFilters];
    }
    return { tables, masked, rowFilters };
  } finally {
    sandbox.close();
  }
}
