import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake, type StagedVersion } from "./lake.js";
import { StorageRoot } from "./storage-root.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "quanta-lake-file-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("Lake.file", () => {
  it("keeps every file a version writes inside that version's folder, whatever the names", async () => {
    const lake = new Lake(new StorageRoot(root));
    const staged = { dir: join(root, "shop", "orders", "v1-abc"), row: {} } as unknown as StagedVersion;
    for (const [dataset, name] of [
      ["orders", "../../../other/orders/v1-xyz/orders/orders.parquet"],
      ["..", "orders.parquet"],
      ["orders", "*.parquet"],
      ["a/b", "/etc/passwd"],
    ] as const) {
      const file = await lake.file(staged, dataset, name);
      expect(relative(staged.dir, dirname(dirname(file))), `${dataset} ${name}`).toBe("");
      expect(file).not.toMatch(/[*?]/);
    }
  });
});
