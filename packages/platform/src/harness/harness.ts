import { mkdir } from "node:fs/promises";
import { ConflictError, InputError, UnavailableError, UnprocessableError } from "@quanta/core";
import {
  type ConsumeLimits,
  type ConsumeQuery,
  type DataReader,
  defaultConsumeLimits,
  type EngineManifest,
  type ConsumeStream as EngineStream,
} from "@quanta/core/engines";
import { AgreementGrants } from "../access/agreement-grants.js";
import { planRead, type ReadPlan } from "../access/read-access.js";
import { decide } from "../identity/authorize.js";
import { type Principal, teamRole } from "../identity/principal.js";
import type { Lake } from "../lake/lake.js";
import { checkRead } from "../lifecycle/read-check.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
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
import { findPort, portContract } from "./port-data.js";
import { UsageRepository } from "./usage-repository.js";

/** Schema names a read across ports cannot use for a port: DuckDB's own, and the sandbox's. */
const reservedSchemas = /^(main|temp|system|memory|pg_catalog|information_schema|quanta_.*)$/i;

/** A consume answer as the HTTP layer sends it (engines in Node answer web streams). */
export type ConsumeStream = EngineStream & {
  body: ReadableStream<Uint8Array>;
  /** Headers the answer carries besides the stream's own (lifecycle: Deprecation, Sunset). */
  headers?: Record<string, string>;
};

export interface HarnessOptions {
  db: Database;
  registry: Registry;
  locator: DataLocator;
  /** The storage Quanta owns (port versions); default `<data dir>/lake`. */
  lake?: Lake;
  consume?: Partial<ConsumeLimits>;
  ingest?: Partial<IngestLimits>;
  /** Problems worth an operator's eye (a grant the store refused). */
  log?: (line: string) => void;
  /** Called after a control action that (re)starts a product, to test its contracts now. */
  onStarted?: (productId: string) => void;
  /** The clock lifecycle dates are compared with (tests move it). */
  now?: () => Date;
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
  /** Agreements as permissions in the stores that hold grants (PostgreSQL roles and views). */
  readonly grants: AgreementGrants;
  readonly consumeLimits: ConsumeLimits;
  readonly ingestLimits: IngestLimits;
  /** Port versions in the storage root: ingested batches and data published with a product. */
  readonly lake: Lake;
  /** Each engine's reader, loaded on its first read (DuckDB's keeps its sandboxes between queries). */
  private readonly readers = new Map<string, Promise<DataReader>>();

  constructor(private readonly options: HarnessOptions) {
    this.db = options.db;
    this.registry = options.registry;
    this.locator = options.locator;
    this.lifecycle = new LifecycleStore(options.db);
    this.grants = new AgreementGrants(options.db, options.locator, options.log);
    this.consumeLimits = { ...defaultConsumeLimits, ...options.consume };
    this.ingestLimits = { ...defaultIngestLimits, ...options.ingest };
    this.lake = options.lake ?? options.locator.lake;
  }

  /** Closes the engines' readers (the process is stopping). */
  close(): void {
    for (const reader of this.readers.values()) void reader.then((r) => r.close()).catch(() => {});
    this.readers.clear();
  }

  private reader(engine: EngineManifest): Promise<DataReader> {
    let reader = this.readers.get(engine.name);
    if (!reader) {
      const load = engine.loadReader;
      if (!load) {
        throw new UnprocessableError(`the ${engine.name} engine serves contract tests but no reads`, {
          code: "engine-serves-no-reads",
        });
      }
      reader = load({ tempDir: this.locator.tempDir() });
      reader.catch(() => this.readers.delete(engine.name));
      this.readers.set(engine.name, reader);
    }
    return reader;
  }

  discover(productId: string): Promise<Discovery> {
    return discover(this.db, this.registry, this.lifecycle, productId, this.lake);
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
    const plan = await planRead(this.db, this.locator, { productId, port: request.port }, principal);
    return this.serve([plan], [productId], request, principal);
  }

  /**
   * One query over ports of one or more products, each read under its own right (owner team,
   * agreement or public port) and served with its own masks and row filters: port `p`'s dataset
   * `d` is the view `p.d` (or `alias.d` with `as`). The ports are joined in the DuckDB sandbox; a
   * port on a database server would need DuckDB's postgres scanner there, which this server does
   * not have, and is refused with the reason.
   */
  async consumeAcross(
    request: Omit<ConsumeQuery, "limit"> & {
      ports: readonly { productId: string; port: string; as?: string | undefined }[];
      limit?: number | undefined;
    },
    principal: Principal | undefined,
  ): Promise<ConsumeStream> {
    const aliases = request.ports.map((p) => p.as ?? p.port);
    // DuckDB folds names to lower case: `Orders` and `orders` are one schema.
    const folded = aliases.map((a) => a.toLowerCase());
    const twice = aliases.find((_, i) => folded.indexOf(folded[i] as string) !== i);
    if (twice !== undefined) {
      throw new InputError(`two ports would both be read as "${twice}": give one of them another name with "as"`, {
        code: "alias-taken",
      });
    }
    const reserved = aliases.find((a) => reservedSchemas.test(a));
    if (reserved !== undefined) {
      throw new InputError(
        `"${reserved}" is a name DuckDB keeps for itself: read that port with "as" and another name`,
        {
          code: "alias-reserved",
        },
      );
    }
    const plans = [];
    for (const [i, p] of request.ports.entries()) {
      const plan = await planRead(this.db, this.locator, { productId: p.productId, port: p.port }, principal);
      plans.push({ ...plan, datasets: plan.datasets.map((d) => ({ ...d, schema: aliases[i] })) });
    }
    // Views across ports are built in one DuckDB sandbox: over files only, until DuckDB's
    // postgres_scanner is available to reach database ports from there.
    const apart = plans.find((p) => !p.source.engine.capabilities.files);
    if (apart) {
      const refusal = `${apart.productId} port ${apart.port} is served by ${apart.source.engine.name}, and joining it with other ports needs DuckDB's postgres_scanner extension, which this server does not have; read it alone (POST /api/products/${apart.productId}/consume)`;
      await Promise.all(
        plans.map((p) => p.audit({ rows: 0, reason: `not served: ${refusal}`, sql: request.sql ?? "" })),
      );
      throw new UnprocessableError(refusal, { code: "ports-on-different-engines" });
    }
    return this.serve(
      plans,
      plans.map((p) => p.productId),
      { ...request, sql: request.sql ?? "" },
      principal,
    );
  }

