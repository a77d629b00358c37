import { existsSync, mkdirSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateProductData } from "@quanta/engine-duckdb";
import { findProductFolders, type RunningPlatform, startPlatform } from "@quanta/platform";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, chromiumUnavailable, ensureBuilt, repo, shots } from "./browser-setup.js";

// The product page's lineage view (ADR 0035) in a real Chromium against a real platform with the
// demo mesh published and its pipelines run, so column edges exist as they do after `serve --demo`.

const unavailable = chromiumUnavailable("lineage");

const product = "product:climate.temperature";
const daily = "port:climate.temperature/daily-temperature";
const readings = "port:climate.weather-station-readings/readings";
const mean = "column:climate.temperature/daily-temperature/daily_temperature.mean_temperature_c";
const temperature = "column:climate.weather-station-readings/readings/readings.temperature_c";
const node = (id: string) => `[data-node="${id}"]`;

describe.skipIf(unavailable)(`lineage view in Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let platform: RunningPlatform;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token = "";
  const problems: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(shots, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "quanta-lineage-e2e-"));
    const mesh = join(dataDir, "examples");
    await cp(resolve(repo, "examples"), mesh, { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    const folders = await findProductFolders(mesh);
    for (const folder of folders)
      if (existsSync(join(folder, "data", "generate.sql"))) await generateProductData(folder);
    const [started, launched] = await Promise.all([
      startPlatform({
        store: { dataDir: join(dataDir, "store") },
        port: 0,
        hostname: "127.0.0.1",
        publishFolders: folders,
        demoIdentities: {},
        demoData: true,
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
    // The demo's pipelines write the column edges from readings down to the risk scores.
    expect(await platform.demoPipelines).toBe("played");
    token = platform.demoTokens?.["lukas.meyer@climate-quantum.example"]?.token ?? "";
    expect(token).toBeTruthy();
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

  const lineage = async (id: string, direction: string, depth = 1) => {
    const res = await fetch(
      `${base}/api/lineage?node=${encodeURIComponent(id)}&direction=${direction}&depth=${depth}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as { nodes: { id: string }[]; edges: { from: string; to: string; origin: string }[] };
  };
  const signIn = async (next: string) => {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".user-menu").getByText("Sign out").waitFor();
  };
  const countShown = () => page.locator(".lineage-count").textContent();

  it("asks a signed-out reader to sign in", async () => {
    await page.goto(`${base}/products/climate.temperature#lineage`);
    await page.locator("#lineage").getByText("Sign in to see the lineage").waitFor();
  });

  it("starts at the product, one step up and down, as the API answers", async () => {
    await signIn("/products/climate.temperature");
    await page
      .getByRole("navigation", { name: "Sections of this page" })
      .getByRole("link", { name: "Lineage" })
      .click();
    const graph = page.locator("#lineage");
    await graph.locator(node(product)).waitFor();
    await graph.locator(node(daily)).waitFor();
    await graph.locator(node(readings)).waitFor();
    // Upstream left of the product, downstream right of it.
    const x = async (id: string) => (await graph.locator(node(id)).boundingBox())?.x ?? Number.NaN;
    expect(await x(readings)).toBeLessThan(await x(product));
    expect(await x(product)).toBeLessThan(await x(daily));
    // What it counts is what the two API answers hold together.
    const [up, down] = await Promise.all([lineage(product, "upstream"), lineage(product, "downstream")]);
    const ids = new Set([...up.nodes, ...down.nodes].map((n) => n.id));
    const edges = new Set([...up.edges, ...down.edges].map((e) => `${e.from} ${e.to} ${e.origin}`));
    await expect.poll(countShown).toBe(`${ids.size} nodes, ${edges.size} edges`);
    expect(await graph.locator(".lg-node").count()).toBe(ids.size);
    await graph.locator(".lineage-svg .lg-edge.lg-origin-declared").first().waitFor({ state: "attached" });
    await page.screenshot({ path: join(shots, "lineage-start.png"), fullPage: true });
  });

  it("expands a port a step downstream when it is clicked", async () => {
    const graph = page.locator("#lineage");
    const before = await graph.locator(".lg-node").count();
    await graph.locator(node(daily)).click();
    // climate.physical-risk reads daily-temperature through its input port.
    await graph.locator(node("product:climate.physical-risk")).waitFor();
    await expect.poll(() => graph.locator(".lg-node").count()).toBeGreaterThan(before);
    const side = graph.getByRole("complementary", { name: "Selected node" });
    await side.getByRole("heading", { name: "daily-temperature" }).waitFor();
    await side.getByRole("button", { name: "climate.physical-risk" }).waitFor();
  });

  it("shows a port's columns and a column's path with its transformations", async () => {
    const graph = page.locator("#lineage");
    const side = graph.getByRole("complementary", { name: "Selected node" });
    await side.getByRole("button", { name: "Show its columns" }).click();
    await graph.locator(node(mean)).waitFor();
    await graph.locator(node(mean)).click();
    // The path upstream to the readings' temperature, highlighted, and how it was computed.
    await graph.locator(`${node(temperature)}.on-path`).waitFor();
    await side.getByRole("heading", { name: "mean_temperature_c" }).waitFor();
    const from = side
      .locator(".lineage-edge")
      .filter({ has: page.getByRole("button", { name: "temperature_c", exact: true }) })
      .filter({ hasText: "readings · climate.weather-station-readings" })
      // The pipeline's run wrote it; the declared SQL says the same: one row with both origins.
      .filter({ has: page.locator(".lg-origin-tag", { hasText: /^pipeline$/ }) });
    await from.first().waitFor();
    expect(await from.count()).toBe(1);
    await from.getByText("aggregation").waitFor();
    // Downstream, the risk scores read it.
    await graph.locator(".lg-node.on-path[data-node^='column:climate.physical-risk/']").first().waitFor();
    expect(await graph.locator(".lineage-svg .lg-edge.on-path").count()).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(shots, "lineage-column-path.png"), fullPage: true });
  });

  it("moves between nodes with the keyboard and lists what it shows as text", async () => {
    const graph = page.locator("#lineage");
    await graph.locator(node(product)).focus();
    await page.keyboard.press("ArrowLeft");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-node"))).toBe(readings);
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-node"))).toBe(product);
    await page.keyboard.press("ArrowRight");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-node")))
      .toMatch(/^port:climate\.temperature\//);
    await page.keyboard.press("Enter");
    await graph.getByRole("complementary", { name: "Selected node" }).getByText("output port").waitFor();
    const count = (await countShown()) ?? "";
    await graph.locator(".lineage-list summary").click();
    await graph.locator(".lineage-list").getByText(`As a list: ${count}`).waitFor();
    await graph.locator(".lineage-list").getByRole("button", { name: "daily-temperature" }).waitFor();
    // A button in the list selects the node in the graph.
    await graph.locator(".lineage-list").getByRole("button", { name: "readings" }).first().click();
    await graph
      .getByRole("complementary", { name: "Selected node" })
      .getByRole("heading", { name: "readings" })
      .waitFor();
    expect(await graph.locator(`${node(readings)}[aria-pressed="true"]`).count()).toBe(1);
    await page.emulateMedia({ colorScheme: "dark" });
    await graph.locator(".lineage-scroll").screenshot({ path: join(shots, "lineage-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
  });
  it("stays responsive with thousands of nodes, drawing only what is on screen", async () => {
    // Seven outside jobs read sales.orders' port: six write 450 tables each, one writes 600, more
    // than the platform answers in one step (500), so the view must say it cut them.
    const ordersTable = { namespace: "postgres://orders-replica.webshop.example:5432", name: "webshop.public.orders" };
    const sizes = [450, 450, 450, 450, 450, 450, 600];
    const events = sizes.map((n, j) => ({
      eventType: "COMPLETE",
      eventTime: "2026-12-03T10:00:00.000Z",
      producer: "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/airflow",
      schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
      run: { runId: `0192f0a0-0000-7000-8000-${String(j + 1).padStart(12, "0")}` },
      job: { namespace: "airflow", name: `bulk.job-${j + 1}` },
      inputs: [ordersTable],
      outputs: Array.from({ length: n }, (_, i) => ({ namespace: "warehouse", name: `bulk.j${j + 1}_t${i}` })),
    }));
    const posted = await fetch(`${base}/api/lineage`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(posted.status, await posted.text()).toBe(200);

    await signIn("/products/sales.orders");
    await page.goto(`${base}/products/sales.orders#lineage`);
    const graph = page.locator("#lineage");
    const orders = "port:sales.orders/orders";
    await graph.locator(node(orders)).click();
    const jobs = sizes.map((_, j) => `job:airflow/bulk.job-${j + 1}`);
    await graph.locator(node(jobs[0] ?? "")).waitFor({ state: "attached" });
    const steps: number[] = [];
    for (const job of jobs) {
      const before = (await countShown()) ?? "";
      // A job far down its layer may be off screen: the list below the graph reaches it too.
      const t0 = Date.now();
      await graph.locator(node(job)).dispatchEvent("click");
      await expect.poll(countShown, { timeout: 20_000 }).not.toMatch(new RegExp(`^${before}|loading`));
      steps.push(Date.now() - t0);
    }
    const shown = (await countShown()) ?? "";
    const total = Number(/^(\d+) nodes/.exec(shown)?.[1]);
    console.log(`lineage e2e: ${shown}; each job's step drawn in ${steps.join(", ")} ms`);
    expect(total).toBeGreaterThan(3000);
    expect(Math.max(...steps)).toBeLessThan(5000);
    // Only a screenful is in the document, not thousands of nodes.
    const drawn = await graph.locator(".lineage-svg .lg-node").count();
    expect(drawn).toBeLessThan(300);
    // The platform cut the seventh job's step: said, not hidden.
    await graph.getByRole("note").getByText("More not shown.").waitFor();
    await graph
      .getByRole("note")
      .getByText(/bulk\.job-7/)
      .waitFor();
    // As a reader scrolls: the wheel over the graph, down to the end of the tallest layer.
    const box = await graph.locator(".lineage-scroll").boundingBox();
    await page.mouse.move((box?.x ?? 0) + 400, (box?.y ?? 0) + 200);
    await page.mouse.wheel(2000, 200_000);
    const t1 = Date.now();
    // The last node of the tallest layer is drawn, and still only a screenful.
    await graph.locator(node("dataset:warehouse/bulk.j7_t99")).waitFor({ state: "attached" });
    const redrawn = Date.now() - t1;
    expect(await graph.locator(".lineage-svg .lg-node").count()).toBeLessThan(300);
    console.log(
      `lineage e2e: ${drawn} of ${total} nodes in the document; at the end of the scroll redrawn in ${redrawn} ms`,
    );
    await page.screenshot({ path: join(shots, "lineage-large.png"), fullPage: false });
  }, 120_000);
});
