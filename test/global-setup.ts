import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { generateProductData } from "../packages/engine-duckdb/src/product-data.js";
import { findPostgresBin, type PostgresServer, startPostgres } from "../packages/testing/src/postgres-server.js";

/**
 * One real PostgreSQL server for the whole test run; each test file makes its own database.
 * In CI it must start (a missing server fails the run); elsewhere PostgreSQL tests skip with the reason.
 */
export default async function setup(project: TestProject) {
  await ensureDemoOrders();
  let server: PostgresServer | undefined;
  let unavailable: string | undefined;
  if (process.env.QUANTA_TEST_DATABASE_URL) {
    project.provide("postgresUrl", process.env.QUANTA_TEST_DATABASE_URL);
  } else if (!findPostgresBin() && !process.env.CI) {
    unavailable = "PostgreSQL server binaries not installed (apt-get install postgresql)";
  } else {
    server = await startPostgres();
    project.provide("postgresUrl", server.url);
  }
  if (!server && !process.env.QUANTA_TEST_DATABASE_URL) project.provide("postgresUrl", undefined);
  project.provide("postgresUnavailable", unavailable);
  return async () => {
    await server?.stop();
  };
}

/**
 * The demo's orders (examples/webshop/orders/data/orders.parquet) are generated, never committed;
 * the format tests read them as a port's own rows, so a fresh clone generates them once, as
 * `quanta serve --demo` would.
 */
async function ensureDemoOrders(): Promise<void> {
  const product = fileURLToPath(new URL("../examples/webshop/orders", import.meta.url));
  if (!existsSync(`${product}/data/orders.parquet`)) await generateProductData(product);
}
