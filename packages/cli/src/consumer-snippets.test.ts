import { execFile, spawnSync } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateProductData } from "@quanta/engine-duckdb";
import { type RunningPlatform, startPlatform } from "@quanta/platform";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "./buffer-io.js";
import { main } from "./main.js";

const run = promisify(execFile);
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const repo = resolve(import.meta.dirname, "../../..");

interface Snippet {
  language: string;
  code: string;
}

/**
 * The marketplace's "use this data" code, copied as a new user would and run against a real
 * platform serving the demo's orders: each snippet must print the rows the owner may read.
 */
let work: string;
let platform: RunningPlatform;
let base: string;
let ownerToken: string;
let consumerToken: string;
let snippets: Record<string, Snippet>;
let firstOrder: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "quanta-snippets-"));
  const product = join(work, "orders");
  await cp(join(repo, "examples/webshop/orders"), product, { recursive: true, filter: (s) => !s.endsWith(".parquet") });
  await generateProductData(product);
  platform = await startPlatform({
    store: { memory: true },
    dataDir: join(work, "data"),
    port: 0,
    hostname: "127.0.0.1",
    runJobs: false,
    publishFolders: [product],
    demoIdentities: {},
    demoData: true,
  });
  base = platform.url.replace(/\/$/, "");
  const tokens = Object.values(platform.demoTokens ?? {});
  ownerToken = platform.demoTokens?.["sofia.rossi@webshop.example"]?.token ?? "";
  consumerToken = tokens.find((t) => t.role === "consumer")?.token ?? "";
  expect(ownerToken).not.toBe("");
  const answer = await fetch(`${base}/api/products/sales.orders/ports/orders/snippets`, {
    headers: { authorization: `Bearer ${ownerToken}` },
  });
  expect(answer.status).toBe(200);
  const body = (await answer.json()) as { snippets: Snippet[] };
  snippets = Object.fromEntries(body.snippets.map((s) => [s.language, s]));
  const rows = await fetch(`${base}/api/products/sales.orders/consume`, {
    method: "POST",
    headers: { authorization: `Bearer ${ownerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ port: "orders", sql: snippets.sql?.code, format: "json" }),
  });
  const result = (await rows.json()) as { rows: { order_id: string }[] };
  firstOrder = result.rows[0]?.order_id ?? "";
  expect(firstOrder).toMatch(/^ORD-\d{8}$/);
}, 120_000);
afterAll(async () => {
  await platform?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const withToken = (token: string) => ({ env: { ...process.env, QUANTA_TOKEN: token }, cwd: work });

describe("consumer snippets, run against a real platform", () => {
  it("offers curl, Python, TypeScript, DuckDB and SQL for the demo's orders, calling this server", () => {
    expect(Object.keys(snippets).sort()).toEqual(["curl", "duckdb", "python", "sql", "typescript"]);
    expect(snippets.curl?.code).toContain(`${base}/api/products/sales.orders/consume`);
  });

  it("curl prints the rows as CSV", async () => {
    const { stdout } = await run("sh", ["-c", snippets.curl?.code ?? ""], withToken(ownerToken));
    const [header, first] = stdout.split("\n");
    expect(header?.split(",")[0]).toBe("order_id");
    expect(first?.startsWith(firstOrder)).toBe(true);
    expect(stdout.trim().split("\n")).toHaveLength(101);
  });

  it("curl says why when the caller may not read the port", async () => {
    const refused = await run("sh", ["-c", snippets.curl?.code ?? ""], withToken(consumerToken)).catch((e) => e);
    expect(refused.code).toBe(22);
    expect(JSON.parse(refused.stdout).error.code).toBe("not-allowed");
  });

  it("TypeScript compiles and prints the rows as objects", async () => {
    const source = join(work, "read-orders.ts");
    await writeFile(source, snippets.typescript?.code ?? "");
    const options: ts.CompilerOptions = {
      strict: true,
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      skipLibCheck: true,
      lib: ["lib.es2022.d.ts"],
      typeRoots: [join(repo, "node_modules/@types")],
      types: ["node"],
      outDir: join(work, "out"),
    };
    const program = ts.createProgram([source], options);
    const emitted = program.emit();
    const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, "\n"),
    );
    expect(problems).toEqual([]);
    const file = join(work, "read-orders.mjs");
    await cp(join(work, "out", "read-orders.js"), file);
    const { stdout } = await run(process.execPath, [file], withToken(ownerToken));
    expect(stdout).toContain("order_id");
    expect(stdout).toContain(firstOrder);
  });

  it.skipIf(!hasPython)("Python prints each row as a dict (where python3 exists)", async () => {
    const { stdout } = await run("python3", ["-c", snippets.python?.code ?? ""], withToken(ownerToken));
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(100);
    expect(lines[0]).toContain(`'order_id': '${firstOrder}'`);
  });

  it("DuckDB downloads Parquet that its query reads", async () => {
    const [download, query] = (snippets.duckdb?.code ?? "").split(/\n(?=duckdb -c )/);
    await run("sh", ["-c", download ?? ""], withToken(ownerToken));
    const sql = /^duckdb -c '(.*)'$/.exec(query ?? "")?.[1]?.replaceAll(`'\\''`, "'") ?? "";
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(`SET file_search_path = '${work.replaceAll("'", "''")}'`);
    const reader = await conn.runAndReadAll(sql);
    expect(reader.currentRowCount).toBe(100);
    expect(reader.getRowObjects()[0]?.order_id).toBe(firstOrder);
    conn.closeSync();
  });

  it("quanta access snippet prints the same code, bare with --language so it can be piped", async () => {
    const saved = process.env.QUANTA_TOKEN;
    process.env.QUANTA_TOKEN = ownerToken;
    try {
      const io = bufferIo(work);
      const args = ["access", "snippet", "sales.orders", "--port", "orders", "--server", base];
      expect(await main([...args, "--language", "curl"], io)).toBe(0);
      expect(io.stdout()).toBe(`${snippets.curl?.code}\n`);
      expect(io.stderr()).toContain("QUANTA_TOKEN");
      const all = bufferIo(work);
      expect(await main(args, all)).toBe(0);
      for (const label of ["# curl", "# Python", "# TypeScript", "# DuckDB", "# SQL"])
        expect(all.stdout()).toContain(label);
      const none = bufferIo(work);
      expect(await main([...args, "--language", "psql"], none)).toBe(2);
      expect(none.stderr()).toContain("no psql snippet for sales.orders port orders; there are: curl, python");
      const missing = bufferIo(work);
      expect(await main(["access", "snippet", "sales.orders", "--port", "nope", "--server", base], missing)).toBe(2);
      expect(missing.stderr()).toContain('data product "sales.orders" has no output port "nope"');
    } finally {
      if (saved === undefined) delete process.env.QUANTA_TOKEN;
      else process.env.QUANTA_TOKEN = saved;
    }
  });
});
