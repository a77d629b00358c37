import { mkdirSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { type RunningPlatform, startPlatform } from "@quanta/platform";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tinyProduct } from "../../../platform/src/test-fixtures.js";
import { chromiumPath, chromiumUnavailable, ensureBuilt, shots } from "./browser-setup.js";

// The marketplace's monitoring (issue 17) in a real Chromium against a real platform: a fixture
// product whose contract tests ran three times on changing data (so its charts have a history)
// and whose failing check opened an incident, a product nothing measured yet, and the mesh's health.

const unavailable = chromiumUnavailable("monitoring");

const monitored = "testing.monitored";
const unmeasured = "testing.unmeasured";
const owner = "owner@example.com";
const consumer = "mia.chen@marketing.example";

/** A contract with a column that has nulls, a freshness SLA, and a row count it never reaches. */
const contract = `apiVersion: v3.1.0
kind: DataContract
id: ${monitored}.rows
name: Rows
version: 1.0.0
status: active
schema:
  - name: rows
    physicalType: table
    quality:
      - name: A thousand rows
        metric: rowCount
        mustBeGreaterOrEqualTo: 1000
    properties:
      - name: row_id
        logicalType: integer
        physicalType: BIGINT
        required: true
        classification: internal
      - name: reading
        logicalType: number
        physicalType: DOUBLE
        classification: internal
      - name: measured_at
        logicalType: timestamp
        physicalType: TIMESTAMP
        classification: internal
slaProperties:
  - property: freshness
    value: 1
    unit: d
    element: rows.measured_at
description:
  purpose: Rows of a monitored product, for the marketplace tests.
customProperties:
  - property: breakingChangeAnnounced
    value: "2020-01-01"
servers:
  - server: local
    type: local
    path: ./rows.parquet
    format: parquet
`;

/** `rows` rows, every `nullEvery`-th reading null, measured an hour ago. */
const dataSql = (rows: number, nullEvery: number) =>
  `SELECT range::BIGINT AS row_id,
     CASE WHEN range % ${nullEvery} = 0 THEN NULL ELSE range * 1.5 END::DOUBLE AS reading,
     (now() - INTERVAL 1 HOUR)::TIMESTAMP AS measured_at
   FROM range(${rows})`;

