import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateProductData, readTabularFile } from "@quanta/engine-duckdb";
import {
  IdentityStore,
  Lake,
  openDatabase,
  readProductFolder,
  StorageRoot,
  type VersionSummary,
} from "@quanta/platform";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../../bin/quanta.js");
const built = existsSync(resolve(import.meta.dirname, "../../dist/main.js"));
const examples = resolve(import.meta.dirname, "../../../../examples");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `quanta serve` as a real process; resolves once it printed its URL. */
function startServe(args: string[], cwd: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [bin, "serve", "--port", "0", "--host", "127.0.0.1", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((done, fail) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /^(http:\/\/\S+)$/m.exec(out)?.[1];
      if (url) done({ child, url, stderr: () => err });
    });
    child.once("exit", (code) => fail(new Error(`quanta serve exited with ${code}: ${err}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((done) => child.once("exit", done));

// The built console runs as its own process, so it can be killed: `npm test` builds it first.
describe.skipIf(postgresSkipReason() || !built)("kill -9 in the middle of a data upload", () => {
  it("leaves the current version readable, and the next start gives the upload up", async () => {
    const store = await createTestDatabase("kill_upload");
    const cwd = mkdtempSync(join(tmpdir(), "quanta-kill-upload-"));
    dirs.push(cwd);
    const root = join(cwd, "shared-lake");
    const product = join(cwd, "weather-station-readings");
    cpSync(join(examples, "climate/weather-station-readings"), product, { recursive: true });
    await generateProductData(product, { rowCount: 20_000, asOf: new Date() });
    const readings = await readFile(join(product, "data", "readings.parquet"));
    const db = await openDatabase({ url: store.url });
    const args = ["--database-url", store.url, "--storage-root", root];
    let server = await startServe(args, cwd);
    try {
      const identity = new IdentityStore(db);
      const admin = await identity.users.createUser({ username: "admin@example.com", roles: ["admin"] });
      const { token } = await identity.tokens.createToken(admin.id, { name: "test" });
      const auth = { authorization: `Bearer ${token}` };
      const published = await fetch(`${server.url}/api/products`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ files: await readProductFolder(product) }),
      });
      expect(published.status).toBe(201);
      const put = () =>
        fetch(`${server.url}/api/products/climate.weather-station-readings/ports/readings/data`, {
          method: "PUT",
          headers: { ...auth, "content-type": "application/vnd.apache.parquet" },
          body: readings,
        });
      expect((await put()).status).toBe(201);
      const lake = new Lake(new StorageRoot(root));
      const current = () => lake.current(db, "climate.weather-station-readings", "readings");
      const latest = async (): Promise<VersionSummary | undefined> =>
        (await lake.versions.history(db, "climate.weather-station-readings", "readings", { limit: 1 }))[0];
      const before = await current();
      expect(before?.version).toBe(1);

      // A second upload: a third of the file is sent, then the server is killed.
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", () => {});
      await new Promise((done) => socket.once("connect", done));
      socket.write(
        `PUT /api/products/climate.weather-station-readings/ports/readings/data HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\ncontent-type: application/vnd.apache.parquet\r\ncontent-length: ${readings.length}\r\n\r\n`,
      );
      socket.write(readings.subarray(0, Math.floor(readings.length / 3)));
      await expect.poll(async () => (await latest())?.state, { timeout: 20_000 }).toBe("staged");
      const staged = (await latest()) as VersionSummary;
      const gone = exited(server.child);
      server.child.kill("SIGKILL");
      await gone;
      socket.destroy();

      // Readers still get version 1, whole: the staged version was never part of it.
      expect(await current()).toEqual(before);
      const file = before?.datasets[0]?.files[0] as string;
      expect((await readFile(file)).equals(readings)).toBe(true);
      expect((await readTabularFile(file, "parquet", 100_000)).records).toHaveLength(20_000);

      // The next start (any replica on this host) sees the writer is dead and gives the version up.
      server = await startServe(args, cwd);
      await expect.poll(async () => (await latest())?.state, { timeout: 20_000 }).toBe("failed");
      expect(await latest()).toMatchObject({
        version: staged.version,
        reason: expect.stringMatching(/^abandoned: the process writing it \(.+\) stopped before it finished$/),
      });
      await expect.poll(server.stderr, { timeout: 10_000 }).toMatch(/storage recovery: 1 version\(s\) .* given up/);
      expect(await current()).toEqual(before);
      const again = await put();
      expect(again.status).toBe(201);
      expect(await again.json()).toMatchObject({ version: staged.version + 1, previous: 1 });
    } finally {
      const gone = exited(server.child);
      server.child.kill("SIGINT");
      await gone;
      await db.close();
      await store.drop();
    }
  }, 120_000);
});
