// The throughput benchmark's server, started as the benchmark starts it: it must come up with a
// consumer token and an approved agreement, and serve a consume. Catches a benchmark that an API
// change broke (it is not run by the tests otherwise). Needs the built dist, as `npm test` builds.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateProductData } from "@quanta/engine-duckdb";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const built = existsSync(join(root, "packages/platform/dist/index.js"));

describe.skipIf(!built)("bench/platform/bench-server.mjs", () => {
  it("starts on the demo mesh, signs a consumer in and serves a consume under its agreement", async () => {
    // The demo mesh with a little generated data, as the benchmark prepares it at its own size.
    const mesh = mkdtempSync(join(tmpdir(), "quanta-bench-mesh-"));
    cpSync(join(root, "examples"), mesh, { recursive: true, filter: (src) => !src.endsWith(".parquet") });
    await generateProductData(join(mesh, "climate", "weather-station-readings"), { rowCount: 1000, asOf: new Date() });
    const child = spawn(process.execPath, [join(root, "bench/platform/bench-server.mjs"), mesh], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
    });
    try {
      const info = await new Promise<{ url: string; token: string; published: string[] }>((done, fail) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const line = out.split("\n").find((l) => l.startsWith("{"));
          if (line) done(JSON.parse(line));
        });
        child.once("exit", (code) => fail(new Error(`bench server exited ${code}\n${err}`)));
      });
      expect(info.token).toEqual(expect.any(String));
      expect(info.published).toContain("climate.weather-station-readings");
      const res = await fetch(`${info.url}/api/products/climate.weather-station-readings/consume`, {
        method: "POST",
        headers: { authorization: `Bearer ${info.token}`, "content-type": "application/json" },
        body: JSON.stringify({ port: "readings", sql: "SELECT count(*) AS n FROM readings", format: "json" }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rowCount: number; rows: { n: number }[] };
      expect(body.rowCount).toBe(1);
      expect(body.rows[0]?.n).toBe(1000);
    } finally {
      child.kill("SIGTERM");
      rmSync(mesh, { recursive: true, force: true });
    }
  }, 120_000);
});
