import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { formatIssue } from "@quanta/core";
import { lintProduct } from "@quanta/core/lint";
import { IdentityStore, startPlatform } from "@quanta/platform";
import { beforeEach, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";
import { productNames, slugify } from "./run-init.js";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
let dir: string;

async function run(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["init", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Every issue `quanta lint` would report for the product folder (warnings and infos included). */
function lintFolder(folder: string) {
  const files = ["README.md", ...readdirSync(join(folder, "contracts")).map((f) => `contracts/${f}`)];
  const odps = readdirSync(folder).filter((f) => f.endsWith(".odps.yaml"));
  return lintProduct(
    [...odps, ...files.filter((f) => f.endsWith(".odcs.yaml"))].map((f) => ({
      path: f,
      text: readFileSync(join(folder, f), "utf8"),
    })),
  ).map(formatIssue);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "quanta-init-"));
});

describe("quanta init", () => {
  it("creates a product folder that lints clean: no errors, no warnings", async () => {
    const r = await run("customer-orders", "--domain", "sales");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`created data product sales.customer-orders in customer-orders:
  customer-orders/customer-orders.odps.yaml
  customer-orders/contracts/customer-orders.odcs.yaml
  customer-orders/README.md
next: quanta lint customer-orders
`);
    const folder = join(dir, "customer-orders");
    expect(lintFolder(folder)).toEqual([]);
    const product = readFileSync(join(folder, "customer-orders.odps.yaml"), "utf8");
    expect(product).toContain("id: sales.customer-orders");
    expect(product).toContain("contractId: sales.customer-orders.customer_orders");
    expect(readFileSync(join(folder, "README.md"), "utf8")).toContain(
      "quanta test contracts/customer-orders.odcs.yaml",
    );
  });

  it("lints clean through the real lint command too", async () => {
    await run("p", "--name", "Émissions CO₂ (daily)", "--domain", "Climate & Risk");
    const io = bufferIo(dir);
    const code = await main(["lint", "p"], io);
    expect({ code, out: io.stdout() }).toEqual({ code: 0, out: "" });
    expect(readdirSync(join(dir, "p")).sort()).toEqual(["README.md", "contracts", "emissions-co2-daily.odps.yaml"]);
  });

  it("creates a product built by a pipeline from an upstream contract, which lint checks", async () => {
    const r = await run("orders-daily", "--domain", "sales", "--pipeline", "sales.orders.orders");
    expect(r.code).toBe(0);
    expect(r.out).toContain("orders-daily/pipeline.yaml");
    const pipeline = readFileSync(join(dir, "orders-daily/pipeline.yaml"), "utf8");
    expect(pipeline).toContain("port: orders-daily");
    expect(pipeline).toContain("FROM source");
    expect(readFileSync(join(dir, "orders-daily/orders-daily.odps.yaml"), "utf8")).toContain(
      "inputPorts:\n  - name: source\n",
    );
    const io = bufferIo(dir);
    const code = await main(["lint", "orders-daily"], io);
    // The upstream contract is not in this folder: lint warns of that, and of nothing else.
    expect(io.stdout()).toMatch(
      /^orders-daily\/orders-daily\.odps\.yaml:\d+:\d+ warning input-port-contract-unresolved [^\n]*\n$/,
    );
    expect(code).toBe(0);
  });

  it("refuses a folder that is not empty, unless --force", async () => {
    mkdirSync(join(dir, "busy"));
    writeFileSync(join(dir, "busy", "notes.txt"), "keep me");
    expect(await run("busy")).toEqual({
      code: 2,
      out: "",
      err: "quanta: busy is not empty; pass --force to write the product files into it\n",
    });
    expect((await run("busy", "--force")).code).toBe(0);
    expect(readFileSync(join(dir, "busy", "notes.txt"), "utf8")).toBe("keep me");
    expect(lintFolder(join(dir, "busy"))).toEqual([]);
  });

  it("refuses names that leave nothing usable, and a path that is a file", async () => {
    const r = await run("x", "--name", "!!!");
    expect(r.code).toBe(2);
    expect(r.err).toBe('quanta: cannot make a product name from "!!!": it needs to start with a letter; pass --name\n');
    writeFileSync(join(dir, "file"), "");
    expect((await run("file")).err).toBe("quanta: file exists and is not a folder\n");
  });

  it("keeps names safe for YAML and paths", () => {
    expect(slugify("My Orders: v2 / EU")).toBe("my-orders-v2-eu");
    expect(slugify("../../etc")).toBe("etc");
    expect(productNames("Daily Sales", "Retail")).toEqual({
      slug: "daily-sales",
      table: "daily_sales",
      title: "Daily Sales",
      domain: "retail",
    });
  });

  it("runs as a real process from the built binary", async () => {
    const exec = promisify(execFile);
    const r = await exec(process.execPath, [bin, "init", "weather", "--domain", "climate"], { cwd: dir });
    expect(r.stdout).toContain("created data product climate.weather in weather");
    const lint = await exec(process.execPath, [bin, "lint", "weather"], { cwd: dir });
    expect(lint.stdout).toBe("");
  });
});

describe("the folder init writes, unchanged", () => {
  it("passes the default policies: nothing blocking, only the draft status short of authoritative", async () => {
    await run("daily-sales", "--domain", "sales");
    const io = bufferIo(dir);
    const code = await main(["policy", "test", "--product", "daily-sales", "--format", "json"], io);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout()) as { results: { ruleId: string; passed: boolean }[] };
    const failed = report.results.filter((r) => !r.passed).map((r) => r.ruleId);
    expect(failed).toEqual(["product-active"]);
  });

  it("is accepted by a running server, published by an owner of the team it names", async () => {
    await run("daily-sales", "--domain", "sales");
    const platform = await startPlatform({ store: { memory: true }, port: 0, hostname: "127.0.0.1" });
    try {
      // The owner of the team the new product names (`sales data team`), as a new team would be set up.
      const identity = new IdentityStore(platform.db);
      const owner = await identity.users.createUser({ username: "owner@example.com", roles: ["consumer"] });
      await identity.teams.createTeam({ id: "sales-data-team", name: "sales data team" }, "test");
      await identity.teams.setTeamMember("sales-data-team", owner.id, "owner", "test");
      const token = (await identity.tokens.createToken(owner.id, { name: "test" })).token;
      process.env.QUANTA_TOKEN = token;
      process.env.XDG_CONFIG_HOME = join(dir, "config");
      const io = bufferIo(dir);
      const code = await main(["publish", "daily-sales", "--server", platform.url], io);
      expect(code).toBe(0);
      // The one warning left is advisory: a draft product is not yet authoritative.
      expect(io.stdout()).toMatch(/warning .*product-active/);
      expect(io.stdout()).not.toMatch(/ error /);
      expect(io.stdout()).toMatch(/^published sales\.daily-sales 0\.1\.0\n/);
    } finally {
      delete process.env.QUANTA_TOKEN;
      delete process.env.XDG_CONFIG_HOME;
      await platform.close();
    }
  });
});