/** Polls `read` until it gives `want` (expect.poll is for tests only; this also serves beforeAll). */
async function until<T>(read: () => Promise<T>, want: T, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (last !== want) {
    if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${String(want)}, last ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
}

describe.skipIf(unavailable)(`monitoring in Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let platform: RunningPlatform;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let base: string;
  let parquet = "";
  let incidentId = 0;
  const problems: string[] = [];
  const tokenOf = (user: string) => platform.demoTokens?.[user]?.token ?? "";

  const call = async (user: string, path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${tokenOf(user)}`, "content-type": "application/json", ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** The points of the port's row count series: one per finished contract test run. */
  const runs = async () => {
    const r = await call(owner, `/api/products/${monitored}/measurements?port=rows&metric=rowCount`);
    expect(r.status).toBe(200);
    const series = r.body.series as { points: unknown[] }[];
    return series[0]?.points.length ?? 0;
  };
  /** A test run of new data: pause and resume test the product at once, as its owner does. */
  const runOn = async (rows: number, nullEvery: number) => {
    const before = await runs();
    await writeData(parquet, dataSql(rows, nullEvery));
    for (const action of ["pause", "resume"]) {
      const r = await call(owner, `/api/products/${monitored}/control`, {
        method: "POST",
        body: JSON.stringify({ action }),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await until(runs, before + 1, 60_000);
  };
  const signIn = async (user: string, next: string) => {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel("API token").fill(tokenOf(user));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".user-menu").getByText("Sign out").waitFor();
  };
  const signOut = async () => {
    await page.locator(".user-menu").getByRole("button", { name: "Sign out" }).click();
    await page.locator(".user-menu").getByText("Sign in").waitFor();
  };

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(shots, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "quanta-monitoring-e2e-"));
    const folders: string[] = [];
    for (const id of [monitored, unmeasured]) {
      const folder = join(dataDir, id);
      for (const f of tinyProduct(id, { name: id === monitored ? "Monitored rows" : "Unmeasured rows" })) {
        mkdirSync(dirname(join(folder, f.path)), { recursive: true });
        writeFileSync(join(folder, f.path), id === monitored && f.path.endsWith(".odcs.yaml") ? contract : f.text);
      }
      folders.push(folder);
    }
    parquet = join(dataDir, monitored, "contracts", "rows.parquet");
    await writeData(parquet, dataSql(50, 5));
    const [started, launched] = await Promise.all([
      startPlatform({
        store: { dataDir: join(dataDir, "store") },
        port: 0,
        hostname: "127.0.0.1",
        publishFolders: folders,
        demoIdentities: {},
      }),
      chromium.launch({
        executablePath: chromiumPath,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      }),
    ]);
    platform = started;
    browser = launched;
    base = platform.url;
    expect(platform.skipped).toEqual([]);
    expect(tokenOf(owner)).toBeTruthy();
    expect(tokenOf(consumer)).toBeTruthy();
    // The start-up test is the first run; two more on changed data give each chart a history.
    await until(runs, 1, 60_000);
    await runOn(80, 4);
    await runOn(30, 10);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() >= 500) problems.push(`${r.status()} ${r.url()}`);
    });
  }, 300_000);

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("asks a signed-out reader to sign in for the product's measurements", async () => {
    await page.goto(`${base}/products/${monitored}#monitoring`);
    await page.locator("#monitoring").getByText("Sign in to see measurements").waitFor();
    await page.locator("#monitoring").getByText("Sign in to see incidents").waitFor();
  });

  it("draws the port's row count, null rates, freshness and SLO budget over three runs", async () => {
    await signIn(owner, `/products/${monitored}#monitoring`);
    const panel = page.locator("#monitoring");
    const rows = panel.getByRole("img", { name: "Rows in port rows per test run" });
    await rows.waitFor();
    // One point per run, the latest said in words for anyone who cannot see the picture.
    const described = await rows.locator("desc").textContent();
    expect(described).toContain("3 points, latest 30, lowest 30, highest 80");
    const table = panel.locator(".chart-table").first();
    await table.locator("summary").click();
    expect(await table.locator("tbody tr").count()).toBe(3);
    expect(await table.locator("tbody td").allTextContents()).toEqual(["50", "80", "30"]);
    // The reading column is the only one with nulls: 20 %, 25 %, 10 % of the rows.
    const nulls = panel.getByRole("img", { name: /Share of null values/ });
    expect(await nulls.locator("desc").textContent()).toContain("rows.reading: 3 points, latest 10 %");
    const fresh = panel.getByRole("img", { name: "Age of the newest data in port rows" });
    const freshText = (await fresh.locator("desc").textContent()) ?? "";
    expect(freshText).toContain("Objective: objective 1 d");
    expect(freshText).not.toContain("past the objective");
    await panel.getByRole("img", { name: /Error budget left per objective of port rows/ }).waitFor();
    await panel
      .locator(".slo-table")
      .getByRole("rowheader", { name: /freshness/ })
      .waitFor();
    // The latest profile: each column with its null rate, the row count of the last run.
    const profile = panel.locator(".profile-table");
    await profile.getByRole("rowheader", { name: "reading" }).waitFor();
    expect(await panel.locator(".profile-dataset h4").textContent()).toContain("30 rows");
    expect(await profile.locator("tr", { hasText: "reading" }).locator("td").nth(1).textContent()).toContain("10 %");
    await page.screenshot({ path: join(shots, "product-monitoring.png"), fullPage: true });
  });

  it("says plainly when a product has no measurements yet", async () => {
    await page.goto(`${base}/products/${unmeasured}#monitoring`);
    const panel = page.locator("#monitoring");
    await panel.getByText("No row count measured yet").waitFor();
    await panel.getByText("No incidents", { exact: true }).waitFor();
    await panel.getByText("No profile yet").waitFor();
    // No time-series chart drawn from nothing; the budget chart may list objectives with no data.
    expect(await panel.locator(".ts-chart").count()).toBe(0);
  });

  it("shows the mesh's health per domain, the failing product first, linked from the nav", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Mesh health" }).click();
    await page.getByRole("heading", { level: 1, name: "Mesh health" }).waitFor();
    const domain = page.locator(".health-domain", { has: page.getByRole("heading", { name: /testing/ }) });
    await domain.waitFor();
    const names = await domain.locator("tbody th a").allTextContents();
    expect(names[0]).toBe("Monitored rows");
    expect(names).toContain("Unmeasured rows");
    await domain.locator(".health-row-failing").getByText("failing").waitFor();
    await domain.locator("tr", { hasText: "Unmeasured rows" }).getByText("not measured").waitFor();
    await page.screenshot({ path: join(shots, "mesh-health.png"), fullPage: true });
  });

  it("keeps the monitoring and health pages inside a phone's width", async () => {
    const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    try {
      await phone.goto(`${base}/sign-in?next=${encodeURIComponent(`/products/${monitored}#monitoring`)}`);
      await phone.getByLabel("API token").fill(tokenOf(owner));
      await phone.getByRole("button", { name: "Sign in" }).click();
      await phone.getByRole("img", { name: "Rows in port rows per test run" }).waitFor();
      await phone.locator(".profile-table").waitFor();
      const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await phone.goto(`${base}/health`);
      await phone.locator(".health-domain").first().waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(shots, "mesh-health-phone.png"), fullPage: true });
    } finally {
      await phone.context().close();
    }
  });

  it("lists the failing check's incident and opens its timeline", async () => {
    const list = await call(owner, `/api/incidents?product=${monitored}&state=active`);
    const incidents = list.body.incidents as { id: number; kind: string; occurrences: number }[];
    const failed = incidents.find((i) => i.kind === "check-failed");
    expect(failed, JSON.stringify(incidents)).toBeDefined();
    incidentId = failed?.id ?? 0;
    // One incident for the three failing runs: deduplicated, seen again each run.
    expect(failed?.occurrences).toBe(3);
    await page.goto(`${base}/incidents`);
    await page.getByRole("heading", { level: 1, name: "Incidents" }).waitFor();
    const row = page.locator(".incident-table tbody tr", { hasText: monitored }).first();
    await row.getByText("check failed").waitFor();
    await row.getByText("seen 3 times").waitFor();
    await row.locator("th a").click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/incidents/${incidentId}`);
    const timeline = page.getByRole("region", { name: "Timeline" });
    await timeline.getByText("Opened").waitFor();
    await page.locator(".incident-facts").getByText("seen 3 times").waitFor();
  });

  it("lets the owner acknowledge, comment and resolve it, by keyboard", async () => {
    await page.goto(`${base}/incidents/${incidentId}`);
    const ack = page.getByRole("button", { name: "Acknowledge" });
    await ack.focus();
    await page.keyboard.press("Enter");
    await page.locator(".incident-head .badge", { hasText: "acknowledged" }).waitFor();
    await page.getByRole("region", { name: "Timeline" }).getByText("Acknowledged").waitFor();
    // A comment is text, whatever it holds: markup shows as typed and runs nothing.
    await page
      .getByLabel("Comment")
      .fill('Looking at the loader: a partition is missing. <img src=x onerror="alert(1)">');
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const timeline = page.getByRole("region", { name: "Timeline" });
    await timeline.getByText('a partition is missing. <img src=x onerror="alert(1)">').waitFor();
    expect(await timeline.locator("img").count()).toBe(0);
    await page.getByLabel("Resolution note (optional)").fill("Backfilled the partition.");
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.locator(".incident-head .badge", { hasText: "resolved" }).waitFor();
    await page.getByRole("region", { name: "Timeline" }).getByText("Backfilled the partition.").waitFor();
    expect(await page.getByRole("button", { name: "Resolve" }).count()).toBe(0);
    await page.screenshot({ path: join(shots, "incident.png"), fullPage: true });
    // Back on the product: the resolved incident counts in its time to repair.
    await page.getByRole("link", { name: monitored }).click();
    const repair = page.locator(".service-levels div", { hasText: "Time to repair" }).locator("dd");
    await repair.waitFor();
    expect(await repair.textContent()).toMatch(/^\d+ s \(p95 \d+ s\)$/);
    await page.getByRole("link", { name: "All of this product's incidents" }).click();
    await page.getByRole("button", { name: "All", pressed: true }).waitFor();
    await page.locator(".incident-table tbody tr", { hasText: "resolved" }).first().waitFor();
  });

  it("does not offer a consumer outside the team to handle it, and the API refuses them with 403", async () => {
    await signOut();
    await signIn(consumer, `/incidents/${incidentId}`);
    await page.getByText(/Only the owner team .* may acknowledge/).waitFor();
    expect(await page.getByRole("button", { name: "Acknowledge" }).count()).toBe(0);
    const refused = await call(consumer, `/api/incidents/${incidentId}/comments`, {
      method: "POST",
      body: JSON.stringify({ text: "me too" }),
    });
    expect(refused.status).toBe(403);
  });

  it("answers a malformed or unknown incident address with a clear page, never a blank", async () => {
    await page.goto(`${base}/incidents/not-a-number`);
    await page.getByText("No such incident").waitFor();
    await page.goto(`${base}/incidents/999999`);
    await page.getByRole("alert").getByText("No such incident").waitFor();
    await page.goto(`${base}/incidents?state=%3Cscript%3E&page=-4`);
    await page.getByRole("button", { name: "Active", pressed: true }).waitFor();
  });
});
