import { statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DuckDBConnection } from "../duckdb-api.js";
import { readableRoot } from "../sources.js";
import { ConsumerSandbox } from "./consumer-sandbox.js";
import type { SandboxDataset } from "./sandbox-dataset.js";

/** One query's use of a pooled sandbox: its own connection, and the folder its result file goes to. */
export interface SandboxLease {
  sandbox: ConsumerSandbox;
  conn: DuckDBConnection;
  /** The only folder this sandbox may write (result files, one per query). */
  outputDir: string;
  /** Closes the connection and hands the sandbox back; call once, as soon as DuckDB's work is done. */
  release(): void;
}

export interface SandboxPoolOptions {
  /** A sandbox nobody used for this long is closed. Default 60 s. */
  idleMs?: number;
  /** Idle sandboxes kept at most (least recently used closed first). Default 8. */
  maxIdle?: number;
}

interface Entry {
  key: string;
  ready: Promise<{ sandbox: ConsumerSandbox; outputDir: string }>;
  leases: number;
  lastUsed: number;
  closed: boolean;
}

/**
 * Sandboxes kept open between queries (a fresh DuckDB instance with its views costs ~45 ms, more
 * than a small query). A sandbox is shared only by reads whose views are *identical*: the key is
 * every dataset's file, format, masked columns and row filters, plus the file's size and mtime.
 * So a consumer only ever queries views built for exactly its own masking and filters, and data
 * replaced on disk gets a new sandbox. Each query gets its own connection; the consumer's SQL is
 * guarded to one SELECT over the views, so nothing one query does is visible to the next.
 */
export class SandboxPool {
  private readonly entries = new Map<string, Entry>();
  /** Connections leased out, each running one query: `close` interrupts them. */
  private readonly leased = new Set<DuckDBConnection>();
  private readonly idleMs: number;
  private readonly maxIdle: number;
  private sweeper: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly tempRoot: string,
    options: SandboxPoolOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 60_000;
    this.maxIdle = options.maxIdle ?? 8;
  }

  async acquire(datasets: readonly SandboxDataset[]): Promise<SandboxLease> {
    const key = poolKey(datasets);
    let entry = this.entries.get(key);
    if (!entry) {
      const created: Entry = { key, ready: this.create(datasets), leases: 0, lastUsed: Date.now(), closed: false };
      entry = created;
      this.entries.set(key, created);
      // A sandbox that cannot be built (unreadable file, invalid row filter) is not kept.
      created.ready.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    }
    const e = entry;
    e.leases++;
    let ready: { sandbox: ConsumerSandbox; outputDir: string };
    let conn: DuckDBConnection;
    try {
      ready = await e.ready;
      conn = await ready.sandbox.connect();
    } catch (err) {
      e.leases--;
      throw err;
    }
    let released = false;
    this.leased.add(conn);
    return {
      sandbox: ready.sandbox,
      conn,
      outputDir: ready.outputDir,
      release: () => {
        if (released) return;
        released = true;
        this.leased.delete(conn);
        try {
          conn.closeSync();
        } catch {
          // already closed
        }
        e.leases--;
        e.lastUsed = Date.now();
        this.sweep();
      },
    };
  }

  /** Open sandboxes (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Closes every idle sandbox now; ones in use close when released. Queries still running are
   * interrupted: the process could not exit while DuckDB runs one.
   */
  close(): void {
    this.closing = true;
    for (const conn of this.leased) conn.interrupt();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const e of this.entries.values()) if (e.leases === 0) this.drop(e);
  }

  private async create(datasets: readonly SandboxDataset[]): Promise<{ sandbox: ConsumerSandbox; outputDir: string }> {
    await mkdir(this.tempRoot, { recursive: true });
    const outputDir = await mkdtemp(join(this.tempRoot, "consume-"));
    try {
      const sandbox = await ConsumerSandbox.open(datasets, { outputDir });
      if (this.closing) return { sandbox, outputDir };
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(1000, this.idleMs / 2)).unref();
      return { sandbox, outputDir };
    } catch (e) {
      await rm(outputDir, { recursive: true, force: true });
      throw e;
    }
  }

  private sweep(): void {
    const now = Date.now();
    const idle = [...this.entries.values()].filter((e) => e.leases === 0).sort((a, b) => a.lastUsed - b.lastUsed);
    idle.forEach((e, i) => {
      if (this.closing || now - e.lastUsed >= this.idleMs || idle.length - i > this.maxIdle) this.drop(e);
    });
  }

  private drop(e: Entry): void {
    if (e.closed) return;
    e.closed = true;
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    void e.ready.then(
      ({ sandbox, outputDir }) => {
        sandbox.close();
        return rm(outputDir, { recursive: true, force: true });
      },
      () => {},
    );
  }
}

/** What makes two reads' views the same: datasets with their protections, and the files' versions. */
function poolKey(datasets: readonly SandboxDataset[]): string {
  return JSON.stringify(
    datasets.map((d) => {
      const files = d.files ?? (d.table ? [d.table.database] : []);
      return [
        d.schema ?? "",
        d.name,
        files,
        d.format,
        d.table ?? null,
        d.masked ?? [],
        d.rowFilters ?? [],
        files.map(fileVersion),
      ];
    }),
  );
}

function fileVersion(file: string): string {
  try {
    const s = statSync(readableRoot(file).path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}
