import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateProductData } from "@quanta/engine-duckdb";
import { writeData } from "@quanta/engine-duckdb/test-data";
import { IdentityStore, type RunningPlatform, startPlatform } from "@quanta/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";
import { consoleIn } from "../run-console.test-helpers.js";

const examples = resolve(import.meta.dirname, "../../../../examples");
let platform: RunningPlatform;
let work: string;
let product: string;
let consumerToken: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "quanta-publish-data-"));
  platform = await startPlatform({
    store: { memory: true },
    port: 0,
    hostname: "127.0.0.1",
    dataDir: join(work, "platform"),
    runJobs: false,
  });
  const identity = new IdentityStore(platform.db);
  const admin = await identity.users.createUser({ username: "admin@example.com", roles: ["admin"] });
  process.env.QUANTA_TOKEN = (await identity.tokens.createToken(admin.id, { name: "test" })).token;
  const consumer = await identity.users.createUser({ username: "reader@example.com" });
  consumerToken = (await identity.tokens.createToken(consumer.id, { name: "test" })).token;
  process.env.XDG_CONFIG_HOME = join(work, "config");
  // The demo's weather stations with a little generated data of their own.
  product = join(work, "weather-station-readings");
  cpSync(join(examples, "climate/weather-station-readings"), product, { recursive: true });
  await generateProductData(product, { rowCount: 2_000, asOf: new Date() });
});
afterAll(async () => {
  delete process.env.QUANTA_TOKEN;
  delete process.env.XDG_CONFIG_HOME;
  await platform?.close();
  rmSync(work, { recursive: true, force: true });
});

const quanta = (...args: string[]) => consoleIn(work)(...args);
const discover = async () =>
  // biome-ignore lint/suspicious/noExplicitAny: the answer's JSON, checked field by field
  (await (await fetch(`${platform.url}/api/products/climate.weather-station-readings/discover`)).json()) as any;

describe("quanta publish --data", () => {
  it("publishes the product, then streams each data file as its port's new version", async () => {
    const { code, out, err } = await quanta(
      "publish",
      product,
      "--server",
      platform.url,
      "--data",
      "readings=weather-station-readings/data/readings.parquet",
      "--data",
      `stations=${join(product, "data", "stations.parquet")}`,
    );
    expect({ code, err }).toMatchObject({ code: 0 });
    expect(out).toMatch(/^published climate.weather-station-readings 1.2.0$/m);
    expect(out).toMatch(/^ {2}data readings version 1: 2,000 rows, \d+\.\d KiB, \d+ of \d+ checks passed$/m);
    expect(out).toMatch(/^ {2}data stations version 1: \d+ rows, \d+\.\d KiB, \d+ of \d+ checks passed$/m);
    // Not a terminal: one line per file on stderr, no progress.
    expect(err).toMatch(/^readings.parquet → readings: \d+\.\d KiB uploaded and tested in \d+\.\d s$/m);
    expect(err).not.toContain("\r");
    const ports = (await discover()).ports;
    expect(ports.find((p: { name: string }) => p.name === "readings").data.current).toMatchObject({
      version: 1,
      source: "publish",
      rows: 2_000,
    });
    // Again: the product is unchanged, the data a new version.
    const again = await quanta(
      "publish",
      product,
      "--server",
      platform.url,
      "--data",
      "readings=weather-station-readings/data/readings.parquet",
      "--json",
    );
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out);
    expect(json).toMatchObject({ created: false, data: [{ port: "readings", version: 2, previous: 1, rows: 2_000 }] });
  });

  it("exits 2 with the server's message when it refuses the data, publishing nothing of it", async () => {
    const wrong = await quanta(
      "publish",
      product,
      "--server",
      platform.url,
      "--data",
      `stations=${join(product, "data", "readings.parquet")}`,
    );
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(
      /^quanta: readings.parquet → stations: the file's columns do not match dataset "stations" of contract "climate.weather-station-readings.stations"; not in the contract: .*; required but missing: .*$/m,
    );
    // A file the contract's checks fail: each failed check on stdout, the reason on stderr.
    const few = join(work, "stations-few.parquet");
    await writeData(few, `SELECT * FROM read_parquet('${join(product, "data", "stations.parquet")}') LIMIT 3`);
    const failed = await quanta("publish", product, "--server", platform.url, "--data", `stations=${few}`);
    expect(failed.code).toBe(2);
    expect(failed.out).toMatch(
      /^ {2}failed stations.quality.stations_row_count.rowCount: 3 is not between 40 and 60$/m,
    );
    expect(failed.err).toMatch(/^quanta: stations-few.parquet → stations: the data does not meet contract/m);
    expect((await discover()).ports.find((p: { name: string }) => p.name === "stations").data.current.version).toBe(1);

    const admin = process.env.QUANTA_TOKEN;
    process.env.QUANTA_TOKEN = consumerToken;
    try {
      // The consumer may not publish the product; an owner publishes it unchanged, then not its data.
      const refused = await quanta("publish", product, "--server", platform.url, "--data", `stations=${few}`);
      expect(refused.code).toBe(1);
    } finally {
      process.env.QUANTA_TOKEN = admin;
    }
    expect(await quanta("publish", product, "--server", platform.url, "--data", "stations")).toMatchObject({
      code: 2,
      err: expect.stringContaining('--data takes PORT=PATH or PORT.DATASET=PATH (got "stations")'),
    });
    expect(await quanta("publish", product, "--server", platform.url, "--data", "stations=nope.parquet")).toMatchObject(
      {
        code: 2,
        err: expect.stringContaining(`--data: no such file ${join(work, "nope.parquet")}`),
      },
    );
    expect(
      await quanta("publish", product, "--server", platform.url, "--data", "stations=weather-station-readings"),
    ).toMatchObject({ code: 2, err: expect.stringContaining("--data: no such file") });
  });

  it("shows a large upload's progress on a terminal, on one rewritten line", async () => {
    // 9 MiB the server refuses (not the stations' columns): the progress is shown all the same.
    const big = join(work, "big.parquet");
    await writeData(big, "SELECT md5(range::VARCHAR) || md5((range * 31)::VARCHAR) AS noise FROM range(400000)");
    expect((await readFile(big)).length).toBeGreaterThan(8 * 1024 * 1024);
    const lines: { text: string; done: boolean }[] = [];
    const io = { ...bufferIo(work), progress: (text: string, done?: boolean) => lines.push({ text, done: !!done }) };
    const code = await main(["publish", product, "--server", platform.url, "--data", `stations=${big}`], io);
    expect(code).toBe(2);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]?.text).toMatch(/^big.parquet → stations: \d+\.\d (KiB|MiB) of \d+\.\d MiB \(\d+ %\)/);
    expect(lines.at(-1)).toEqual({ text: "big.parquet → stations: not published", done: true });
    expect(lines.filter((l) => l.done)).toHaveLength(1);
  });
});
