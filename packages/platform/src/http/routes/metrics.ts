import { timingSafeEqual } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { NotAllowedError } from "@quanta/core";
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { UnauthenticatedError } from "../../identity/unauthenticated-error.js";
import { openIncidentCounts } from "../../observability/incidents.js";
import { type SloBurn, sloBurn } from "../../observability/slo/slo-burn.js";
import { burnWindows } from "../../observability/slo/slo-maths.js";
import type { Queryable } from "../../storage/database.js";

export interface MetricsOptions {
  /** The bearer token a scrape must send (`QUANTA_METRICS_TOKEN`); without one, only this machine may scrape. */
  token?: string | undefined;
  /** How long one reading of the store's counts serves every scrape (default 1 s). */
  cacheMs?: number;
  /** How long one evaluation of every SLO serves (default 15 s): it costs a few queries per port. */
  sloRefreshMs?: number;
  /** How long a scrape waits for a reading under way before it answers the last one (default 5 s). */
  waitMs?: number;
}

/**
 * The timings a `createApp` gets when it names none (ADR 0040). Tests that must see the store's
 * change at once lower them before building their app; the server keeps them.
 */
export const metricsTiming = { cacheMs: 1000, sloRefreshMs: 15_000, waitMs: 5000 };

/** The methods counted by name; any other is `other`, so a client cannot invent label values. */
const knownMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Headers proxies add: behind one, every scrape would seem to come from this machine. */
const proxied = ["forwarded", "via", "x-forwarded-for", "x-forwarded-host", "x-real-ip"];

/**
 * The route a request matched as registered (`/api/products/:id/slos`), never its raw path: ids
 * in paths would make a series per product, per token, per typo. The handler that answered names
 * it; when a middleware answered (401, 413), the route it stood in front of. Unrouted: `unmatched`.
 */
function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  const index = c.req.routeIndex;
  const answered = routes[index];
  if (answered && answered.method !== "ALL") return answered.path;
  return routes.slice(index).find((r) => r.method !== "ALL")?.path ?? "unmatched";
}

/** A scrape from this machine, by its socket, naming it in `Host` (no rebound DNS name), through no proxy. */
function fromThisMachine(c: Context): boolean {
  if (proxied.some((h) => c.req.header(h) !== undefined)) return false;
  const host = c.req.header("host")?.replace(/:\d+$/, "");
  if (host === undefined || !loopbackHosts.has(host)) return false;
  try {
    return loopback.has(getConnInfo(c).remote.address ?? "");
  } catch {
    return false; // not served by the Node server (app.request in tests): no address to trust
  }
}

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Access to GET /metrics (ADR 0040): the token when one is set, else this machine only. */
function allow(c: Context, token: string | undefined): void {
  if (token) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) throw new UnauthenticatedError("send the metrics token as Authorization: Bearer <token>");
    if (!sameToken(match[1], token)) throw new UnauthenticatedError("the metrics token does not match");
    return;
  }
  if (!fromThisMachine(c))
    throw new NotAllowedError(
      "metrics are served to this machine only; set QUANTA_METRICS_TOKEN to scrape from elsewhere",
    );
}

/** What the store says at one moment: the gauges' values. */
interface StoreCounts {
  jobs: { kind: string; state: string; n: number }[];
  tests: { status: string; n: number }[];
  pipelines: { status: string; n: number }[];
  incidents: Awaited<ReturnType<typeof openIncidentCounts>>;
}

async function readCounts(q: Queryable): Promise<StoreCounts> {
  const count = async <R extends object>(sql: string) =>
    (await q.query<R & { n: number }>(sql)).rows.map((r) => ({ ...r, n: Number(r.n) }));
  return {
    // Failed jobs of the last day: the table keeps every job, and old failures are history, not load.
    jobs: await count<{ kind: string; state: string }>(
      `SELECT kind, status AS state, count(*)::int AS n FROM jobs
       WHERE status IN ('queued', 'running') OR (status = 'failed' AND finished_at > now() - interval '1 day')
       GROUP BY kind, status`,
    ),
    tests: await count<{ status: string }>("SELECT status, count(*)::int AS n FROM test_runs GROUP BY status"),
    pipelines: await count<{ status: string }>("SELECT status, count(*)::int AS n FROM pipeline_runs GROUP BY status"),
    incidents: await openIncidentCounts(q),
  };
}

/** The metric names GET /metrics exposes besides Node's process metrics (docs/metrics.md). */
export const quantaMetricNames = [
  "quanta_http_requests_total",
  "quanta_http_request_duration_seconds",
  "quanta_jobs",
  "quanta_contract_test_runs",
  "quanta_pipeline_runs",
  "quanta_incidents_open",
  "quanta_slo_target",
  "quanta_slo_sli",
  "quanta_slo_error_budget_remaining",
  "quanta_slo_burn_rate",
  "quanta_slo_evaluated_timestamp_seconds",
  "quanta_metrics_store_up",
] as const;

/**
 * GET /metrics in the Prometheus text format (issue 17, ADR 0040), on its own registry per app,
 * and the middleware that counts and times every request. Registered first in create-app so the
 * middleware sees every answer, errors included.
 */
