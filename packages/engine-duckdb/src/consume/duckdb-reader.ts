import { UnprocessableError } from "@quanta/core";
import type { DataReader, ReaderOptions, ReadRequest } from "@quanta/core/engines";
import { type ConsumeStream, consumeQuery } from "./consume-query.js";
import type { SandboxDataset } from "./sandbox-dataset.js";
import { SandboxPool } from "./sandbox-pool.js";

/**
 * Consumers' reads of files (local, mounted or, with the extensions, object storage) in pooled
 * DuckDB sandboxes: each dataset a view with the reader's masks and row filters, the consumer's
 * SQL guarded to one SELECT over those views (see consumeQuery).
 */
export class DuckDbReader implements DataReader {
  private readonly pool: SandboxPool;

  constructor(options: ReaderOptions) {
    this.pool = new SandboxPool(options.tempDir);
  }

  consume(request: ReadRequest): Promise<ConsumeStream> {
    const datasets: SandboxDataset[] = request.datasets.map((d) => {
      const protections = { schema: d.schema, masked: [...d.masked], rowFilters: [...d.rowFilters] };
      const s = d.source;
      if (s.kind === "files") return { name: d.name, files: s.files, format: s.format, ...protections };
      if (s.database === undefined) {
        throw new UnprocessableError(`dataset "${d.name}" is a table of a database server DuckDB does not reach`, {
          code: "engine-mismatch",
        });
      }
      return { name: d.name, table: { database: s.database, schema: s.schema, table: s.table }, ...protections };
    });
    return consumeQuery(datasets, request.query, request.limits, this.pool);
  }

  async close(): Promise<void> {
    this.pool.close();
  }
}
