import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeData } from "@quanta/engine-duckdb/test-data";
import type { ProductFile } from "../registry/publish-folder.js";

/**
 * Tests only: `shop.orders` of team "Shop team", with personal data. Port `orders` needs an
 * agreement, masks customer_email (restricted, pii) and customer_id (confidential) and serves only
 * consented rows (`rowFilter`); port `totals` approves requests by itself (`accessApproval: auto`).
 */
export const productYaml = (version = "1.0.0", contractVersion = "1.0.0") => `apiVersion: v1.0.0
kind: DataProduct
id: shop.orders
name: Shop orders
version: ${version}
status: active
domain: shop
description:
  purpose: Every order of the test shop, with who placed it and their analytical consent.
outputPorts:
  - name: orders
    type: tables
    version: ${contractVersion}
    contractId: shop.orders.orders
    customProperties:
      - property: rowFilter
        value: analytical_consent = true
  - name: totals
    type: tables
    version: 1.0.0
    contractId: shop.orders.totals
    customProperties:
      - property: accessApproval
        value: auto
support:
  - channel: "#shop"
    url: https://chat.example.com/shop
    tool: slack
team:
  name: Shop team
  members:
    - username: owner@shop.example
      role: owner
      dateIn: "2024-01-01"
`;

const property = (name: string, type: string, classification: string, extra = "") => `      - name: ${name}
        logicalType: ${type}
        classification: ${classification}
${extra}`;

export const ordersContract = (version = "1.0.0", file = "orders", extra = "") => `apiVersion: v3.1.0
kind: DataContract
id: shop.orders.orders
name: Orders
version: ${version}
status: active
description:
  purpose: Orders of the test shop with personal data, for the access tests.
servers:
  - server: local
    type: local
    format: parquet
    path: ../data/${file}.parquet
slaProperties:
  - property: noticePeriod
    value: P7D
schema:
  - name: orders
    physicalType: table
    properties:
${property("order_id", "integer", "internal")}${property("customer_email", "string", "restricted", "        tags: [pii]\n")}${property("customer_id", "string", "confidential")}${property("amount", "number", "internal")}${property("analytical_consent", "boolean", "internal")}${extra}`;

const totalsContract = `apiVersion: v3.1.0
kind: DataContract
id: shop.orders.totals
name: Totals
version: 1.0.0
status: active
description:
  purpose: Order totals of the test shop per day, readable by any team that asks.
servers:
  - server: local
    type: local
    format: parquet
    path: ../data/totals.parquet
slaProperties:
  - property: noticePeriod
    value: P0D
schema:
  - name: totals
    physicalType: table
    properties:
${property("day", "date", "internal")}${property("total", "number", "internal")}`;

export const emails = (n: number) => Array.from({ length: n }, (_, i) => `person${i}@customers.example`);

/** Writes the product folder with `rows` orders (every third without consent); returns its files. */
export async function writeShop(rows = 30): Promise<{ root: string; folder: string; files: ProductFile[] }> {
  const root = await mkdtemp(join(tmpdir(), "quanta-access-"));
  const folder = join(root, "shop-orders");
  await mkdir(join(folder, "data"), { recursive: true });
  await mkdir(join(folder, "contracts"), { recursive: true });
  const files: ProductFile[] = [
    { path: "shop-orders.odps.yaml", text: productYaml() },
    { path: "contracts/orders.odcs.yaml", text: ordersContract() },
    { path: "contracts/totals.odcs.yaml", text: totalsContract },
  ];
  for (const f of files) await writeFile(join(folder, f.path), f.text);
  const data = join(folder, "data");
  await writeData(
    join(data, "orders.parquet"),
    `SELECT i::INTEGER AS order_id, 'person' || i || '@customers.example' AS customer_email,
      'C' || i AS customer_id, (i * 10)::DOUBLE AS amount, i % 3 <> 0 AS analytical_consent
    FROM range(${rows}) t(i)`,
  );
  // Version 2 renames amount to amount_eur (a breaking change) in its own file.
  await writeData(
    join(data, "orders_v2.parquet"),
    `SELECT i::INTEGER AS order_id, 'person' || i || '@customers.example' AS customer_email,
      'C' || i AS customer_id, (i * 10)::DOUBLE AS amount_eur, i % 3 <> 0 AS analytical_consent
    FROM range(${rows}) t(i)`,
  );
  await writeData(
    join(data, "totals.parquet"),
    "SELECT DATE '2024-01-01' + i::INTEGER AS day, (i * 100)::DOUBLE AS total FROM range(5) t(i)",
  );
  return { root, folder, files };
}
