import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { consoleIn } from "../run-console.test-helpers.js";

export const ordersContract = resolve(
  import.meta.dirname,
  "../../../../examples/webshop/orders/contracts/orders.odcs.yaml",
);
const ordersData = resolve(import.meta.dirname, "../../../../examples/webshop/orders/data/orders.parquet");

/**
 * A folder laid out like the demo product (`contracts/`, `data/orders.parquet`), so a contract
 * converted there reaches the real data through its `../data/orders.parquet` server path.
 */
export function ordersWorkspace(): { dir: string; run: ReturnType<typeof consoleIn> } {
  const dir = mkdtempSync(join(tmpdir(), "quanta-format-"));
  mkdirSync(join(dir, "contracts"));
  mkdirSync(join(dir, "data"));
  copyFileSync(ordersData, join(dir, "data", "orders.parquet"));
  writeFileSync(join(dir, "contracts", "orders.odcs.yaml"), readFileSync(ordersContract));
  return { dir, run: consoleIn(dir) };
}

interface Check {
  key: string;
  result: string;
  value?: unknown;
  threshold?: string;
  type?: string;
}

/** `quanta test --format json` on real data: each check's kind, verdict, value and threshold. */
export async function checksOf(run: ReturnType<typeof consoleIn>, contract: string): Promise<string[]> {
  const r = await run("test", contract, "--server", "local", "--format", "json");
  expect(r.out, r.err).not.toBe("");
  const json = JSON.parse(r.out) as { checks: Check[] };
  expect(json.checks.length).toBeGreaterThan(10);
  // Keys name rules by id where they have one; compare what was checked and what it found.
  return (
    json.checks
      // Ages (freshness, retention) move with the clock between two runs: their value is left out.
      .map((c) => {
        const value = ["freshness", "retention"].includes(c.type ?? "") ? "age" : JSON.stringify(c.value ?? null);
        return `${c.type ?? ""} ${c.result} ${value} ${c.threshold ?? ""}`;
      })
      .sort()
  );
}
