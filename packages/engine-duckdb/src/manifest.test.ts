import { describe, expect, it } from "vitest";
import { duckdbEngine } from "./manifest.js";

describe("the DuckDB engine's manifest", () => {
  it("loads a factory whose connections speak the dialect it declares", async () => {
    const open = await duckdbEngine.load();
    const connection = await open({ server: { type: "local", path: "none.parquet" }, objects: [], baseDir: "." });
    try {
      expect(connection.dialect.name).toBe(duckdbEngine.dialect);
      expect(await connection.run("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      await connection.close();
    }
  });
});
