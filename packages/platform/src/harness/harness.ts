import { mkdir } from "node:fs/promises";
import type { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { UsageRepository } from "../storage/repositories/usage-repository.js";
import {
  type ConsumeLimits,
  type ConsumeQuery,
  type ConsumeStream,
  consumeQuery,
  defaultConsumeLimits,
} from "./consume/consume-query.js";
import type { DataLocator } from "./data-locator.js";
import { type Discovery, discover } from "./discover.js";
import { type Governance, govern } from "./govern.js";
import { HarnessError } from "./harness-error.js";
import {
  datasetOf,
  defaultIngestLimits,
  type IngestLimits,
  type IngestResult,
  ingestBatch,
} from "./ingest/ingest-batch.js";
import { type IngestFormat, readUpload, type Upload } from "./ingest/read-upload.js";
import type { ControlAction } from "./lifecycle.js";
import { type Lifecycle, LifecycleStore, type ProductConfig } from "./lifecycle-store.js";
import { type Observation, observe } from "./observe.js";
import { findPort, portContract, portDatasets } from "./port-data.js";

export interface HarnessOptions {
  db: Database;
  registry: Registry;
  locator: DataLocator;
  consume?: Partial<ConsumeLimits>;
  ingest?: Partial<IngestLimits>;
  /** Called after a control action that (re)starts a product, to test its contracts now. */
  onStarted?: (productId: string) => void;
}

/**
 * The same six interfaces for every data product: discover, consume, ingest, observe, govern,
 * control. Written once over the metadata store and the product's files; the HTTP routes only
 * translate.
 */
export class Harness {
  readonly db: Database;
  readonly registry: Registry;
  readonly locator: DataLocator;
  readonly lifecycle: LifecycleStore;
  readonly consumeLimits: ConsumeLimits;
  readonly ingestLimits: IngestLimits;

  constructor(private readonly options: HarnessOptions) {
    this.db = options.db;
    this.registry = options.registry;
    this.locator = options.locator;
    this.lifecycle = new LifecycleStore(options.db);
    this.consumeLimits = { ...defaultConsumeLimits, ...options.consume };
    this.ingestLimits = { ...defaultIngestLimits, ...options.ingest };
  }

  discover(productId: string): Promise<Discovery> {
    return discover(this.db, this.registry, this.lifecycle, productId);
  }

  /**
   * A read-only query over one output port, streamed. Refused (409/423) while the product does not
   * serve reads; every stream that starts is recorded as usage when it ends.
   */
  async consume(
    productId: string,
    request: Omit<ConsumeQuery, "limit"> & { port: string; limit?: number | undefined },
    consumer: string,
  ): Promise<ConsumeStream> {
    const life = await this.lifecycle.requireReads(productId);
    const port = await findPort(this.db, productId, request.port, ["output"]);
    const { datasets } = portDatasets(await portContract(this.db, productId, port), this.locator);
    const maxRows = Math.min(life.config.maxRows ?? this.consumeLimits.maxRows, this.consumeLimits.maxRows);
    const stream = await consumeQuery(
      datasets,
      {
        sql: request.sql,
        format: request.format,
        limit: request.limit ?? Math.min(this.consumeLimits.defaultRows, maxRows),
      },
      { ...this.consumeLimits, maxRows },
      this.locator.tempDir(),
    );
    void stream.done.then((o) =>
      new UsageRepository(this.db)
        .record({
          productId,
          port: port.name,
          consumer,
          action: o.error ? "consume-incomplete" : "consume",
          rows: o.rows,
          bytes: o.bytes,
          durationMs: o.durationMs,
        })
        .catch(() => {}),
    );
    return stream;
  }

  /**
   * Records for one of the product's input ports, validated row by row against the contract that
   * port names: valid rows stored, invalid ones quarantined with their reasons. A stopped product
   * takes no data.
   */
  async ingest(
    productId: string,
    request: {
      port: string;
      dataset?: string | undefined;
      upload: Upload | { format: IngestFormat; bytes: Uint8Array };
    },
    actor: string,
  ): Promise<IngestResult> {
    const life = await this.lifecycle.get(productId);
    if (life.state === "stopped") {
      throw new HarnessError(409, "product-stopped", `data product "${productId}" is stopped; start it to ingest`, {
        state: life.state,
      });
    }
    const port = await findPort(this.db, productId, request.port, ["input"]);
    const pc = await portContract(this.db, productId, port);
    const dataset = datasetOf(pc, request.dataset);
    const upload =
      "records" in request.upload
        ? request.upload
        : await readUpload(
            request.upload.format,
            request.upload.bytes,
            await this.tempDir(),
            this.ingestLimits.maxRows,
          );
    return ingestBatch(this.db, this.locator, pc, dataset, upload, actor, this.ingestLimits);
  }

  private async tempDir(): Promise<string> {
    const dir = this.locator.tempDir();
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async observe(productId: string): Promise<Observation> {
    return observe(this.db, productId, await this.lifecycle.get(productId));
  }

  async govern(productId: string): Promise<Governance> {
    await this.lifecycle.get(productId); // 404 for an unknown product
    return govern(this.db, productId);
  }

  async control(
    productId: string,
    action: ControlAction,
    config: ProductConfig | undefined,
    actor: string,
  ): Promise<Lifecycle> {
    const life = await this.lifecycle.apply(productId, action, config, actor);
    if ((action === "start" || action === "resume") && life.runsTests) this.options.onStarted?.(productId);
    return life;
  }

  state(productId: string): Promise<Lifecycle> {
    return this.lifecycle.get(productId);
  }
}
