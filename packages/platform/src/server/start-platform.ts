import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, isQuantaError, UnavailableError } from "@quanta/core";
import { closeLiveStreams } from "../events/live-streams.js";
import type { HarnessRuntime } from "../harness/start-harness.js";
import type { createApp as buildApp } from "../http/create-app.js";
import type { DemoTokens } from "../identity/demo-identities.js";
import type { OidcConfig } from "../identity/oidc-verifier.js";
import type { ContractTestLimits } from "../jobs/contract-test.js";
import type { StorageRoot } from "../lake/storage-root.js";
import { type Database, ping } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { platformVersion } from "../version.js";
import { lockDataDir } from "./data-dir-lock.js";

export interface PlatformOptions {
  /** PostgreSQL (`url`), PGlite on disk under `dataDir`, or PGlite in memory. */
  store: { url: string } | { dataDir: string } | { memory: true };
  /** 0 picks a free port. Default 8080. */
  port?: number;
  hostname?: string;
  /** Product folders to publish at start (the demo mesh); failures are warnings, not fatal. */
  publishFolders?: readonly string[];
  /** Platform-owned files (ingested batches, query results); default the store's data dir, else a temp dir. */
  dataDir?: string;
  /**
   * The storage Quanta owns (port versions of ingested and published data): a folder, default
   * `<dataDir>/lake` (`quanta serve --storage-root`, `QUANTA_STORAGE_ROOT`). Replicas pointing at
   * the same folder share it. An object-storage URL needs DuckDB's extension for it (see
   * lake/storage-root.ts): start-up stops with the reason otherwise.
   */
  storageRoot?: string | undefined;
  /** Folders beside the product folders that contract servers may read (`QUANTA_DATA_ROOTS`). */
  dataRoots?: readonly string[] | undefined;
  /** The environment whose contract servers are read first (`QUANTA_ENVIRONMENT`, e.g. `prod`). */
  environment?: string | undefined;
  /** Largest data file `PUT /api/products/{id}/ports/{port}/data` accepts (default 10 GiB). */
  maxUploadBytes?: number;
  /** Run the contract test scheduler and a job worker in this process (default true). */
  runJobs?: boolean;
  /** Time limits of background contract tests (default 30 s per check, 5 min per run). */
  testLimits?: Partial<ContractTestLimits>;
  /**
   * How long `close` may take (default 10 s): requests in flight and running jobs get this long,
   * then connections are cut and the jobs left to other replicas.
   */
  shutdownTimeoutMs?: number;
  /** Create the demo identities; their API tokens are written to `tokensFile` (mode 0600) when given. */
  demoIdentities?: { tokensFile?: string | undefined };
  /**
   * The demo mesh's data placed as a real mesh keeps it (`quanta serve --demo`): source-aligned
   * products on the storage Quanta owns; on PostgreSQL, the `warehouse` tables in its own database.
   */
  demoData?: boolean;
  /** Accept OpenID Connect bearer tokens of this issuer (see `oidcConfigFromEnv`). */
  oidc?: OidcConfig;
  /** Networks (CIDR) webhooks may reach although not public (QUANTA_WEBHOOK_ALLOWED_NETWORKS). */
  webhookAllowedNetworks?: readonly string[] | undefined;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface RunningPlatform {
  url: string;
  port: number;
  db: Database;
  published: string[];
  /** The ones of `published` the store held already, unchanged (a later start of the same demo). */
  unchanged: string[];
  skipped: { folder: string; reason: string }[];
  /** The demo identities and their tokens, when `demoIdentities` was given. */
  demoTokens?: DemoTokens;
  /**
   * With `demoData`: settles once the demo's first pipeline runs and its incident have ended
   * (`played`), there was nothing to play (`skipped`: a later start), or the wait gave up.
   */
  demoPipelines?: Promise<"played" | "skipped" | "gave-up">;
  /**
   * Stops accepting requests and lets in-flight ones finish; stops the running jobs (their checks
   * are interrupted, the jobs given back to the queue for another replica); closes the store.
   * Takes at most about `shutdownTimeoutMs`.
   */
  close(): Promise<void>;
}

type PlatformApp = ReturnType<typeof buildApp>;

export const defaultShutdownTimeoutMs = 10_000;

/** Where PGlite keeps its files inside a Quanta data directory (the rest is for demo data, tokens). */
export const pgliteSubdir = "metadata";

/**
 * Starts the platform server: store, migrations, optional demo publish, HTTP listener. The
 * listener opens as soon as the store answers, so `/api/health` is up while the rest starts:
 * any other request waits until the demo is published and the full app is built (it is served,
 * never refused or answered from a half-published catalogue). The HTTP stack loads while the store
 * opens, and background contract tests start only once the server is ready.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? (() => {});
  const warn = options.warn ?? log;
  const started = performance.now();
  const dataDir =
    options.dataDir ?? ("dataDir" in options.store ? options.store.dataDir : join(tmpdir(), `quanta-${process.pid}`));
  // A storage root the platform cannot write stops it before anything opens.
  const { openStorageRoot } = await import("../lake/storage-root.js");
  const storageRoot = await openStorageRoot({ given: options.storageRoot, dataDir });
  if (!options.storageRoot && !options.dataDir && !("dataDir" in options.store))
    warn(
      `the storage root is ${storageRoot.path}, a temporary folder: ingested and published data will not outlive this process, nor be shared with other replicas; pass --storage-root (QUANTA_STORAGE_ROOT)`,
    );
  let unlock = () => {};
  let store: Parameters<typeof openDatabase>[0] = options.store;
  if ("dataDir" in options.store) {
    unlock = lockDataDir(options.store.dataDir);
    store = { dataDir: join(options.store.dataDir, pgliteSubdir) };
  }
  let db: Database;
  try {
    db = await openDatabase(store);
  } catch (e) {
    unlock();
    if ("url" in options.store && !isQuantaError(e)) {
      throw new InputError(`cannot use the PostgreSQL database: ${(e as Error).message}`);
    }
    throw e;
  }
  // The HTTP stack loads once the store answers and the listener is up: module loading and
  // PGlite's start both run on the main thread, so side by side they would only delay health.
  let server: ReturnType<typeof import("@hono/node-server")["serve"]>;
  let app: PlatformApp | undefined;
  let settleReady: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => {
    settleReady = resolve;
  });
  const early = async (request: Request, env: Parameters<PlatformApp["fetch"]>[1]): Promise<Response> => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/api/health") return health(db, url.searchParams.has("ready"));
    if ((await ready) && app) return app.fetch(request, env);
    const { errorResponse } = await import("../http/error-response.js");
    const { status, body } = errorResponse(new UnavailableError("the server is stopping"));
    return Response.json(body, { status });
  };
  try {
    const { serve } = await import("@hono/node-server");
    server = serve({
      fetch: (request, env) => (app ? app.fetch(request, env) : early(request, env)),
      port: options.port ?? 8080,
      ...(options.hostname ? { hostname: options.hostname } : {}),
      // A data upload (PUT …/ports/{port}/data, up to 10 GiB) may take longer than Node's default
      // 5 minutes for a whole request; that route stops an upload that sends nothing for a minute.
      serverOptions: { requestTimeout: 0 },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
  } catch (e) {
    await db.close();
    unlock();
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new InputError(`port ${options.port} is already in use; pass another --port`);
    if (err.code === "EACCES")
      throw new InputError(`not allowed to listen on port ${options.port}; use a port above 1023`);
    throw e;
  }
  /** Resolves when every connection has ended; after `boundMs`, the ones still open are cut. */
  const stopListening = (boundMs?: number) =>
    new Promise<void>((resolve) => {
      const http = server as { closeIdleConnections?: () => void; closeAllConnections?: () => void };
      const cut = boundMs === undefined ? undefined : setTimeout(() => http.closeAllConnections?.(), boundMs);
      server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      // Keep-alive connections would hold close() open; idle ones can go now.
      http.closeIdleConnections?.();
    });
  let jobs: HarnessRuntime | undefined;
  let built: Awaited<ReturnType<typeof buildRest>>;
  try {
    built = await buildRest(db, { ...options, dataDir, storageRoot }, warn, ready, (runtime) => {
      jobs = runtime;
    });
  } catch (e) {
    // Requests waiting for the app get 503; nothing is left listening or open.
    settleReady(false);
    await stopListening();
    await jobs?.stop();
    await db.close();
    unlock();
    throw e;
  }
  const { published, unchanged, skipped, demoTokens, demoPipelines } = built;
  const runtime = built.jobs;
  app = built.app;
  settleReady(true);
  const port = (server.address() as AddressInfo).port;
  const host =
    !options.hostname || options.hostname === "0.0.0.0" || options.hostname === "::" ? "localhost" : options.hostname;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log(`Quanta platform on ${url} (${db.driver}, ready in ${Math.round(performance.now() - started)} ms)`);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    db,
    published,
    unchanged,
    skipped,
    ...(demoTokens ? { demoTokens } : {}),
    ...(demoPipelines ? { demoPipelines: demoPipelines.settled } : {}),
    close() {
      closing ??= (async () => {
        const bound = options.shutdownTimeoutMs ?? defaultShutdownTimeoutMs;
        const until = Date.now() + bound;
        // The demo's incident may be writing or publishing a file: let it end first, within the bound.
        demoPipelines?.stop();
        if (demoPipelines)
          await Promise.race([demoPipelines.settled, new Promise((r) => setTimeout(r, bound).unref())]);
        // Requests and jobs wind down side by side, neither past what is left of the bound.
        const left = Math.max(0, until - Date.now());
        // Live event streams never end by themselves: end them, or closing waits out the bound.
        closeLiveStreams();
        await Promise.all([stopListening(left), runtime.worker.stop(left)]);
        await runtime.stop();
        await db.close();
        unlock();
      })();
      return closing;
    },
  };
}

