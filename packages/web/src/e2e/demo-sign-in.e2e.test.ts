import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import {
  createApp,
  type Database,
  ensureDemoIdentities,
  IdentityStore,
  openDatabase,
  Registry,
} from "@quanta/platform";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The demo's "sign in as" in a real Chromium: a platform with the demo identities, the marketplace
// built from its sources into a folder of this test (never racing the other e2e files' builds).

const chromiumPath = "/usr/bin/chromium";
const webDir = fileURLToPath(new URL("../../", import.meta.url));
const unavailable = existsSync(chromiumPath) ? undefined : "Debian chromium not installed (apt-get install chromium)";
if (unavailable && process.env.CI) throw new Error(`CI must run the marketplace e2e tests: ${unavailable}`);

describe.skipIf(unavailable)(`demo sign in as, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let db: Database;
  let server: ReturnType<typeof serve>;
  let browser: Browser;
  let base: string;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), "quanta-demo-web-"));
    execFileSync("npx", ["vite", "build", "--logLevel", "warn", "--outDir", webRoot, "--emptyOutDir"], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: "inherit",
      timeout: 240_000,
    });
    db = await openDatabase({ memory: true });
    const identity = new IdentityStore(db);
    const tokens = await ensureDemoIdentities(identity);
    const app = createApp({ registry: new Registry(db), identity, demoTokens: () => tokens, webRoot });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((r) => (server.listening ? r() : server.once("listening", () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await db?.close();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  it("lists the demo users on the sign-in page and signs in as one with a click", async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/sign-in`);
    const picker = page.locator(".card", { hasText: "Sign in as a demo user" });
    await picker.getByRole("button", { name: "mia.chen@marketing.example" }).click();
    await page.goto(`${base}/sign-in`);
    // The click stored Mia's token: the page now names her as the one signed in.
    await page.getByText("(mia.chen@marketing.example)").waitFor();
    expect(await page.locator(".card", { hasText: "Signed in as" }).textContent()).toContain("Mia Chen");
    await page.close();
  });
});
