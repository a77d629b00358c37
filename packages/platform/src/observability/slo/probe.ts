import type { DataReader, EngineManifest } from "@quanta/core/engines";
import type { DataLocator } from "../../harness/data-locator.js";
import { findPort, portContract } from "../../harness/port-data.js";
import { portSource } from "../../harness/port-source.js";
import type { Queryable } from "../../storage/database.js";

export interface ProbeResult {
  up: boolean;
  latencyMs: number;
  /** Why it was down, secrets redacted; null when up. */
  reason: string | null;
}

/** Engine readers, one per engine, kept between probes (a part closes them when it stops). */
export class ProbeReaders {
  private readonly readers = new Map<string, Promise<DataReader>>();
  constructor(private readonly tempDir: string) {}

  get(engine: EngineManifest): Promise<DataReader> {
    let reader = this.readers.get(engine.name);
    if (!reader) {
      const load = engine.loadReader;
      if (!load) return Promise.reject(new Error(`the ${engine.name} engine serves no reads`));
      reader = load({ tempDir: this.tempDir });
      reader.catch(() => this.readers.delete(engine.name));
      this.readers.set(engine.name, reader);
    }
    return reader;
  }

  async close(): Promise<void> {
    for (const r of this.readers.values()) await r.then((x) => x.close()).catch(() => {});
    this.readers.clear();
  }
}

/**
 * Probes a port's serving path: its data located as consume locates it (port-source.ts), then one
 * row of its first dataset read through the engine consume uses, under a short time limit. Down,
 * with the reason, when any step fails; never throws.
 */
export async function probePort(
  q: Queryable,
  locator: DataLocator,
  readers: ProbeReaders,
  productId: string,
  portName: string,
  timeoutMs = 10_000,
): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let redact = (t: string) => t;
  try {
    const port = await findPort(q, productId, portName, ["output"]);
    const source = await portSource(q, await portContract(q, productId, port), locator);
    redact = source.redact;
    const first = source.datasets[0];
    if (!first) return { up: false, latencyMs: elapsed(), reason: "the contract names no dataset to read" };
    const reader = await readers.get(source.engine);
    const stream = await reader.consume({
      server: source.server,
      env: source.env,
      datasets: [{ name: first.name, source: first.source, masked: [], rowFilters: [] }],
      query: { format: "json", limit: 1 },
      limits: { defaultRows: 1, maxRows: 1, timeoutMs, maxSqlLength: 20_000 },
    });
    // Drain the (one-row) answer so the read runs to its end.
    const body = stream.body as unknown as ReadableStream<Uint8Array>;
    const r = body.getReader();
    while (!(await r.read()).done) {}
    const outcome = await stream.done;
    if (outcome.error) return { up: false, latencyMs: elapsed(), reason: redact(outcome.error) };
    return { up: true, latencyMs: elapsed(), reason: null };
  } catch (e) {
    return { up: false, latencyMs: elapsed(), reason: redact((e as Error)?.message ?? String(e)).slice(0, 1000) };
  }
}

/** Stores a probe of a slot once (N replicas probing the same slot store one row). */
export async function recordProbe(
  q: Queryable,
  productId: string,
  port: string,
  slot: Date,
  result: ProbeResult,
  at = new Date(),
): Promise<boolean> {
  const { rows } = await q.query(
    `INSERT INTO slo_probes (product_id, port, slot, at, up, latency_ms, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (product_id, port, slot) DO NOTHING RETURNING id`,
    [productId, port, slot.toISOString(), at.toISOString(), result.up, result.latencyMs, result.reason],
  );
  return rows.length > 0;
}
