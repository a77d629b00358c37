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
  IdentityStore,
  OidcVerifier,
  oidcConfigFromEnv,
  openDatabase,
  PlatformAuthenticator,
  Registry,
} from "@quanta/platform";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestOidcIssuer, type TestOidcIssuer } from "../../../platform/src/identity/test-oidc-issuer.js";

// OIDC sign-in in a real Chromium: a platform configured for a local test issuer, the marketplace
// built from its sources into a folder of this test (never racing the other e2e file's build).

const chromiumPath = "/usr/bin/chromium";
const webDir = fileURLToPath(new URL("../../", import.meta.url));
const unavailable = existsSync(chromiumPath) ? undefined : "Debian chromium not installed (apt-get install chromium)";
if (unavailable && process.env.CI) throw new Error(`CI must run the marketplace e2e tests: ${unavailable}`);
const clientId = "quanta-marketplace";

describe.skipIf(unavailable)(`OIDC sign-in in Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let issuer: TestOidcIssuer;
  let db: Database;
  let server: ReturnType<typeof serve>;
  let browser: Browser;
  let page: Page;
  let base: string;
  let webRoot: string;
  const problems: string[] = [];

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), "quanta-oidc-web-"));
    execFileSync("npx", ["vite", "build", "--logLevel", "warn", "--outDir", webRoot, "--emptyOutDir"], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: "inherit",
      timeout: 240_000,
    });
    issuer = await startTestOidcIssuer({
      clientId,
      user: { sub: "subject-rin", email: "rin@example.com", name: "Rin Tanaka", groups: ["sales"] },
    });
    // The audience defaults to the client id: the marketplace signs in with the ID token.
    const oidc = oidcConfigFromEnv({ QUANTA_OIDC_ISSUER: issuer.issuer, QUANTA_OIDC_CLIENT_ID: clientId });
    db = await openDatabase({ memory: true });
    const identity = new IdentityStore(db);
    const app = createApp({
      registry: new Registry(db),
      identity,
      authenticator: new PlatformAuthenticator(identity, oidc && new OidcVerifier(oidc)),
      oidc,
      webRoot,
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((r) => (server.listening ? r() : server.once("listening", () => r())));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer.redirectUris.push(`${base}/auth/callback`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      // A CSP refusal shows only on the console: the page must be allowed to reach the issuer.
      if (/Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await db?.close();
    await issuer?.close();
    if (webRoot) await rm(webRoot, { recursive: true, force: true });
  });

  const signOut = () =>
    page.evaluate(() => {
      window.localStorage.clear();
      window.sessionStorage.clear();
    });
  const alert = () => page.getByRole("alert").textContent();

  it("signs in through the issuer and lands back where it started, the header showing the user", async () => {
    await page.goto(`${base}/sign-in?next=/governance`);
    const button = page.getByRole("button", { name: `Sign in with ${new URL(issuer.issuer).host}` });
    await button.click();
    await expect.poll(() => new URL(page.url()).pathname).toBe("/governance");
    await expect.poll(() => page.locator(".user-menu").textContent()).toContain("Rin Tanaka");
    // The same bearer as a pasted token: the platform knows the user as an OIDC principal.
    const token = await page.evaluate(() => window.localStorage.getItem("quanta.token"));
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ name: "rin@example.com", via: "oidc", teams: [{ team: "sales" }] });
    // The one-time values are gone: a reload of the callback URL is no second sign-in.
    expect(await page.evaluate(() => window.sessionStorage.getItem("quanta.oidc.pending"))).toBeNull();
    // Token paste stays on the page.
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("API token").waitFor();
    expect(problems).toEqual([]);
  });

  it("refuses a code exchanged with another PKCE verifier (a stolen code)", async () => {
    await signOut();
    await page.goto(`${base}/sign-in`);
    await page.route(`${issuer.issuer}/token`, async (route) => {
      const form = new URLSearchParams(route.request().postData() ?? "");
      form.set("code_verifier", "an-attacker-does-not-know-the-verifier-of-this-tab");
      await route.continue({ postData: form.toString() });
    });
    await page.getByRole("button", { name: /^Sign in with / }).click();
    await expect
      .poll(alert)
      .toContain("The identity provider refused the code: invalid_grant: the PKCE code verifier does not match");
    expect(issuer.refusals.at(-1)).toBe("invalid_grant: the PKCE code verifier does not match the code challenge");
    expect(await page.evaluate(() => window.localStorage.getItem("quanta.token"))).toBeNull();
    await page.unroute(`${issuer.issuer}/token`);
  });

  it("shows a state mismatch, an error of the issuer, and an unreachable issuer", async () => {
    await page.goto(`${base}/auth/callback?code=forged&state=not-ours`);
    await expect.poll(alert).toContain("No sign-in was started in this tab");
    await page.goto(`${base}/sign-in`);
    await page.evaluate(() =>
      window.sessionStorage.setItem("quanta.oidc.pending", JSON.stringify({ state: "ours", nonce: "n", next: "/" })),
    );
    await page.goto(`${base}/auth/callback?code=forged&state=not-ours`);
    await expect.poll(alert).toContain("state mismatch");
    issuer.denyWith = "access_denied";
    await page.goto(`${base}/sign-in`);
    await page.getByRole("button", { name: /^Sign in with / }).click();
    await expect
      .poll(alert)
      .toContain("The identity provider did not sign you in: access_denied: The test user declined");
    issuer.denyWith = undefined;
    await page.goto(`${base}/sign-in`);
    const button = page.getByRole("button", { name: /^Sign in with / });
    await button.waitFor();
    await issuer.close();
    await button.click();
    await expect
      .poll(alert)
      .toMatch(/Cannot start the sign-in.*cannot reach the identity provider at http:\/\/127\.0\.0\.1/);
    expect(problems).toEqual([]);
  });
});
