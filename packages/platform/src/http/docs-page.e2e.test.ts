// The API docs in a real browser: the operations listed by tag, and "Try it out" sending a real
// request to the server.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../server/start-platform.js";

const chromiumPath = "/usr/bin/chromium";
const unavailable = existsSync(chromiumPath) ? undefined : "Debian chromium not installed (apt-get install chromium)";

describe.skipIf(unavailable)("/api/docs in Chromium", () => {
  let platform: RunningPlatform;
  let browser: Browser;
  beforeAll(async () => {
    [platform, browser] = await Promise.all([
      startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1", runJobs: false }),
      chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.close();
  });

  it("lists the operations by tag and tries one out against the server", async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on("requestfailed", (r) => failed.push(r.url()));
    page.on("pageerror", (e) => failed.push(e.message));
    await page.goto(`${platform.url}/api/docs`);
    const tags = page.locator(".opblock-tag-section h3");
    await tags.first().waitFor();
    const names = await tags.allInnerTexts();
    for (const tag of ["Products", "Platform", "Access", "Identity", "Governance"]) {
      expect(names.some((n) => n.startsWith(tag))).toBe(true);
    }
    const health = page.locator("#operations-Platform-health");
    await health.locator(".opblock-summary").click();
    await health.getByRole("button", { name: "Try it out" }).click();
    await health.getByRole("button", { name: "Execute" }).click();
    const status = health.locator(".live-responses-table tr.response .response-col_status").first();
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe("200");
    expect(failed).toEqual([]);
    await page.close();
  });
});
