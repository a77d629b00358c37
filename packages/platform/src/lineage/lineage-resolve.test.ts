import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProductFolder } from "../registry/product-folder.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { examplesDir } from "../test-fixtures.js";
import { LineageService } from "./lineage-service.js";

/** Names as users write them, resolved to the graph's nodes, which name columns as the data does. */
describe("lineage node names", () => {
  let db: Database;
  let lineage: LineageService;

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    // The orders' total stored under another physical name than its logical one.
    const files = (await readProductFolder(join(examplesDir, "webshop", "orders")))
      .filter((f) => !f.path.startsWith("data/"))
      .map((f) =>
        f.path.endsWith("orders.odcs.yaml")
          ? {
              ...f,
              text: f.text.replace("name: total_amount\n", "name: total_amount\n        physicalName: total_eur\n"),
            }
          : f,
      );
    expect(files.some((f) => f.text.includes("physicalName: total_eur"))).toBe(true);
    await new Registry(db).publish({ files, publishedBy: "quanta-demo" });
    lineage = new LineageService(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("names a column by its physical name, asked by either name", async () => {
    const node = "column:sales.orders/orders/orders.total_eur";
    expect(await lineage.resolve("sales.orders.orders.total_amount")).toBe(node);
    expect(await lineage.resolve("sales.orders.orders.total_eur")).toBe(node);
    expect(await lineage.resolve("sales.orders.orders.orders.total_amount")).toBe(node);
  });

  it("finds the longest product id first, and refuses what the registry does not hold", async () => {
    expect(await lineage.resolve("sales.orders")).toBe("product:sales.orders");
    expect(await lineage.resolve("sales.orders.orders")).toBe("port:sales.orders/orders");
    await expect(lineage.resolve("sales.orders.orders.no_such")).rejects.toThrow(/no column "no_such"/);
    await expect(lineage.resolve("sales")).rejects.toThrow(/no data product/);
    await expect(lineage.resolve("column:sales.orders/orders")).rejects.toThrow(/no lineage node name/);
  });
});
