import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { generateProductData } from "@quanta/engine-duckdb";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { findProductFolders, type RunningPlatform, readProductFolder, startPlatform } from "@quanta/platform";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tinyProduct } from "../../../platform/src/test-fixtures.js";
import { chromiumPath, chromiumUnavailable, ensureBuilt, repo, shots } from "./browser-setup.js";

// The marketplace in a real Chromium against a real platform with the demo mesh published.

const unavailable = chromiumUnavailable("marketplace");

/** The text the page shows for one API answer: the data itself, a missing route, or a sign-in request. */
function expectedState(status: number, body: string, what: string): string | RegExp {
  if (status === 404 && body.includes("no route")) return new RegExp(`${what} is not available yet`, "i");
  if (status === 401) return `Sign in to see ${what}`;
  if (status === 200) return what === "the data preview" ? /Refresh the preview/ : "Usage";
  return /Cannot load/;
}

describe.skipIf(unavailable)(`marketplace in Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let platform: RunningPlatform;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let base: string;
  let firstViewMs = 0;
  const problems: string[] = [];

  const shot = async (name: string, fullPage = true) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
  };

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(shots, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), "quanta-e2e-"));
    // The demo mesh as serve --demo makes it, with freshly generated data of its source-aligned
    // products (the scripts' default sizes; the others are built by their pipelines): never the
    // repository's own examples/, whose data may be absent or stale.
    const mesh = join(dataDir, "examples");
    await cp(resolve(repo, "examples"), mesh, { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    const meshFolders = await findProductFolders(mesh);
    for (const folder of meshFolders)
      if (existsSync(join(folder, "data", "generate.sql"))) await generateProductData(folder);
    // A second version of the orders contract (a new column), published after the demo mesh so the
    // changelog has two versions to compare. Published at start, as `quanta serve --demo` does.
    const secondVersion = join(dataDir, "orders-1.4.0");
    const files = await readProductFolder(join(mesh, "webshop/orders"));
    for (const f of files) {
      let text = f.text
        .replace(/^version: 1\.3\.0$/m, "version: 1.4.0")
        .replace(/^(\s+)version: 1\.3\.0$/m, "$1version: 1.4.0");
      if (f.path.endsWith(".odcs.yaml")) {
        text = text.replace(
          "      - id: payment_method\n",
          [
            "      - id: gift_wrap",
            "        name: gift_wrap",
            "        businessName: Gift wrap",
            "        description: Whether the customer asked for gift wrapping.",
            "        logicalType: boolean",
            "        physicalType: BOOLEAN",
            "        classification: internal",
            "      - id: payment_method",
            "",
          ].join("\n"),
        );
      }
      mkdirSync(dirname(join(secondVersion, f.path)), { recursive: true });
      writeFileSync(join(secondVersion, f.path), text);
    }
    // The same data as 1.3.0 (the new column is optional): the contract points at ../data/orders.parquet.
    // A copy, not a link: a server path reaching out of its product's folder is refused (ADR 0027).
    await cp(join(mesh, "webshop/orders/data"), join(secondVersion, "data"), { recursive: true });
    // Thirty small products of a "testing" domain: more than one page of results.
    const bulk: string[] = [];
    for (let i = 1; i <= 30; i++) {
      const folder = join(dataDir, "bulk", `p${i}`);
      for (const f of tinyProduct(`testing.bulk-${String(i).padStart(2, "0")}`)) {
        mkdirSync(dirname(join(folder, f.path)), { recursive: true });
        // The first one promises more rows than its three: the owner view test needs a failing check.
        const text =
          i === 1 && f.path.endsWith(".odcs.yaml")
            ? `${f.text.replace(
                "    physicalType: table\n",
                "    physicalType: table\n    quality:\n      - name: A thousand rows\n        metric: rowCount\n        mustBeGreaterOrEqualTo: 1000\n",
              )}servers:\n  - server: local\n    type: local\n    path: ./rows.parquet\n    format: parquet\n`
            : f.text;
        writeFileSync(join(folder, f.path), text);
      }
      if (i === 1)
        await writeData(join(folder, "contracts", "rows.parquet"), "SELECT range::BIGINT AS row_id FROM range(3)");
      bulk.push(folder);
    }
    const [started, launched] = await Promise.all([
      startPlatform({
        store: { dataDir: join(dataDir, "store") },
        port: 0,
        hostname: "127.0.0.1",
        publishFolders: [...meshFolders, secondVersion, ...bulk],
        demoIdentities: {},
        demoData: true,
      }),
      chromium.launch({
        executablePath: chromiumPath,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
        // launch() always starts from a fresh temporary profile (it refuses --user-data-dir).
      }),
    ]);
    platform = started;
    browser = launched;
    base = platform.url;
    expect(platform.skipped).toEqual([]);
    expect(platform.published).toHaveLength(39);
    // The demo's pipelines build its aggregates, then its incident fails one run (serve --demo).
    expect(await platform.demoPipelines).toBe("played");
    // A context of its own (not browser.newPage()), so a test can open a second tab in it.
    page = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    ).newPage();
    // A step that cannot happen fails in 10 s with what it waited for, well inside the test's time.
    page.setDefaultTimeout(10_000);
    // A script error or a failed API call is a failure of the page, whatever the test looks at.
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
    if (firstViewMs) console.log(`marketplace: first view of the search page in ${firstViewMs} ms`);
  });

  it("shows the search page with the demo products, fast", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("heading", { name: /data products/ }).waitFor();
    await page.locator(".product-card").first().waitFor();
    // Milliseconds from the start of the navigation to the first product card, by the page's own clock.
    firstViewMs = Math.round(await page.evaluate(() => performance.now()));
    const timing = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map(
          (e) =>
            `${new URL(e.name).pathname}${new URL(e.name).search} ${Math.round(e.startTime)}+${Math.round(e.duration)}ms`,
        ),
    );
    console.log(`marketplace: resources ${timing.join(", ")}`);
    expect(firstViewMs).toBeLessThan(3000);
    await expect.poll(() => page.locator("#results-title").textContent()).toBe("38 data products");
    expect(await page.locator(".product-card").count()).toBe(24);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("search");
    await page
      .getByRole("button", { name: /^climate/ })
      .first()
      .waitFor();
    await shot("search");
  });

  it("searches as the user types, filters by a facet, and opens a product", async () => {
    await page.getByLabel("Search data products").fill("orders");
    await expect.poll(() => page.url()).toContain("q=orders");
    await expect.poll(() => page.locator(".product-card h3").allTextContents()).toContain("Orders");
    // Facet counts are the search's: two sales products match "orders".
    const sales = page.getByRole("button", { name: /^sales/ }).first();
    await expect.poll(() => sales.textContent()).toBe("sales2");
    await sales.click();
    await expect.poll(() => page.url()).toContain("domain=sales");
    // Only sales products match "orders" in the sales domain: both are order products.
    await expect
      .poll(() => page.locator(".product-card h3").allTextContents())
      .toEqual(["Orders", "Orders with analytical consent"]);
    await shot("search-filtered", false);
    await page.getByRole("link", { name: "Orders", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: /Orders/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/products/sales.orders");
    await page.goBack();
    await expect.poll(() => page.url()).toContain("q=orders");
  });

  const sectionLink = (name: string) =>
    page.getByRole("navigation", { name: "Sections of this page" }).getByRole("link", { name, exact: true });

  it("keeps the product page short: sections to jump to, deep links, long lists folded", async () => {
    // With every part stacked, the page of sales.orders was 6,212 px long at this width.
    await page.goto(`${base}/products/sales.orders`);
    await page.locator("#team").waitFor();
    const nav = await page.getByRole("navigation", { name: "Sections of this page" }).boundingBox();
    expect(nav && nav.y + nav.height).toBeLessThanOrEqual(900);
    const heights: Record<string, number> = {};
    for (const [name, probe] of [
      ["Schema", "#schema .schema-table"],
      ["Quality & SLAs", "#quality .contract"],
      ["Use", "#use .port-use"],
      ["Health", "#health .health"],
      ["Overview", "#overview #team"],
    ] as const) {
      await sectionLink(name).click();
      await page.locator(probe).waitFor();
      await expect.poll(() => page.locator(".state-loading:visible").count()).toBe(0);
      heights[name] = await page.evaluate(() => document.documentElement.scrollHeight);
    }
    console.log(`marketplace: product page height per section ${JSON.stringify(heights)}`);
    expect(Math.max(...Object.values(heights))).toBeLessThan(3000);
    // A section's hash opens it; an anchor of the one-page layout opens the section holding it.
    await page.goto(`${base}/products/sales.orders#quality`);
    await page.getByRole("heading", { name: "Quality rules" }).waitFor();
    await page.goto(`${base}/products/sales.orders#access`);
    await page.locator("#access").getByRole("heading", { name: "Access" }).waitFor();
    expect(await sectionLink("Use").getAttribute("aria-current")).toBe("true");
    // The schema folds after 8 columns; "show all" unfolds it.
    await sectionLink("Schema").click();
    const rows = page.locator(".schema-table tbody tr");
    await expect.poll(() => rows.count()).toBe(8);
    await page.getByRole("button", { name: /^Show all \d+ columns/ }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(8);
    await page.getByRole("button", { name: "Show the first 8 columns only" }).click();
    await expect.poll(() => rows.count()).toBe(8);
  });

  it("reads a product and its contract: schema with types, classification and PII, quality rules, SLAs", async () => {
    await page.goto(`${base}/products/sales.orders#schema`);
    await page.getByRole("heading", { level: 1, name: /Orders/ }).waitFor();
    await page.getByRole("tab", { name: /orders/ }).waitFor();
    const schema = page.locator(".schema-table");
    await schema.waitFor();
    const email = schema.locator("tr", { hasText: "customer_email" });
    await expect.poll(() => email.textContent()).toMatch(/restricted.*PII/);
    await expect.poll(() => schema.locator("tr", { hasText: "order_id" }).textContent()).toMatch(/primary key/);
    await page.getByRole("button", { name: /^Show all \d+ columns/ }).click();
    expect(await schema.locator("tr", { hasText: "gift_wrap" }).count()).toBe(1);
    await page.locator("#ports").screenshot({ path: join(shots, "contract.png") });
    const download = page.locator(".contract-download");
    await download.getByRole("combobox").selectOption("jsonschema");
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      download.getByRole("button", { name: "Download" }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^sales\.orders\.orders-\d+\.\d+\.\d+-.*\.json$/);
    expect(readFileSync((await file.path()) ?? "", "utf8")).toContain('"order_id"');
    // A format that writes several files lists them, each its own download.
    await download.getByRole("combobox").selectOption("dbt");
    await download.getByRole("button", { name: "Download" }).click();
    const files = download.getByRole("list", { name: "Files of the export" });
    await expect.poll(() => files.getByRole("link").count()).toBeGreaterThanOrEqual(3);
    const href = await files.getByRole("link", { name: "models/schema.yml" }).getAttribute("href");
    const one = await fetch(`${base}${href}`);
    expect(one.status).toBe(200);
    expect(await one.text()).toContain("version: 2");
    await sectionLink("Quality & SLAs").click();
    expect(await page.getByRole("heading", { name: "Quality rules" }).count()).toBe(1);
    expect(await page.locator("table", { hasText: "Total adds up" }).count()).toBe(1);
    expect(await page.locator("table", { hasText: "freshness" }).textContent()).toContain("1 day");
    await sectionLink("Overview").click();
    expect(await page.locator("#team").textContent()).toContain("Jonas Weber");
    expect(await page.locator("#glossary").textContent()).toContain("Analytical consent");
    await shot("product");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("product-top", false);
  });

  it("gives code to consume the selected port and previews its data (or names the missing API)", async () => {
    await sectionLink("Use").click();
    const use = page.locator(".port-use");
    await expect.poll(() => use.locator("pre").textContent()).toMatch(/SELECT[\s\S]*FROM orders/);
    await use.getByRole("button", { name: "Python" }).click();
    await expect.poll(() => use.locator("pre").textContent()).toContain(`${base}/api/products/sales.orders/consume`);
    expect(await use.locator("pre").textContent()).toContain('os.environ["QUANTA_TOKEN"]');
    await use.getByRole("button", { name: "TypeScript" }).click();
    await expect.poll(() => use.locator("pre").textContent()).toContain('port: "orders"');
    expect(await use.locator("pre").textContent()).toContain("rows: Record<string, unknown>[];");
    await use.getByRole("button", { name: "curl" }).click();
    await expect.poll(() => use.locator("pre").textContent()).toContain("Authorization: Bearer $QUANTA_TOKEN");
    expect(await use.locator(".snippet").textContent()).toContain("export QUANTA_TOKEN=");
    const consume = await fetch(`${base}/api/products/sales.orders/consume`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ port: "orders", limit: 1 }),
    });
    const consumeBody = await consume.text();
    await use.getByRole("button", { name: /Preview the data/ }).click();
    // What the page must show follows from what the API answers: rows, a missing feature, or a sign-in.
    await use.getByText(expectedState(consume.status, consumeBody, "the data preview")).waitFor();
    const observe = await fetch(`${base}/api/products/sales.orders/observe`);
    const observeBody = await observe.text(); // read it all, so the connection goes idle and close() need not wait
    await sectionLink("Health").click();
    const health = page.locator("#health");
    await health
      .getByText(expectedState(observe.status, observeBody, "quality and SLI history and usage"))
      .first()
      .waitFor();
    await health.screenshot({ path: join(shots, "health.png") });
  });

  it("shows the changelog between two contract versions", async () => {
    await sectionLink("Schema").click();
    const from = page.getByLabel("Changelog from version");
    await from.waitFor();
    await from.selectOption("1.3.0");
    await page.getByLabel("Changelog to version").selectOption("1.4.0");
    const report = page.locator(".changelog-report");
    await report.waitFor();
    await expect.poll(() => report.textContent()).toContain("gift_wrap");
    expect(await report.textContent()).toMatch(/from 1\.3\.0 to 1\.4\.0/);
    await report.scrollIntoViewIfNeeded();
    await shot("changelog", false);
  });

  it("opens the mesh map and loads a neighbourhood on demand", async () => {
    await page.goto(`${base}/map?focus=customer.customer-cohorts`);
    const node = (name: string) => page.locator(".map-node", { hasText: name });
    await node("Customer cohorts").waitFor();
    await node("Orders with analytical consent").waitFor();
    expect(await node("Orders").filter({ hasNotText: "consent" }).count()).toBe(0);
    await node("Orders with analytical consent").click();
    await node("sales.orders").filter({ hasNotText: "consent" }).waitFor();
    // The two input ports, and the agreement the cohorts team reads the consented orders under.
    expect(await page.locator(".map-edge").count()).toBe(3);
    expect(await page.locator(".map-side h2").textContent()).toBe("Orders with analytical consent");
    // Every node and edge is drawn inside the canvas.
    const outside = await page.locator("svg.map").evaluate((svg: SVGSVGElement) => {
      const { width, height } = svg.viewBox.baseVal;
      const boxes = Array.from(svg.querySelectorAll<SVGGraphicsElement>(".map-edge path, foreignObject"), (e) =>
        e.getBBox(),
      );
      return boxes.filter((b) => b.x < 0 || b.y < 0 || b.x + b.width > width || b.y + b.height > height).length;
    });
    expect(outside).toBe(0);
    await shot("mesh-map");
  });

  it("pages through more results than fit on one page", async () => {
    await page.goto(`${base}/?domain=testing`);
    await expect.poll(() => page.locator("#results-title").textContent()).toBe("30 data products");
    expect(await page.locator(".product-card").count()).toBe(24);
    await page.getByRole("button", { name: "Show more (6 more)" }).click();
    await expect.poll(() => page.locator(".product-card").count()).toBe(30);
    const ids = await page.locator(".card-id").allTextContents();
    expect(new Set(ids).size).toBe(30);
    expect(await page.getByRole("button", { name: /Show more/ }).count()).toBe(0);
  });

  const tokenOf = (user: string) => {
    const token = platform.demoTokens?.[user]?.token;
    expect(token, user).toBeTruthy();
    return token ?? "";
  };
  const signInAs = async (user: string, next = "/products/sales.orders") => {
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel("API token").fill(tokenOf(user));
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => {
        const at = new URL(page.url());
        return at.pathname + at.search;
      })
      .toBe(next);
    await page.locator(".user-menu").getByText("Sign out").waitFor();
  };

  it("requests access as a consumer, approves it as the owner, then previews the data", async () => {
    const access = page.locator("#access");
    await page.goto(`${base}/products/sales.orders#access`);
    await access.getByRole("link", { name: "Sign in" }).waitFor();

    await signInAs("mia.chen@marketing.example");
    // The sign-in holds in a new tab of the same browser.
    const tab = await page.context().newPage();
    try {
      await tab.goto(`${base}/products/sales.orders`);
      await tab.locator(".user-menu").getByText("Sign out").waitFor();
    } finally {
      await tab.close();
    }
    await sectionLink("Use").click();
    await access.getByLabel(/Purpose/).fill("Campaign revenue attribution");
    await access.getByRole("button", { name: "Request access to 1 port" }).click();
    await access.getByRole("status").filter({ hasText: "requested" }).waitFor();
    await access.locator("tr", { hasText: "Campaign revenue attribution" }).getByText("requested").waitFor();
    // Sent is done: the form shows the port as requested and offers no second request (a 409).
    await access.getByText(/marketing-analytics has a request or agreement for every port/).waitFor();
    expect(await access.locator(".request-form input[type=checkbox]").isDisabled()).toBe(true);
    expect(await access.getByRole("button", { name: /Request access/ }).count()).toBe(0);
    // Without an agreement the preview says why not (the platform's reason).
    await page
      .locator(".port-use")
      .getByRole("button", { name: /Preview the data/ })
      .click();
    await page
      .locator(".port-use")
      .getByText(/no active data usage agreement|request one/)
      .first()
      .waitFor();
    await access.screenshot({ path: join(shots, "access-requested.png") });

    await signInAs("sofia.rossi@webshop.example");
    await sectionLink("Use").click();
    const row = access.locator("tr", { hasText: "Campaign revenue attribution" });
    await row.getByRole("button", { name: "Approve" }).click();
    await row.getByText("active").waitFor();
    await access.screenshot({ path: join(shots, "access-approved.png") });

    await signInAs("mia.chen@marketing.example");
    await sectionLink("Use").click();
    const use = page.locator(".port-use");
    await use.getByRole("button", { name: /Preview the data/ }).click();
    const preview = use.locator(".preview-table");
    await preview.waitFor().catch(async (e) => {
      throw new Error(`no preview: ${await use.locator(".preview").textContent()}`, { cause: e });
    });
    expect(await preview.locator("tbody tr").count()).toBe(20);
    const headers = await preview.locator("thead th").allTextContents();
    expect(headers).toContain("order_id");
    const emailColumn = headers.indexOf("customer_email");
    // Personal data is masked for a consumer without those columns granted.
    expect(await preview.locator(`tbody tr:first-child td:nth-child(${emailColumn + 1})`).textContent()).toBe("***");
    await use.screenshot({ path: join(shots, "preview.png") });
    // Mia's read counts in the usage, and the page does not also say nobody read it (a consumer
    // sees the totals, not who read).
    await page.reload();
    await sectionLink("Health").click();
    const health = page.locator("#health");
    await health.getByText(/^\d+ reads? · [\d,.]+ rows? · /).waitFor();
    await health.getByText("Who read it is shown to the owner team, governance and admins only.").waitFor();
    expect(await health.textContent()).not.toContain("Nobody has read this product");
    // The agreement is now an edge of the mesh: the map lists the team among the product's readers.
    await page.goto(`${base}/map?focus=sales.orders`);
    await page.locator(".map-side").getByText("marketing-analytics").first().waitFor();
    await page.locator(".user-menu").getByText("Sign out").click();
    await page.locator(".user-menu").getByText("Sign in").waitFor();
  });

  it("shows a governance user the policies, a failing policy and the audit log", async () => {
    const governance = "governance@quanta.example";
    const res = await fetch(`${base}/api/products/testing.bulk-01/govern`, {
      headers: { authorization: `Bearer ${tokenOf(governance)}` },
    });
    const govern = (await res.json()) as { policies: { rule: string; status: string }[] };
    const failing = govern.policies.filter((p) => !["passed", "pass", "ok"].includes(p.status));
    expect(failing.length, "the tiny products declare no quality checks or SLA").toBeGreaterThan(0);

    await signInAs(governance, "/governance");
    await page.getByRole("heading", { name: "Policies in force" }).waitFor();
    await page.locator("table", { hasText: "owner-and-support" }).waitFor();
    const row = page.locator("tr", { hasText: "testing.bulk-01" });
    for (const f of failing) await row.getByText(f.rule, { exact: true }).waitFor();
    await page.getByLabel("Actor").fill("mia.chen@marketing.example");
    await page.getByRole("button", { name: "Filter" }).click();
    const audit = page.locator("section", { hasText: "Audit log" }).locator("tbody");
    await audit.locator("tr", { hasText: "denied" }).first().waitFor();
    await audit.locator("tr", { hasText: "allowed" }).first().waitFor();
    expect(await audit.locator("tr", { hasNotText: "mia.chen@marketing.example" }).count()).toBe(0);
    await shot("governance");
    await page.locator(".user-menu").getByText("Sign out").click();
  });

  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokenOf(user)}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("gives the owner a view to decide requests, see agreements and pause and resume a product", async () => {
    const sofia = "sofia.rossi@webshop.example";
    const mia = "mia.chen@marketing.example";
    const omar = "omar.haddad@insurance.example";
    // Two consumers ask for two of Sofia's products (through the API: the consumer side has its own test).
    const fraud = await call(omar, "POST", "/api/access-requests", {
      productId: "sales.orders",
      port: "orders",
      consumerTeam: "insurance-underwriting",
      purpose: "Claims fraud model",
    });
    expect(fraud.status, JSON.stringify(fraud.body)).toBe(201);
    const cohorts = await call(mia, "POST", "/api/access-requests", {
      productId: "sales.orders-analytical-consent",
      port: "consented-orders",
      consumerTeam: "marketing-analytics",
      purpose: "Consented campaign cohorts",
    });
    expect(cohorts.status, JSON.stringify(cohorts.body)).toBe(201);

    await signInAs(sofia, "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Your products" }).click();
    await page.getByRole("heading", { level: 1, name: "Your data products" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Your teams' products" });
    await nav
      .getByRole("link", {
        name: "Orders with analytical consent (sales.orders-analytical-consent), 1 pending access requests",
      })
      .waitFor();

    // Reject the fraud-model request on the orders product, with a reason.
    await nav.getByRole("link", { name: /^Orders \(sales\.orders\)/ }).click();
    const panel = page.locator(".owner-product");
    await panel.getByRole("heading", { level: 2, name: "Orders" }).waitFor();
    const fraudCard = panel.getByRole("listitem", { name: "Request from insurance-underwriting for port orders" });
    await fraudCard.getByText("Claims fraud model").waitFor();
    await fraudCard.getByLabel(/Reason/).fill("Order data is not for claims decisions");
    await fraudCard.getByRole("button", { name: "Reject" }).click();
    await fraudCard.waitFor({ state: "detached" });
    await panel.getByText(/Rejected and ended/).click();
    await panel.locator(".past-agreements").getByText("Order data is not for claims decisions").waitFor();
    expect((await call(omar, "GET", `/api/agreements/${fraud.body.id}`)).body.state).toBe("rejected");

    // Approve the cohorts request on the consent product: it becomes an active agreement.
    await nav.getByRole("link", { name: /Orders with analytical consent/ }).click();
    await panel.getByRole("heading", { level: 2, name: "Orders with analytical consent" }).waitFor();
    const cohortCard = panel.getByRole("listitem", { name: /Request from marketing-analytics/ });
    await cohortCard.getByLabel(/Reason/).fill("Consented rows only");
    await cohortCard.getByRole("button", { name: "Approve" }).click();
    await cohortCard.waitFor({ state: "detached" });
    const row = panel.locator(".agreements-table tr", { hasText: "marketing-analytics" });
    await row.getByText("active").waitFor();
    const agreement = (await call(mia, "GET", `/api/agreements/${cohorts.body.id}`)).body;
    expect(agreement.state).toBe("active");
    expect(await row.textContent()).toContain(String(agreement.contractVersion));
    await row
      .getByRole("button", { name: new RegExp(`Terminate .* \\(${agreement.noticeDays} days' notice\\)`) })
      .waitFor();
    await expect.poll(() => nav.locator(".count-badge").count()).toBe(0);

    // Pause: the consumer's preview says why it cannot read; resume: it reads again.
    const control = panel.locator(".control-panel");
    await control.locator(".badge", { hasText: "active" }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot("owner");
    await control.getByRole("button", { name: "Pause" }).click();
    await control.locator(".badge", { hasText: "paused" }).waitFor();
    await control.getByText("does not serve reads").waitFor();
    expect(await control.getByRole("button", { name: "Pause" }).isDisabled()).toBe(true);
    await control.getByRole("button", { name: "Stop" }).click();
    await control.getByRole("button", { name: "Confirm stop" }).waitFor();
    await control.getByRole("button", { name: "Cancel" }).click();
    await shot("owner-paused", false);

    await signInAs(mia, "/products/sales.orders-analytical-consent");
    await sectionLink("Use").click();
    const use = page.locator(".port-use");
    await use.getByRole("button", { name: /Preview the data/ }).click();
    await use.getByText(/is paused/).waitFor();

    await signInAs(sofia, "/owner?product=sales.orders-analytical-consent");
    await control.getByRole("button", { name: "Resume" }).click();
    await control.locator(".badge", { hasText: "active" }).waitFor();
    const read = await call(mia, "POST", "/api/products/sales.orders-analytical-consent/consume", {
      port: "consented-orders",
      limit: 1,
    });
    expect(read.status).toBe(200);

    // Terminating shows the notice period first; the consumer keeps reading until it ends.
    const current = panel.locator(".agreements-table tr", { hasText: "Consented campaign cohorts" });
    await current.getByRole("button", { name: /Terminate/ }).click();
    await current.getByText(`keeps reading for the notice period of ${agreement.noticeDays} days`).waitFor();
    await current.getByLabel(/Reason/).fill("Campaign over");
    await current.getByRole("button", { name: "Confirm termination" }).click();
    await current.getByText("terminating").waitFor();
    await current.getByText(/readable until/).waitFor();
    const ended = (await call(mia, "GET", `/api/agreements/${cohorts.body.id}`)).body;
    expect([ended.state, ended.terminatedBy]).toEqual(["terminating", sofia]);
    await page.locator(".user-menu").getByText("Sign out").click();
  });

  it("shows an owner the failing checks and policy violations of their products, and cards their badges", async () => {
    // The first bulk product promises a thousand rows and has three: its test at start fails.
    await expect
      .poll(
        async () =>
          (
            (await call("admin@quanta.example", "GET", "/api/products/testing.bulk-01/observe")).body.tests as {
              latest: unknown[];
            }
          ).latest.length,
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    await signInAs("owner@example.com", "/owner?product=testing.bulk-01");
    const checks = page.locator(".owner-section", { has: page.getByRole("heading", { name: "Failing checks" }) });
    await checks.locator(".finding", { hasText: "rowCount" }).first().waitFor();
    await checks.screenshot({ path: join(shots, "owner-failing-checks.png") });
    // No pipeline builds it: the runs section says how to run one.
    const none = page.locator(".owner-section", { has: page.getByRole("heading", { name: "Pipeline runs" }) });
    await none.getByText("No pipeline runs").waitFor();

    // The temperature's pipeline ran twice: its second run, on the incident's readings, failed its
    // contract's tests and left the first version serving. Its owner sees why.
    await signInAs("amara.okafor@climate-quantum.example", "/owner?product=climate.temperature");
    const runs = page.locator(".owner-section", { has: page.getByRole("heading", { name: "Pipeline runs" }) });
    await runs
      .getByText(/stays current/)
      .first()
      .waitFor();
    await runs
      .getByText(/freshness|rowCount|invalidValues|minimum|maximum/)
      .first()
      .waitFor();
    // The failed run opens to its steps and its log.
    await runs
      .getByRole("button", { name: /^#\d+$/ })
      .first()
      .click();
    const log = runs.locator(".run-log");
    await log.locator("summary").click();
    await log
      .getByText(/passed its tests and is current|failed \d+ of \d+ check/)
      .first()
      .waitFor();
    await runs.screenshot({ path: join(shots, "owner-pipeline-runs.png") });

    // Its certification reason needs physical-risk's own test run (also in the background).
    await expect
      .poll(
        async () =>
          (
            (await call("admin@quanta.example", "GET", "/api/products/climate.physical-risk/observe")).body.tests as {
              latest: unknown[];
            }
          ).latest.length,
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    await signInAs("lukas.meyer@climate-quantum.example", "/owner");
    const policies = page.locator(".owner-section", {
      has: page.getByRole("heading", { name: "Certification and policy violations" }),
    });
    const retention = policies.locator(".policy-violation", { hasText: "retention-declared" });
    await retention.waitFor();
    expect(await retention.textContent()).toMatch(/declares no retention/);
    await policies
      .getByText(/not higher: curated: retention-declared fails/)
      .waitFor()
      .catch(async (e) => {
        throw new Error(`certification reason not shown: ${await policies.textContent()}`, { cause: e });
      });
    await policies.screenshot({ path: join(shots, "owner-policies.png") });

    // Signed in, the search cards carry certification and quality from govern.
    await page.goto(`${base}/?q=physical%20risk`);
    const card = page.locator(".product-card", { hasText: "climate.physical-risk" });
    await card.locator(".card-health").getByText("certified raw").waitFor();
    await card
      .locator(".card-health")
      .getByText(/tests (pass|warn|fail)|not tested/)
      .waitFor();
    await shot("search-signed-in", false);

    // The owner view at phone width: no sideways scrolling.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      const token = tokenOf("sofia.rossi@webshop.example");
      await phone.addInitScript((t) => window.localStorage.setItem("quanta.token", t), token);
      await phone.goto(`${base}/owner?product=sales.orders`);
      await phone.locator(".control-panel .badge").first().waitFor();
      await phone.getByRole("heading", { name: "Usage per consumer" }).waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );
      await phone.screenshot({ path: join(shots, "owner-phone.png"), fullPage: true });
    } finally {
      await phone.close();
    }

    // A consumer's team owns nothing: the owner view says so. Signed out, it asks to sign in.
    await signInAs("mia.chen@marketing.example", "/owner");
    await page.getByText("Your teams own no data products yet").waitFor();
    await page.locator(".user-menu").getByText("Sign out").click();
    await page.getByRole("link", { name: "Sign in" }).first().waitFor();
    expect(await page.getByRole("link", { name: "Your products" }).count()).toBe(0);
    await page.locator("main").getByRole("link", { name: "Sign in" }).waitFor();
  });

  it("says so when a page or product does not exist", async () => {
    await page.goto(`${base}/products/nope.nothing`);
    await page.getByText("No such data product").waitFor();
    await page.goto(`${base}/no/such/page`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
  });

  it("works at phone width", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${base}/`);
      await phone.locator(".product-card").first().waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(shots, "search-phone.png") });
      await phone.goto(`${base}/products/sales.orders#schema`);
      await phone.locator(".schema-table").waitFor();
      expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );
      await phone.screenshot({ path: join(shots, "product-phone.png") });
      // The schema table is wider than a phone: it says it scrolls sideways, and which way.
      const box = phone.locator(".table-box", { has: phone.locator(".schema-table") }).first();
      await box.getByText("Scroll sideways for more columns →").waitFor();
      expect(await box.getAttribute("data-scroll")).toBe("start");
      await box.locator(".table-wrap").evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
      await expect.poll(() => box.getAttribute("data-scroll")).toBe("end");
      await box.getByText("← Scroll back for the first columns").waitFor();
      await box.screenshot({ path: join(shots, "table-scroll-phone.png") });
    } finally {
      await phone.close();
    }
  });

  it("tells how to get a token, and shows the tests a start sets off without a reload", async () => {
    // The sign-in page says where tokens come from (`quanta login` only stores one).
    await page.goto(`${base}/sign-in`);
    await page.getByText(/An admin creates your account and a token for it/).waitFor();
    await page.getByText(/does not make a token: it stores one you already have/).waitFor();

    // A draft (ODPS status proposed) is not tested until its owner starts it. Published last, so
    // the counts of the tests above stay as they are.
    const id = "testing.start-me";
    const files = tinyProduct(id).map((f) => ({
      path: f.path,
      text: f.path.endsWith(".odps.yaml")
        ? f.text.replace("status: active", "status: proposed")
        : `${f.text}servers:\n  - server: local\n    type: local\n    path: ./rows.parquet\n    format: parquet\n`,
    }));
    const published = await call("admin@quanta.example", "POST", "/api/products", { files });
    expect(published.status, JSON.stringify(published.body)).toBe(201);
    await signInAs("owner@example.com", `/owner?product=${id}`);
    const checks = page.locator(".owner-section", { has: page.getByRole("heading", { name: "Failing checks" }) });
    await checks.getByText("No contract test has run yet").waitFor();
    const control = page.locator(".control-panel");
    await control.getByRole("button", { name: "Start" }).click();
    await control.locator(".badge", { hasText: "active" }).waitFor();
    // The run is queued in the background; the view asks again until it has ended.
    // Other products' tests may still hold the worker: give it a minute.
    await checks.getByText(`${id}.rows`).first().waitFor({ timeout: 60_000 });
    expect(await checks.textContent()).not.toContain("No contract test has run yet");
    await checks.screenshot({ path: join(shots, "owner-started.png") });
    await page.locator(".user-menu").getByText("Sign out").click();
  }, 120_000);
});
