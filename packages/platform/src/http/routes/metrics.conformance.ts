import { readFile, rm } from "node:fs/promises";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { register as globalRegister } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSensorProducts } from "../../harness/harness-fixtures.js";
import { asAdmin, testAuthenticator } from "../../harness/test-principal.js";
import { recordProbe } from "../../observability/slo/probe.js";
import { evaluateSlos } from "../../observability/slo/slo-part.js";
import { Registry } from "../../registry/registry.js";
import type { Database } from "../../storage/database.js";
import type { StoreTarget } from "../../storage/store-target.js";
import { createApp } from "../create-app.js";
import { metricsTiming, quantaMetricNames } from "./metrics.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const metricName = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const labelPair = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const sampleLine = new RegExp(
  `^(${metricName})(?:\\{((?:${labelPair})(?:,${labelPair})*)?,?\\})? (-?(?:[0-9]+(?:\\.[0-9]+)?(?:e[+-]?[0-9]+)?|[+-]?[Ii]nf|[Nn]a[Nn]))$`,
);
const helpLine = new RegExp(`^# HELP (${metricName}) .*$`);
const typeLine = new RegExp(`^# TYPE (${metricName}) (counter|gauge|histogram|summary|untyped)$`);

/**
 * A strict reading of the Prometheus text format 0.0.4: every line a HELP, a TYPE or a sample; each
 * sample of a family declared by a TYPE before it (histogram samples as _bucket, _sum, _count).
 * Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`).
 */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith("\n"), "the exposition ends with a newline").toBe(true);
  for (const line of text.split("\n").slice(0, -1)) {
    if (line === "") continue;
    const type = typeLine.exec(line);
    if (type) {
      expect(types.has(type[1] as string), `one TYPE line for ${type[1]}`).toBe(false);
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (helpLine.test(line)) continue;
    const m = sampleLine.exec(line);
    expect(m, `a sample line: ${line}`).not.toBeNull();
    const name = (m as RegExpExecArray)[1] as string;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, "");
    expect(types.has(family), `${name} declared by a TYPE line`).toBe(true);
    const labels: Record<string, string> = {};
    for (const l of ((m as RegExpExecArray)[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
    samples.push({ name, labels, value: Number((m as RegExpExecArray)[3]) });
  }
  return { types, samples };
}

/** fetch keeps its own Host header: node:http sends the one asked (a DNS name rebound to 127.0.0.1). */
const statusWithHost = (port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/metrics", headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });

const find = (e: Exposition, name: string, labels: Record<string, string>) =>
  e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

/** GET /metrics (ADR 0040) on one store: real HTTP, real contract data, the store's queries counted. */
export function metricsConformance(name: string, target: StoreTarget): void {
  describe(`GET /metrics on ${name}`, () => {
    const token = "metrics-token-for-tests";
    let db: Database;
    let counted: Database;
    let queries = 0;
    let app: OpenAPIHono;
    let fixture: Awaited<ReturnType<typeof writeSensorProducts>>;
    const errors: unknown[] = [];
    const before = process.env.QUANTA_METRICS_TOKEN;
    const timing = { ...metricsTiming };

    beforeAll(async () => {
      fixture = await writeSensorProducts(50);
      db = await target.open();
      const inner = db;
      // Every query the app sends, counted: the store's load under a scrape storm.
      counted = new Proxy(inner, {
        get(t, key, receiver) {
          if (key === "query")
            return (sql: string, params?: readonly unknown[]) => {
              queries++;
              return t.query(sql, params);
            };
          const v = Reflect.get(t, key, receiver);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
      const registry = new Registry(counted);
      await registry.publish({ files: fixture.upstream });
      await registry.publish({ files: fixture.sensors });
      process.env.QUANTA_METRICS_TOKEN = token;
      // Every reading evaluates the SLOs again, and a scrape waits for it: the tests see each change.
      Object.assign(metricsTiming, { sloRefreshMs: 0, waitMs: 60_000 });
      app = createApp({ registry, authenticator: testAuthenticator, logError: (e) => errors.push(e) });
    }, 60_000);
    afterAll(async () => {
      Object.assign(metricsTiming, timing);
      if (before === undefined) delete process.env.QUANTA_METRICS_TOKEN;
      else process.env.QUANTA_METRICS_TOKEN = before;
      await db?.close();
      if (fixture) await rm(fixture.root, { recursive: true, force: true });
      expect(errors).toEqual([]);
    });

    const scrape = async (a = app) => {
      const res = await a.request("/metrics", { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseExposition(text);
    };
    /** Past the one-second cache: the next scrape reads the store again. */
    const pastCache = () => new Promise((r) => setTimeout(r, 1100));

    it("refuses a scrape without the token, or with another one, and names no value", async () => {
      const none = await app.request("/metrics");
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const wrong = await app.request("/metrics", { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const body = await wrong.text();
      expect(body).toMatch(/metrics token does not match/);
      expect(body).not.toContain(token);
      expect(body).not.toContain("quanta_");
      // A user's API token is not the metrics token.
      expect((await app.request("/metrics", { headers: asAdmin })).status).toBe(401);
      const longer = await app.request("/metrics", { headers: { authorization: `Bearer ${token}x` } });
      expect(longer.status).toBe(401);
    });

    it("serves the Prometheus text format with every Quanta metric declared", async () => {
      const e = await scrape();
      for (const n of quantaMetricNames) expect(e.types.has(n), n).toBe(true);
      expect(e.types.get("quanta_http_requests_total")).toBe("counter");
      expect(e.types.get("quanta_http_request_duration_seconds")).toBe("histogram");
      expect(e.types.get("quanta_slo_burn_rate")).toBe("gauge");
      expect(find(e, "quanta_metrics_store_up", {})[0]?.value).toBe(1);
      // Node's process metrics too, on the app's own registry.
      expect(e.types.has("process_cpu_seconds_total")).toBe(true);
      expect(e.types.has("nodejs_eventloop_lag_seconds")).toBe(true);
    });

    it("counts requests by route template, never by raw path or invented method", async () => {
      for (let i = 0; i < 3; i++)
        expect((await app.request("/api/products/test.sensors/slos", { headers: asAdmin })).status).toBe(200);
      expect((await app.request("/api/products/no.such-product/slos", { headers: asAdmin })).status).toBe(404);
      expect((await app.request("/api/products/test.sensors/slos?window=0", { headers: asAdmin })).status).toBe(400);
      expect((await app.request(`/api/${"x".repeat(300)}`, { headers: asAdmin })).status).toBe(404);
      await app.request("/api/products", { method: "BREW" });
      // Refused by a middleware in front of the route (415): still counted under the route's template.
      const refused = await app.request("/api/products", {
        method: "POST",
        headers: { "content-type": "text/plain", ...asAdmin },
        body: "hello",
      });
      expect(refused.status).toBe(415);
      const e = await scrape();
      const slos = { route: "/api/products/:id/slos", method: "GET" };
      expect(find(e, "quanta_http_requests_total", { ...slos, status: "200" })[0]?.value).toBe(3);
      expect(find(e, "quanta_http_requests_total", { ...slos, status: "404" })[0]?.value).toBe(1);
      expect(find(e, "quanta_http_requests_total", { ...slos, status: "400" })[0]?.value).toBe(1);
      expect(find(e, "quanta_http_request_duration_seconds_count", { ...slos, status: "200" })[0]?.value).toBe(3);
      const buckets = find(e, "quanta_http_request_duration_seconds_bucket", { ...slos, status: "200", le: "+Inf" });
      expect(buckets[0]?.value).toBe(3);
      const routes = new Set(
        e.samples.filter((s) => s.name === "quanta_http_requests_total").map((s) => s.labels.route),
      );
      for (const r of routes) expect(r).not.toMatch(/test\.sensors|no\.such|xxxx/);
      expect(routes.has("unmatched")).toBe(true);
      expect(
        find(e, "quanta_http_requests_total", { method: "POST", route: "/api/products", status: "415" })[0]?.value,
      ).toBe(1);
      const methods = new Set(e.samples.map((s) => s.labels.method).filter(Boolean));
      expect([...methods].every((m) => /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|other)$/.test(m as string))).toBe(
        true,
      );
      expect(methods.has("other")).toBe(true);
    });

    it("shows contract tests, jobs, an open incident and the SLO burn from the store", async () => {
      const now = Date.now();
      // A real burn: three failed probes of the serving path in the last hour, evaluated as the probe job does.
      for (let i = 0; i < 3; i++)
        for (const [minutes, up] of [
          [5, false],
          [10, false],
          [15, false],
          [20, true],
        ] as const) {
          const slot = new Date(now - minutes * 60_000);
          const reason = up ? null : "server stopped";
          await recordProbe(db, "test.sensors", "readings", slot, { up, latencyMs: 3, reason }, slot);
        }
      await evaluateSlos(db, "test.sensors");
      await db.query("INSERT INTO jobs (kind, key, status) VALUES ('contract-test', 'metrics-test-job', 'queued')");
      await pastCache();
      const e = await scrape();
      expect(find(e, "quanta_incidents_open", { product: "test.sensors", severity: "medium" })[0]?.value).toBe(1);
      const a = { product: "test.sensors", port: "readings", objective: "availability" };
      // 3 of 4 probes down over a 0.5% allowance: 150× the sustainable rate.
      expect(find(e, "quanta_slo_burn_rate", { ...a, window: "1h" })[0]?.value).toBe(150);
      expect(find(e, "quanta_slo_burn_rate", { ...a, window: "24h" })[0]?.value).toBe(150);
      expect(find(e, "quanta_slo_error_budget_remaining", a)[0]?.value).toBeLessThan(0);
      expect(find(e, "quanta_slo_target", a)[0]?.value).toBe(0.995);
      expect(find(e, "quanta_slo_sli", a)[0]?.value).toBe(0.25);
      // Nothing measured the quality objective yet: a target, no SLI, no budget (absent, not 0).
      const q = { product: "test.sensors", port: "readings", objective: "quality" };
      expect(find(e, "quanta_slo_target", q)).toHaveLength(1);
      expect(find(e, "quanta_slo_sli", q)).toHaveLength(0);
      expect(find(e, "quanta_jobs", { kind: "contract-test", state: "queued" })[0]?.value).toBe(1);

      // Healthy again: the burn's incident resolves, and the gauge drops to nothing open.
      // 3 of 64 probes down in the last hour: a 9.4× burn, under the 14.4× page threshold.
      for (let i = 1; i <= 60; i++)
        await recordProbe(db, "test.sensors", "readings", new Date(now - i * 1000), {
          up: true,
          latencyMs: 1,
          reason: null,
        });
      await evaluateSlos(db, "test.sensors");
      await pastCache();
      const after = await scrape();
      expect(find(after, "quanta_incidents_open", { product: "test.sensors" })).toHaveLength(0);
    });

    it("answers 100 concurrent scrapes from one reading of the store", async () => {
      await pastCache();
      queries = 0;
      await scrape();
      const oneReading = queries;
      expect(oneReading).toBeGreaterThan(0);
      await pastCache();
      queries = 0;
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => app.request("/metrics", { headers: { authorization: `Bearer ${token}` } })),
      );
      const ms = performance.now() - started;
      expect(answers.map((r) => r.status)).toEqual(Array(100).fill(200));
      const bodies = await Promise.all(answers.map((r) => r.text()));
      for (const b of bodies) parseExposition(b);
      expect(queries).toBeLessThanOrEqual(oneReading);
      console.log(
        `metrics on ${name}: one reading = ${oneReading} queries; 100 concurrent scrapes: ${queries} queries, ${Math.round(ms)} ms`,
      );
    });

    it("answers within its wait from the last figures when the store is slow, and evaluates SLOs every 15 s", async () => {
      let delayMs = 0;
      const slow = new Proxy(db, {
        get(t, key, receiver) {
          if (key === "query")
            return async (sql: string, params?: readonly unknown[]) => {
              if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
              return t.query(sql, params);
            };
          const v = Reflect.get(t, key, receiver);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
      const saved = { ...metricsTiming };
      Object.assign(metricsTiming, { sloRefreshMs: 15_000, waitMs: 300 });
      const served = createApp({ registry: new Registry(slow), authenticator: testAuthenticator });
      Object.assign(metricsTiming, saved);
      const first = await scrape(served);
      const evaluatedAt = find(first, "quanta_slo_evaluated_timestamp_seconds", {})[0]?.value;
      expect(evaluatedAt).toBeGreaterThan(Date.now() / 1000 - 60);
      const targets = find(first, "quanta_slo_target", {}).length;
      expect(targets).toBeGreaterThan(0);
      // Within 15 s the SLOs are not evaluated again, while the counts are.
      await db.query("INSERT INTO jobs (kind, key, status) VALUES ('slo-probe', 'metrics-test-cadence', 'queued')");
      await pastCache();
      const second = await scrape(served);
      expect(find(second, "quanta_jobs", { kind: "slo-probe", state: "queued" })[0]?.value).toBe(1);
      expect(find(second, "quanta_slo_evaluated_timestamp_seconds", {})[0]?.value).toBe(evaluatedAt);
      // Each query now takes 2 s: the scrape answers after its 300 ms wait, with the last values.
      delayMs = 2000;
      await pastCache();
      const started = performance.now();
      const third = await scrape(served);
      const ms = performance.now() - started;
      expect(ms).toBeLessThan(1500);
      expect(find(third, "quanta_slo_target", {})).toHaveLength(targets);
      expect(find(third, "quanta_jobs", { kind: "slo-probe", state: "queued" })[0]?.value).toBe(1);
      delayMs = 0;
      await db.query("DELETE FROM jobs WHERE key = 'metrics-test-cadence'");
    });

    it("keeps each app's metrics on its own registry", async () => {
      const other = createApp({ registry: new Registry(db), authenticator: testAuthenticator });
      await app.request("/api/health");
      const e = await scrape(other);
      expect(find(e, "quanta_http_requests_total", { route: "/api/health" })).toHaveLength(0);
      expect(find(e, "quanta_http_requests_total", { route: "/api/products/:id/slos" })).toHaveLength(0);
      expect(globalRegister.getSingleMetric("quanta_http_requests_total")).toBeUndefined();
    });

    it("serves this machine without a token, and no one else", async () => {
      delete process.env.QUANTA_METRICS_TOKEN;
      const local = createApp({ registry: new Registry(db), authenticator: testAuthenticator });
      process.env.QUANTA_METRICS_TOKEN = token;
      // app.request has no socket: no address to trust.
      const inProcess = await local.request("/metrics");
      expect(inProcess.status).toBe(403);
      expect(await inProcess.text()).toMatch(/set QUANTA_METRICS_TOKEN/);
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: local.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
      });
      try {
        const { port } = server.address() as AddressInfo;
        const url = `http://127.0.0.1:${port}/metrics`;
        const res = await fetch(url);
        expect(res.status).toBe(200);
        parseExposition(await res.text());
        // Through a proxy on this machine, or by a DNS name rebound to it: refused.
        expect((await fetch(url, { headers: { "x-forwarded-for": "203.0.113.7" } })).status).toBe(403);
        expect(await statusWithHost(port, "evil.example")).toBe(403);
        expect(await statusWithHost(port, `localhost:${port}`)).toBe(200);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    it("has a Grafana dashboard whose every query names a metric /metrics exposes", async () => {
      const dashboard = JSON.parse(
        await readFile(join(import.meta.dirname, "../../../../../docs/grafana/quanta-dashboard.json"), "utf8"),
      ) as { panels: { title: string; targets?: { expr: string }[] }[] };
      const e = await scrape();
      const exposed = new Set<string>();
      for (const [n, type] of e.types) {
        exposed.add(n);
        if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) exposed.add(n + s);
      }
      const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
      expect(exprs.length).toBeGreaterThan(5);
      const promql = new Set([
        "time",
        "sum",
        "min",
        "max",
        "avg",
        "count",
        "rate",
        "delta",
        "increase",
        "histogram_quantile",
        "clamp_min",
        "by",
        "without",
        "and",
        "on",
      ]);
      const labels = new Set([
        "product",
        "port",
        "objective",
        "window",
        "route",
        "method",
        "status",
        "kind",
        "state",
        "severity",
        "le",
        "instance",
        "job",
      ]);
      for (const { panel, expr } of exprs) {
        const bare = expr
          .replace(/\{[^}]*\}/g, "")
          .replace(/\[[^\]]*\]/g, "")
          .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, "");
        const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
          .map((m) => m[0])
          .filter((n) => !promql.has(n) && !labels.has(n));
        expect(names.length, `${panel}: ${expr} names a metric`).toBeGreaterThan(0);
        for (const n of names) expect(exposed.has(n), `${panel}: ${n} in ${expr}`).toBe(true);
      }
    });
  });
}
