import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exportWithFormat, getFormat, SourceDocument } from "@quanta/core";
import { defaultConsumeLimits } from "@quanta/core/engines";
import { consumeQuery, SandboxPool } from "@quanta/engine-duckdb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The generated TypeScript checked by the real compiler (strict) and its zod schemas run on the
// demo's orders as Quanta's consume API answers them: the JSON DuckDB writes for the port.
const repoRoot = join(import.meta.dirname, "../../../..");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");
const fixtures = {
  rich: join(repoRoot, "packages/core/src/formats/testdata/rich.odcs.yaml"),
  hostile: join(repoRoot, "packages/core/src/formats/testdata/hostile.odcs.yaml"),
  orders: join(repoRoot, "examples/webshop/orders/contracts/orders.odcs.yaml"),
  ordersData: join(repoRoot, "examples/webshop/orders/data/orders.parquet"),
};
let dir: string;

/** The one file `quanta export --format typescript` writes for a contract. */
async function exportTypeScript(contract: string, options: Record<string, string> = {}): Promise<string> {
  const format = getFormat("typescript");
  if (!format) throw new Error("typescript is not registered");
  const result = await exportWithFormat(
    format,
    SourceDocument.parse(readFileSync(contract, "utf8"), contract),
    options,
  );
  expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
  expect(result.files).toHaveLength(1);
  return String(result.files[0]?.content);
}
let pool: SandboxPool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-typescript-export-"));
  // The generated files import "zod": resolve it from the repository's node_modules.
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  pool = new SandboxPool(join(dir, "pool"), { idleMs: 60_000 });
  for (const [name, contract] of [
    ["rich", fixtures.rich],
    ["hostile", fixtures.hostile],
    ["orders", fixtures.orders],
  ] as const) {
    writeFileSync(join(dir, `${name}.ts`), await exportTypeScript(contract));
  }
  writeFileSync(join(dir, "types-only.ts"), await exportTypeScript(fixtures.rich, { zod: "false" }));
});

afterAll(() => {
  pool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs tsc on the files in strict mode; returns its diagnostics ("" when it compiles). */
function compile(files: readonly string[], outDir?: string): string {
  const args = [
    tsc,
    "--strict",
    "--noUncheckedIndexedAccess",
    "--exactOptionalPropertyTypes",
    "--target",
    "es2022",
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--skipLibCheck",
    "--pretty",
    "false",
    ...(outDir ? ["--outDir", outDir] : ["--noEmit"]),
    ...files.map((f) => join(dir, f)),
  ];
  try {
    execFileSync(process.execPath, args, { cwd: dir, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

/** Every row of the orders port as the consume API's JSON answer carries it. */
async function consumedOrders(): Promise<Record<string, unknown>[]> {
  const stream = await consumeQuery(
    [{ name: "orders", files: [fixtures.ordersData], format: "parquet", masked: [], rowFilters: [] }],
    { limit: defaultConsumeLimits.maxRows, format: "json" },
    defaultConsumeLimits,
    pool,
  );
  const answer = JSON.parse(await new Response(stream.body).text()) as { rows: Record<string, unknown>[] };
  return answer.rows;
}

describe("typescript export, checked by tsc", () => {
  it("compiles in strict mode for rich, hostile and orders, with and without zod", () => {
    expect(compile(["rich.ts", "hostile.ts", "orders.ts", "types-only.ts"])).toBe("");
  }, 120_000);

  it("lets tsc catch a row that breaks the interface (the check can fail)", () => {
    writeFileSync(
      join(dir, "misuse.ts"),
      `import { OrdersSchema, type Orders } from "./orders.js";\nexport const row: Orders = { ...OrdersSchema.parse({}), total_amount: "88.91" };\n`,
    );
    expect(compile(["misuse.ts"])).toMatch(/misuse\.ts\(2,\d+\): error TS2322: .*string.*number/);
  }, 120_000);
});

describe("the orders zod schema on the real rows", () => {
  let schema: { safeParse(row: unknown): { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } };
  let rows: Record<string, unknown>[];

  beforeAll(async () => {
    expect(compile(["orders.ts"], join(dir, "out"))).toBe("");
    writeFileSync(join(dir, "out/package.json"), '{ "type": "module" }');
    const module = (await import(pathToFileURL(join(dir, "out/orders.js")).href)) as { OrdersSchema: typeof schema };
    schema = module.OrdersSchema;
    rows = await consumedOrders();
  }, 120_000);

  it("accepts every row the consume API returns", () => {
    expect(rows.length).toBeGreaterThan(1000);
    const rejected = rows.map((row, i) => ({ i, result: schema.safeParse(row) })).filter((r) => !r.result.success);
    expect(rejected.map((r) => ({ row: r.i, issues: r.result.error?.issues }))).toEqual([]);
  });

  it("rejects broken rows at the property that breaks", () => {
    const row = rows[0]!;
    const broken: [Record<string, unknown>, string][] = [
      [{ ...row, status: "lost" }, "status"],
      [{ ...row, order_id: "10004711" }, "order_id"],
      [{ ...row, order_ts: "yesterday" }, "order_ts"],
      [{ ...row, order_ts: "2014-12-31 23:59:59" }, "order_ts"],
      [{ ...row, total_amount: "88.91" }, "total_amount"],
      [{ ...row, total_amount: 0 }, "total_amount"],
      [{ ...row, item_count: 1.5 }, "item_count"],
      [{ ...row, customer_email: null }, "customer_email"],
      [{ ...row, customer_email: "not an address" }, "customer_email"],
      [{ ...row, shipping_country: "XX" }, "shipping_country"],
    ];
    for (const [value, property] of broken) {
      const result = schema.safeParse(value);
      expect(result.success, property).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join("."))).toEqual([property]);
    }
    const { order_id: _, ...withoutKey } = row;
    expect(schema.safeParse(withoutKey).success).toBe(false);
  });
});