/**
 * `/api/health` before the app is built: the same answer as its route (does the store answer?);
 * search is starting, so a readiness probe (`?ready`) gets 503.
 */
async function health(db: Database, readiness: boolean): Promise<Response> {
  const ok = await ping(db);
  const status = !ok ? "unavailable" : readiness ? "starting" : "ok";
  return Response.json(
    { status, version: platformVersion, storage: db.driver, search: "starting" },
    { status: status === "ok" ? 200 : 503 },
  );
}

/** Everything after the listener: the HTTP stack, the demo publish, the harness, identities, the app. */
async function buildRest(
  db: Database,
  options: Omit<PlatformOptions, "storageRoot"> & { dataDir: string; storageRoot: StorageRoot },
  warn: (line: string) => void,
  ready: Promise<boolean>,
  onJobs: (runtime: HarnessRuntime) => void,
) {
  const [
    { createApp },
    { Registry },
    { readProductFolder },
    { startHarness },
    { IdentityStore },
    { PlatformAuthenticator },
    { OidcVerifier },
    { openSecretStore },
    { Lake },
    { placeDemoData, demoWarehouseServer },
    { ensureDemoAgreements, playDemoIncident, queueDemoPipelines },
  ] = await Promise.all([
    import("../http/create-app.js"),
    import("../registry/registry.js"),
    import("../registry/product-folder.js"),
    import("../harness/start-harness.js"),
    import("../identity/identity-store.js"),
    import("../identity/platform-authenticator.js"),
    import("../identity/oidc-verifier.js"),
    import("../secrets/open-secret-store.js"),
    import("../lake/lake.js"),
    import("./demo-data-plane.js"),
    import("./demo-pipelines.js"),
  ]);
  const registry = new Registry(db);
  // One secret store for the API that manages it and the read path that resolves `${VAR}` with it.
  const secrets = openSecretStore(db, { dataDir: options.dataDir });
  const published: string[] = [];
  const unchanged: string[] = [];
  const productFolders = new Map<string, string>();
  const skipped: RunningPlatform["skipped"] = [];
  for (const folder of options.publishFolders ?? []) {
    try {
      const result = await registry.publish({ files: await readProductFolder(folder), publishedBy: "quanta-demo" });
      published.push(result.product.id);
      if (!result.created) unchanged.push(result.product.id);
      productFolders.set(result.product.id, folder);
    } catch (e) {
      const reason = isQuantaError(e) ? e.message : String(e);
      skipped.push({ folder, reason });
      warn(`skipped ${folder}: ${reason}`);
    }
  }
  // The demo on PostgreSQL serves its `warehouse` tables from the platform's own database, as a
  // role that reads only those tables (never the platform's own credentials: any team may name a
  // server `warehouse`), and reads the `test` servers unless told otherwise.
  const onPostgres = options.demoData && "url" in options.store ? options.store.url : undefined;
  let warehouseUrl: string | undefined;
  if (options.demoData && productFolders.size > 0) {
    const placed = await placeDemoData(db, new Lake(options.storageRoot), productFolders, {
      warehouse: onPostgres,
      log: warn,
    });
    warehouseUrl = placed.warehouseUrl;
    if (placed.stored.length > 0) options.log?.(`demo data on the storage Quanta owns: ${placed.stored.join(", ")}`);
    if (placed.warehouse.length > 0)
      options.log?.(`demo data in PostgreSQL (schema quanta_demo): ${placed.warehouse.join(", ")}`);
  }
  const environment = options.environment ?? (warehouseUrl ? "test" : undefined);
  const warehouseVariable = `QUANTA_SERVER_${demoWarehouseServer.toUpperCase()}_URL`;
  const variables = warehouseUrl
    ? {
        async forEnvironment(env: string | undefined) {
          const inner = await secrets.forEnvironment(env);
          return {
            lookup: (n: string) => (n === warehouseVariable ? warehouseUrl : inner.lookup(n)),
            isSecret: inner.isSecret,
          };
        },
      }
    : secrets;
  // The search index reads the whole catalogue once: start now, so the first search need not wait.
  registry.warmSearch().catch((e) => warn(`search index: ${isQuantaError(e) ? e.message : String(e)}`));
  // The harness and its background jobs (the demo's contracts tested once), started when ready.
  const jobs = startHarness({
    db,
    registry,
    dataDir: options.dataDir,
    storageRoot: options.storageRoot,
    dataPlane: { dataRoots: options.dataRoots, environment, variables },
    productFolders,
    testAtStart: published,
    runJobs: options.runJobs ?? true,
    webhookAllowedNetworks: options.webhookAllowedNetworks,
    ...(options.testLimits ? { testLimits: options.testLimits } : {}),
    jobsStartAfter: ready,
    log: warn,
    ...(options.log ? { info: options.log } : {}),
  });
  onJobs(jobs);
  const identity = new IdentityStore(db);
  const authenticator = new PlatformAuthenticator(identity, options.oidc ? new OidcVerifier(options.oidc) : undefined);
  let demoTokens: DemoTokens | undefined;
  if (options.demoIdentities) {
    const { ensureDemoIdentities } = await import("../identity/demo-identities.js");
    demoTokens = await ensureDemoIdentities(identity, options.demoIdentities.tokensFile);
  }
  // The demo's pipelines read under agreements of their teams (the identities made the teams);
  // they run once the jobs start: the uploads of the source-aligned products queued them.
  let demoPipelines: { settled: Promise<"played" | "skipped" | "gave-up">; stop(): void } | undefined;
  if (options.demoData && productFolders.size > 0) {
    const agreed = await ensureDemoAgreements(db, productFolders.keys(), warn);
    if (agreed.length > 0) options.log?.(`demo agreements for the pipelines' inputs: ${agreed.length}`);
    await queueDemoPipelines(db, jobs.harness.lake, productFolders.keys(), warn);
    let stopped = false;
    const info = options.log ?? (() => {});
    demoPipelines = {
      settled: ready.then((go) =>
        go
          ? playDemoIncident(db, jobs.harness.lake, productFolders, { log: warn, info, stopped: () => stopped }).catch(
              (e: unknown) => {
                if (!stopped) warn(`demo pipelines: ${isQuantaError(e) ? e.message : String(e)}`);
                return "gave-up" as const;
              },
            )
          : ("skipped" as const),
      ),
      stop: () => {
        stopped = true;
      },
    };
  }
  const app = createApp({
    registry,
    harness: jobs.harness,
    secrets,
    identity,
    authenticator,
    oidc: options.oidc,
    webhookAllowedNetworks: options.webhookAllowedNetworks,
    demoTokens: () => demoTokens,
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
    logError: (e) => warn(`internal error: ${(e as Error)?.stack ?? String(e)}`),
  });
  return { app, jobs, published, unchanged, skipped, demoTokens, demoPipelines };
}