  /** Runs planned reads in their engine, audits each port's read and records its usage when it ends. */
  private async serve(
    plans: readonly ReadPlan[],
    productIds: readonly string[],
    request: Omit<ConsumeQuery, "limit"> & { limit?: number | undefined },
    principal: Principal | undefined,
  ): Promise<ConsumeStream> {
    const consumer = principal?.name ?? "anonymous";
    // Lifecycle dates (lifecycle/read-check.ts): 410 past end of life, Deprecation headers past end of support.
    const lifecycleHeaders = await checkRead(this.db, plans, this.options.now?.() ?? new Date()).catch(
      async (e: unknown) => {
        await Promise.all(
          plans.map((p) => p.audit({ rows: 0, reason: `not served: ${(e as Error).message}`, sql: request.sql ?? "" })),
        );
        throw e;
      },
    );
    let maxRows = this.consumeLimits.maxRows;
    for (const id of new Set(productIds)) {
      const life = await this.lifecycle.requireReads(id);
      maxRows = Math.min(life.config.maxRows ?? maxRows, maxRows);
    }
    const audit = (rows: number, reason: string | null) =>
      Promise.all(plans.map((p) => p.audit({ rows, reason, sql: request.sql ?? "" })));
    const source = (plans[0] as ReadPlan).source;
    const redact = (text: string) => plans.reduce((t, p) => p.source.redact(t), text);
    let stream: ConsumeStream;
    const began = Date.now();
    try {
      await mkdir(this.locator.tempDir(), { recursive: true });
      const reader = await this.reader(source.engine);
      stream = (await reader.consume({
        server: source.server,
        env: source.env,
        datasets: plans.flatMap((p) => p.datasets),
        query: {
          sql: request.sql,
          format: request.format,
          limit: request.limit ?? Math.min(this.consumeLimits.defaultRows, maxRows),
        },
        limits: { ...this.consumeLimits, maxRows },
      })) as ConsumeStream;
    } catch (e) {
      // No secret of the server reaches the answer or the audit log.
      if (e instanceof Error) e.message = redact(e.message);
      await audit(0, `not served: ${(e as Error).message}`);
      // A failed read counts against the port's error rate (ADR 0039), unless the request was at fault.
      for (const plan of plans)
        await new UsageRepository(this.db)
          .record({
            productId: plan.productId,
            port: plan.port,
            consumer,
            action: "consume-failed",
            durationMs: Date.now() - began,
            failure: e instanceof InputError ? "request" : "serving",
          })
          .catch(() => {});
      // The port's server not answering is the port's data being unreadable, not this platform down.
      if (e instanceof UnavailableError)
        throw new UnprocessableError(e.message, { code: "server-unreachable", cause: e });
      throw e;
    }
    void stream.done.then(async (o) => {
      await audit(o.rows, o.error ? `incomplete: ${o.error}` : null);
      // A consumer hanging up (both engines' words) is not the port failing: it spends no budget.
      const failure = o.error ? (o.error === "the client stopped reading" ? "request" : "serving") : undefined;
      for (const plan of plans) {
        await new UsageRepository(this.db)
          .record({
            productId: plan.productId,
            port: plan.port,
            consumer,
            action: o.error ? "consume-incomplete" : "consume",
            rows: o.rows,
            bytes: o.bytes,
            durationMs: o.durationMs,
            ...(failure ? { failure } : {}),
          })
          .catch(() => {});
      }
    });
    if (Object.keys(lifecycleHeaders).length > 0) stream.headers = { ...stream.headers, ...lifecycleHeaders };
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
    const first = idempotency && (await replayIngest(this.db, idempotency));
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
    return ingestBatch(this.db, this.lake, pc, dataset, upload, actor, this.ingestLimits, idempotency);
  }

  private async tempDir(): Promise<string> {
    const dir = this.locator.tempDir();
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Usage, tests and SLIs of a product. Who read what (per-consumer usage) only for its owner
   * team, governance and admins; others see the totals. Values a failed check names (samples of
   * invalid values) only for the owner team, who reads the data unmasked; others see the reason
   * without them.
   */
  async observe(productId: string, principal: Principal | undefined): Promise<Observation> {
    const life = await this.lifecycle.get(productId);
    const product = await new ProductRepository(this.db).get(productId);
    const ref = { id: productId, ownerTeam: product?.team ?? null };
    return observe(this.db, productId, life, this.lake, {
      perConsumer: decide(principal, "product.usage", ref) === true,
      // Offending values named in check reasons are the data itself: the owner team's to see only.
      sampleValues: teamRole(principal, ref.ownerTeam) !== undefined,
    });
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
