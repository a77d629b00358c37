import { mkdir } from "node:fs/promises";
import { ConflictError, NotFoundError } from "@quanta/core";
import { portAccess } from "../access/port-access.js";
import { decideRead } from "../access/read-access.js";
import { AuditLog } from "../audit/audit-log.js";
import type { Principal } from "../identity/principal.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import {
  type ConsumeLimits,
  type ConsumeQuery,
  type ConsumeStream,
  consumeQuery,
  defaultConsumeLimits,
} from "./consume/consume-query.js";
import { SandboxPool } from "./consume/sandbox-pool.js";
import type { DataLocator } from "./data-locator.js";
import { type Discovery, discover } from "./discover.js";
import { type Governance, govern } from "./govern.js";
import { type IdempotencyScope, ingestFingerprint, readIdempotencyKey, replayIngest } from "./ingest/idempotency.js";
import {
  datasetOf,
  defaultIngestLimits,
  type IngestLimits,
  type IngestOutcome,
  ingestBatch,
} from "./ingest/ingest-batch.js";
import { type IngestFormat, readUpload, type Upload } from "./ingest/read-upload.js";
import type { ControlAction } from "./lifecycle.js";
import { type Lifecycle, LifecycleStore, type ProductConfig } from "./lifecycle-store.js";
import { type Observation, observe } from "./observe.js";
import { findPort, portContract, portDatasets, portOf } from "./port-data.js";
import { UsageRepository } from "./usage-repository.js";

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
  /** Consume sandboxes kept between queries, one per distinct set of views (see SandboxPool). */
  private readonly sandboxes: SandboxPool;

  constructor(private readonly options: HarnessOptions) {
    this.db = options.db;
    this.registry = options.registry;
    this.locator = options.locator;
    this.lifecycle = new LifecycleStore(options.db);
    this.consumeLimits = { ...defaultConsumeLimits, ...options.consume };
    this.ingestLimits = { ...defaultIngestLimits, ...options.ingest };
    this.sandboxes = new SandboxPool(this.locator.tempDir());
  }

  /** Closes the idle consume sandboxes (the process is stopping). */
  close(): void {
    this.sandboxes.close();
  }

  discover(productId: string): Promise<Discovery> {
    return discover(this.db, this.registry, this.lifecycle, productId);
  }

  /**
   * A read-only query over one output port, streamed. Refused (409/423) while the product does not
   * serve reads; allowed only to the owner team, an agreement of one of the caller's teams or on a
   * public port (ADR 0014), with sensitive columns masked and the port's row filters applied in
   * the views the query reads. Every read is audited and recorded as usage when it ends.
   */
  async consume(
    productId: string,
    request: Omit<ConsumeQuery, "limit"> & { port: string; limit?: number | undefined },
    principal: Principal | undefined,
  ): Promise<ConsumeStream> {
    const consumer = principal?.name ?? "anonymous";
    const life = await this.lifecycle.requireReads(productId);
    const product = await new ProductRepository(this.db).get(productId);
    if (!product) throw new NotFoundError(`no data product "${productId}"`);
    const port = portOf(product, request.port, ["output"]);
    const current = await portContract(this.db, productId, port);
    const grant = await decideRead(
      this.db,
      {
        productId,
        ownerTeam: product?.team ?? null,
        port: port.name,
        isPublic: portAccess(product?.document, port.name, current.contract).public,
      },
      principal,
    );
    // An agreement still on the previous major version reads that version until it moves on.
    const pc =
      grant.contractVersion && grant.contractVersion !== current.contractVersion
        ? await portContract(this.db, productId, port, grant.contractVersion)
        : current;
    const access = portAccess(product?.document, port.name, pc.contract);
    const datasets = portDatasets(pc, this.locator).datasets.map((d) => {
      const declared = access.datasets.find((a) => a.name === d.name);
      const unmasked = grant.unmasked;
      const masked = (declared?.sensitive ?? []).filter(
        (c) => unmasked !== "all" && !unmasked.some((g) => g.toLowerCase() === c.toLowerCase()),
      );
      return { ...d, masked, rowFilters: declared?.rowFilters ?? [] };
    });
    const maxRows = Math.min(life.config.maxRows ?? this.consumeLimits.maxRows, this.consumeLimits.maxRows);
    const audit = (rows: number, reason: string | null) =>
      new AuditLog(this.db)
        .append({
          actor: consumer,
          action: "consume",
          productId,
          port: port.name,
          agreementId: grant.agreement?.id ?? null,
          decision: "allowed",
          reason,
          rows,
          purpose: grant.agreement?.purpose ?? null,
          details: {
            basis: grant.basis,
            contractVersion: pc.contractVersion,
            masked: [...new Set(datasets.flatMap((d) => d.masked))],
            rowFilters: [...new Set(datasets.flatMap((d) => d.rowFilters))],
            sql: (request.sql ?? "").slice(0, 2000),
          },
        })
        .catch(() => {});
    let stream: ConsumeStream;
    try {
      stream = await consumeQuery(
        datasets,
        {
          sql: request.sql,
          format: request.format,
          limit: request.limit ?? Math.min(this.consumeLimits.defaultRows, maxRows),
        },
        { ...this.consumeLimits, maxRows },
        this.sandboxes,
      );
    } catch (e) {
      await audit(0, `not served: ${(e as Error).message}`);
      throw e;
    }
    void stream.done.then(async (o) => {
      await audit(o.rows, o.error ? `incomplete: ${o.error}` : null);
      await new UsageRepository(this.db)
        .record({
          productId,
          port: port.name,
          consumer,
          action: o.error ? "consume-incomplete" : "consume",
          rows: o.rows,
          bytes: o.bytes,
          durationMs: o.durationMs,
        })
        .catch(() => {});
    });
    return stream;
  }

  /**
   * Records for one of the product's input ports, validated row by row against the contract that
   * port names: valid rows stored, invalid ones quarantined with their reasons. A stopped product
   * takes no data. With an idempotency key (per product, port and principal), a retry of a stored
   * request answers its first result and stores nothing; the key with another request is a 422.
   */
  async ingest(
    productId: string,
    request: {
      port: string;
      dataset?: string | undefined;
      upload: Upload | { format: IngestFormat; bytes: Uint8Array };
      idempotencyKey?: string | undefined;
    },
    actor: string,
  ): Promise<IngestOutcome> {
    const life = await this.lifecycle.get(productId);
    const port = await findPort(this.db, productId, request.port, ["input"]);
    const idempotency: IdempotencyScope | undefined =
      request.idempotencyKey === undefined
        ? undefined
        : {
            productId,
            port: port.name,
            principal: actor,
            key: readIdempotencyKey(request.idempotencyKey),
            fingerprint: ingestFingerprint(request.dataset, request.upload, this.ingestLimits.maxDepth),
          };
    // A retry is answered even once the product has stopped: its batch was stored before.
    const first = idempotency && (await replayIngest(this.db, this.locator, idempotency));
    if (first) return { ...first, replayed: true };
    if (life.state === "stopped") {
      throw new ConflictError(`data product "${productId}" is stopped; start it to ingest`, {
        code: "product-stopped",
        details: {
          state: life.state,
        },
      });
    }
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
    return ingestBatch(this.db, this.locator, pc, dataset, upload, actor, this.ingestLimits, idempotency);
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
