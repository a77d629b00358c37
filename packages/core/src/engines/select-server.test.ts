import { describe, expect, it } from "vitest";
import type { EngineManifest } from "./engine-manifest.js";
import { EngineRegistry } from "./engine-registry.js";
import { selectServer } from "./select-server.js";

const engine = (name: string, serverTypes: string[]): EngineManifest => ({
  name,
  serverTypes,
  dialect: name,
  capabilities: { files: name === "files", database: name !== "files", cancel: true },
  load: async () => {
    throw new Error("not loaded in these tests");
  },
});
const engines = new EngineRegistry([engine("files", ["local", "duckdb"]), engine("pg", ["postgres", "postgresql"])]);

const servers = [
  { server: "lake", type: "s3", environment: "prod" },
  { server: "dev", type: "local", environment: "dev", path: "data.parquet" },
  { server: "warehouse", type: "postgres", environment: "prod", host: "db" },
];

describe("EngineRegistry", () => {
  it("finds the engine of each server type, and lists the types in order", () => {
    expect(engines.forType("postgresql")?.name).toBe("pg");
    expect(engines.forType("s3")).toBeUndefined();
    expect(engines.forType(42)).toBeUndefined();
    expect(engines.serverTypes).toEqual(["local", "duckdb", "postgres", "postgresql"]);
  });

  it("refuses two engines for one server type", () => {
    expect(() => new EngineRegistry([engine("a", ["local"]), engine("b", ["local"])])).toThrow(
      'engines a and b both serve server type "local"',
    );
  });
});

describe("selectServer", () => {
  it("takes the first server an engine serves, preferring the wanted environment", () => {
    expect(selectServer(servers, engines)).toMatchObject({ server: { server: "dev" }, engine: { name: "files" } });
    expect(selectServer(servers, engines, { environment: "prod" })).toMatchObject({
      server: { server: "warehouse" },
      engine: { name: "pg" },
    });
    // No served server of that environment: the first served one still answers.
    expect(selectServer(servers, engines, { environment: "test" }).server.server).toBe("dev");
  });

  it("takes a named server, by `server` or `id`", () => {
    expect(selectServer(servers, engines, { name: "warehouse" }).engine.name).toBe("pg");
    expect(selectServer([{ id: "x", type: "duckdb" }], engines, { name: "x" }).engine.name).toBe("files");
  });

  it("says why no server fits, naming what the contract and the engines offer", () => {
    expect(() => selectServer(servers, engines, { name: "nope" })).toThrow(
      'no server named "nope" in the contract (servers: lake (s3), dev (local), warehouse (postgres))',
    );
    expect(() => selectServer(servers, engines, { name: "lake" })).toThrow(
      'server lake (s3): no installed engine for type "s3" (engines serve: local, duckdb, postgres, postgresql)',
    );
    expect(() => selectServer([servers[0]], engines)).toThrow(
      "no server of a type an installed engine serves (local, duckdb, postgres, postgresql); servers: lake (s3)",
    );
    for (const none of [undefined, [], "servers", [null, 1, "x"]]) {
      expect(() => selectServer(none, engines)).toThrow("the contract has no servers");
    }
  });
});