export function registerMetrics(app: OpenAPIHono, db: Queryable, options: MetricsOptions = {}): void {
  const token = options.token ?? (process.env.QUANTA_METRICS_TOKEN?.trim() || undefined);
  const cacheMs = options.cacheMs ?? metricsTiming.cacheMs;
  const sloRefreshMs = options.sloRefreshMs ?? metricsTiming.sloRefreshMs;
  const waitMs = options.waitMs ?? metricsTiming.waitMs;
  const registry = new Registry();
  const http = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "quanta_http_requests_total",
    help: "HTTP requests answered, by method, route template and status",
    labelNames: http,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "quanta_http_request_duration_seconds",
    help: "Time to answer an HTTP request (until its headers; a streamed body may run on), by method, route template and status",
    labelNames: http,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const gauge = (name: string, help: string, labelNames: readonly string[]) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const jobs = gauge("quanta_jobs", "Jobs queued or running now, and failed in the last 24 hours, by kind", [
    "kind",
    "state",
  ]);
  const tests = gauge("quanta_contract_test_runs", "Contract test runs recorded, by status", ["status"]);
  const pipelines = gauge("quanta_pipeline_runs", "Pipeline runs recorded, by status", ["status"]);
  const incidents = gauge(
    "quanta_incidents_open",
    "Incidents not resolved (open or acknowledged), by product and severity",
    ["product", "severity"],
  );
  const slo = ["product", "port", "objective"] as const;
  const target = gauge("quanta_slo_target", "The share of good events an objective asks, 0..1", slo);
  const sli = gauge(
    "quanta_slo_sli",
    "Good events over all events in the SLO window, 0..1 (absent: nothing measured)",
    slo,
  );
  const budget = gauge(
    "quanta_slo_error_budget_remaining",
    "Share of the window's error budget left, 1 = untouched, below 0 = overspent (absent: nothing measured)",
    slo,
  );
  const burn = gauge(
    "quanta_slo_burn_rate",
    "How fast the error budget burns over the last 1h, 6h or 24h: 1 spends it exactly over the window",
    [...slo, "window"],
  );
  const sloAt = gauge(
    "quanta_slo_evaluated_timestamp_seconds",
    "When the SLO figures exposed were computed (Unix seconds): they are at most 15 s old unless the store is slow",
    [],
  );
  const storeUp = gauge("quanta_metrics_store_up", "1 when the last reading of the store for /metrics succeeded", []);

  const applyCounts = (r: StoreCounts) => {
    for (const g of [jobs, tests, pipelines, incidents]) g.reset();
    for (const j of r.jobs) jobs.set({ kind: j.kind, state: j.state }, j.n);
    for (const state of ["queued", "running", "failed"])
      if (!r.jobs.some((j) => j.state === state)) jobs.set({ kind: "any", state }, 0);
    for (const t of r.tests) tests.set({ status: t.status }, t.n);
    for (const p of r.pipelines) pipelines.set({ status: p.status }, p.n);
    for (const i of r.incidents) incidents.set({ product: i.productId, severity: i.severity }, i.open);
  };
  const applySlos = (slos: SloBurn[]) => {
    for (const g of [target, sli, budget, burn]) g.reset();
    for (const o of slos) {
      const labels = { product: o.productId, port: o.port, objective: o.property };
      target.set(labels, o.target);
      if (o.sli !== null) sli.set(labels, o.sli);
      if (o.budgetRemaining !== null) budget.set(labels, o.budgetRemaining);
      for (const w of burnWindows) {
        const rate = o.burnRates[w];
        if (rate !== null) burn.set({ ...labels, window: w }, rate);
      }
    }
    sloAt.set(Date.now() / 1000);
  };

  // One reading of the store at a time, shared by every scrape that comes while it runs or within
  // cacheMs; the SLOs, a few queries per port, are evaluated again only every sloRefreshMs.
  let inFlight: Promise<void> | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  let slosAt = Number.NEGATIVE_INFINITY;
  const read = async () => {
    try {
      applyCounts(await readCounts(db));
      if (Date.now() - slosAt >= sloRefreshMs) {
        applySlos(await sloBurn(db));
        slosAt = Date.now();
      }
      storeUp.set(1);
    } catch {
      // The last values stay; the store failing is itself the signal.
      storeUp.set(0);
    }
  };
  const refresh = (): Promise<void> => {
    if (inFlight) return inFlight;
    if (Date.now() - readAt < cacheMs) return Promise.resolve();
    inFlight = read().finally(() => {
      readAt = Date.now();
      inFlight = undefined;
    });
    return inFlight;
  };
  /** The reading, or after waitMs the last one: a slow store never makes a scrape time out. */
  const fresh = async () => {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([refresh(), waited]);
    clearTimeout(timer);
  };

  let processMetrics = false;

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const labels = {
      method: knownMethods.has(c.req.method) ? c.req.method : "other",
      route: routeOf(c),
      status: String(c.res.status),
    };
    requests.inc(labels);
    latency.observe(labels, (performance.now() - started) / 1000);
  });

  app.get("/metrics", async (c) => {
    allow(c, token);
    // Node's process metrics, started by the first scrape: an app that is never scraped runs no monitor.
    if (!processMetrics) {
      processMetrics = true;
      collectDefaultMetrics({ register: registry });
    }
    await fresh();
    c.header("Content-Type", registry.contentType);
    c.header("Cache-Control", "no-store");
    return c.body(await registry.metrics(), 200);
  });
}
