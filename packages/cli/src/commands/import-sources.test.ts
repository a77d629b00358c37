import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferIo } from "../buffer-io.js";
import { main } from "../main.js";

const avsc = JSON.stringify({
  type: "record",
  name: "Order",
  fields: [
    { name: "order_id", type: "string" },
    { name: "total", type: ["null", "double"], default: null },
  ],
});

let dir: string;
let server: Server;
let base: string;
async function run(...args: string[]) {
  const io = bufferIo(dir);
  const code = await main(["import", ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "quanta-import-sources-"));
  writeFileSync(join(dir, "orders.csv"), "order_id,total,status\nORD-1,10.5,placed\nORD-2,3,shipped\n");
  writeFileSync(
    join(dir, "orders.sql"),
    "CREATE TABLE orders (order_id VARCHAR(20) PRIMARY KEY, total NUMERIC(10,2));\n",
  );
  server = createServer((req, res) => {
    if (req.url === "/order.avsc") {
      res.setHeader("content-type", "application/json");
      res.end(avsc);
    } else if (req.url === "/huge") {
      res.setHeader("content-type", "application/json");
      const chunk = "x".repeat(1024 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent >= 20) res.end();
        else res.once("drain", more);
      };
      more();
    } else {
      res.statusCode = 404;
      res.end("not here");
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe("quanta import sources", () => {
  it("reads an http(s) URL, and names the format from its content", async () => {
    const r = await run(`${base}/order.avsc`);
    expect(r.code).toBe(0);
    expect(r.out).toContain("kind: DataContract");
    expect(r.out).toContain("order_id");
  });

  it("says why a URL cannot be read, and stops reading past the size limit", async () => {
    const missing = await run(`${base}/nothing.avsc`);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toBe(`quanta: cannot fetch ${base}/nothing.avsc: the server answered 404 Not Found\n`);
    const huge = await run("--format", "avro", `${base}/huge`);
    expect(huge.code).toBe(1);
    expect(huge.err).toMatch(/file-too-large .*the limit is 8 MiB/);
    const closed = await run("--format", "avro", "http://127.0.0.1:9/order.avsc");
    expect(closed.code).toBe(2);
    expect(closed.err).toMatch(/^quanta: cannot fetch http:\/\/127\.0\.0\.1:9\/order\.avsc: /);
    const secret = await run("--format", "avro", `http://user:s3cr3t@127.0.0.1:9/order.avsc`);
    expect(secret.err).not.toContain("s3cr3t");
  });

  it("names SQL DDL by its file ending", async () => {
    const r = await run("orders.sql");
    expect(r.code).toBe(0);
    expect(r.out).toContain("primaryKey: true");
  });

  it("infers a contract from a CSV file through the engine registry", async () => {
    const r = await run("orders.csv");
    expect(r.code).toBe(0);
    expect(r.out).toContain("kind: DataContract");
    expect(r.out).toContain("name: status");
  });

  it("points an inferred contract written elsewhere at the data, as quanta test resolves it", async () => {
    const r = await run("orders.csv", "-o", "contracts/orders.odcs.yaml");
    expect(r.code).toBe(0);
    const io = bufferIo(dir);
    expect(await main(["test", "contracts/orders.odcs.yaml"], io)).toBe(0);
    expect(io.stdout()).toMatch(/passed/);
  });

  it("keeps a database URL's password out of every message", async () => {
    const r = await run("postgresql://quanta:hunter2@127.0.0.1:9/shop");
    expect(r.code).not.toBe(0);
    expect(r.err).not.toContain("hunter2");
    expect(r.err.length).toBeGreaterThan(0);
    // A password URL parsing cannot take apart (an unencoded `/`, an `@`) is hidden all the same.
    for (const url of ["postgresql://alice:pa/ss@127.0.0.1:9/db", "postgresql://alice:p@ss/w@127.0.0.1:9/db"]) {
      const odd = await run(url);
      expect(odd.code).not.toBe(0);
      expect(odd.err).not.toMatch(/pa\/ss|p@ss|ss\/w/);
    }
    const http = await run("--format", "avro", "http://u:pa/ss@127.0.0.1:9/x.avsc");
    expect(http.err).not.toContain("pa/ss");
  });
});
