import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Lake } from "../lake/lake.js";
import { StorageRoot } from "../lake/storage-root.js";
import { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { tinyProduct } from "../test-fixtures.js";
import { DataLocator, type VariableSource } from "./data-locator.js";
import type { PortContract } from "./port-data.js";
import { portSource } from "./port-source.js";

let db: Database;
let root: string;
let lake: string;
let outside: string;

const contractOf = (servers: unknown[], productId = "sales.orders"): PortContract => ({
  productId,
  port: { direction: "output", name: "orders", type: null, version: null, contractId: "orders", description: null },
  contractId: "orders",
  contractVersion: "1.0.0",
  file: "contracts/orders.odcs.yaml",
  contract: { id: "orders", schema: [{ name: "orders", physicalName: "orders_v1" }, { name: "lines" }], servers },
});

const secrets: VariableSource = {
  async forEnvironment(env) {
    const values: Record<string, Record<string, string>> = {
      prod: { DB_HOST: "db.internal", DB_PASSWORD: "s3cret-pass", LAKE: "" },
    };
    return { lookup: (n) => values[env ?? ""]?.[n], isSecret: (n) => n.endsWith("PASSWORD") };
  },
};

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code?: string }) => ({ name: e.constructor.name, code: e.code, message: e.message }),
  );

beforeAll(async () => {
  db = await openDatabase({ memory: true });
  root = await mkdtemp(join(tmpdir(), "quanta-port-source-"));
  lake = join(root, "lake");
  outside = join(root, "outside");
  await mkdir(join(root, "data", "products", "sales.orders", "data", "year=2024"), { recursive: true });
  await mkdir(join(root, "data", "products", "other.product", "data"), { recursive: true });
  await mkdir(join(lake, "orders", "year=2025"), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, "secret.parquet"), "");
  await writeFile(join(lake, "orders", "year=2025", "part-0.parquet"), "");
});

afterAll(async () => {
  await db?.close();
  await rm(root, { recursive: true, force: true });
});

const locator = (options: ConstructorParameters<typeof DataLocator>[1] = {}) =>
  new DataLocator(join(root, "data"), { variables: secrets, ...options });

describe("portSource", () => {
  it("reads files relative to the contract, one dataset per schema object ({model} is its physical name)", async () => {
    const source = await portSource(
      db,
      contractOf([{ server: "local", type: "local", path: "../data/{model}.parquet" }]),
      locator(),
    );
    expect(source.engine.name).toBe("duckdb");
    expect(source.serverId).toBe("local");
    expect(source.datasets).toEqual([
      {
        name: "orders",
        source: {
          kind: "files",
          files: [join(root, "data/products/sales.orders/data/orders_v1.parquet")],
          format: "parquet",
        },
      },
      {
        name: "lines",
        source: {
          kind: "files",
          files: [join(root, "data/products/sales.orders/data/lines.parquet")],
          format: "parquet",
        },
      },
    ]);
  });

  it("takes the server of the platform's environment first, variables from its secrets", async () => {
    const servers = [
      { server: "dev", type: "local", environment: "dev", path: "../data/x.parquet" },
      {
        server: "warehouse",
        type: "postgres",
        environment: "prod",
        host: "${DB_HOST}",
        port: "${DB_PORT:-5432}",
        database: "sales",
        schema: "mart",
        password: "${DB_PASSWORD}",
      },
    ];
    const source = await portSource(db, contractOf(servers), locator({ environment: "prod" }));
    expect(source.engine.name).toBe("postgres");
    expect(source.server).toMatchObject({ host: "db.internal", port: "5432", password: "s3cret-pass" });
    expect(source.datasets[0]).toEqual({
      name: "orders",
      source: { kind: "table", schema: "mart", table: "orders_v1" },
    });
    expect(source.redact("auth failed for s3cret-pass@db.internal")).toBe("auth failed for ***@db.internal");
    // Without an environment configured, the first server an engine serves.
    expect((await portSource(db, contractOf(servers), locator())).serverId).toBe("dev");
  });

  it("refuses what it cannot locate with a 422 naming the reason", async () => {
    const cases: [unknown[], string, RegExp][] = [
      [
        [{ server: "k", type: "kafka", host: "k" }],
        "no-readable-server",
        /no server of a type an installed engine serves/,
      ],
      [[], "no-readable-server", /the contract has no servers/],
      [
        [{ server: "w", type: "postgres", environment: "prod", host: "${NOPE}", database: "d" }],
        "missing-variable",
        /references a variable with no value: NOPE/,
      ],
      [
        [{ server: "w", type: "postgres", environment: "prod", host: "h", database: "d", password: "hunter2" }],
        "literal-credential",
        /literal "password": credentials do not belong in a contract/,
      ],
      [
        [{ server: "l", type: "local", path: "../../other.product/data/x.parquet" }],
        "server-path-refused",
        /another product/,
      ],
      [
        [{ server: "l", type: "local", path: "../../../pglite/base" }],
        "server-path-refused",
        /platform's own data directory/,
      ],
      [
        [{ server: "l", type: "local", path: "../../../../outside/secret.parquet" }],
        "server-path-refused",
        /QUANTA_DATA_ROOTS/,
      ],
      [
        [{ server: "l", type: "local", path: "/etc/passwd", format: "csv" }],
        "server-path-refused",
        /leaves the product's folder/,
      ],
      [[{ server: "l", type: "local", path: "../data/x.delta" }], "unreadable-format", /cannot read format/],
      [[{ server: "l", type: "local" }], "server-invalid", /has no path/],
      [[{ server: "d", type: "duckdb" }], "server-invalid", /names no database file/],
    ];
    for (const [servers, code, message] of cases) {
      const got = await refusal(portSource(db, contractOf(servers), locator({ environment: "prod" })));
      expect(got, JSON.stringify(servers)).toMatchObject({ name: "UnprocessableError", code });
      expect(got?.message).toMatch(message);
      expect(got?.message).not.toContain(root); // no absolute server path in what consumers see
      expect(got?.message).not.toContain("hunter2");
    }
  });

  it("never quotes a resolved secret, and fetches no URL but object storage", async () => {
    const leaky = [
      [{ server: "l", type: "local", path: "/etc/${DB_PASSWORD}/x.parquet" }],
      [{ server: "l", type: "local", path: "../data/${DB_PASSWORD}.weird" }],
      [{ server: "d", type: "duckdb", database: "/tmp/${DB_PASSWORD}.duckdb" }],
    ];
    for (const servers of leaky) {
      const got = await refusal(
        portSource(db, contractOf(servers.map((x) => ({ ...x, environment: "prod" }))), locator()),
      );
      expect(got?.code).toMatch(/server-path-refused|unreadable-format/);
      expect(got?.message).not.toContain("s3cret-pass");
      expect(got?.message).toContain("${DB_PASSWORD}");
    }
    for (const location of [
      "http://169.254.169.254/latest/meta-data",
      "https://example.com/x.csv",
      "hf://x/y.parquet",
    ]) {
      const got = await refusal(
        portSource(db, contractOf([{ server: "w", type: "s3", location, format: "csv" }]), locator()),
      );
      expect(got, location).toMatchObject({ code: "server-path-refused" });
      expect(got?.message).toContain("does not fetch");
    }
    const remoteDb = [{ server: "d", type: "duckdb", database: "s3://bucket/w.duckdb" }];
    expect(await refusal(portSource(db, contractOf(remoteDb), locator()))).toMatchObject({
      code: "server-path-refused",
    });
  });

  it("reads absolute paths and Hive-partitioned globs under a data root, and nowhere else", async () => {
    const glob = join(lake, "orders", "*", "*.parquet");
    const servers = [{ server: "lake", type: "local", path: glob, format: "parquet" }];
    expect(await refusal(portSource(db, contractOf(servers), locator()))).toMatchObject({
      code: "server-path-refused",
    });
    const source = await portSource(db, contractOf(servers), locator({ dataRoots: [lake] }));
    expect(source.datasets[0]?.source).toEqual({ kind: "files", files: [glob], format: "parquet" });
    // `..` climbing out of a data root is refused like any other path outside.
    const climbing = [{ server: "lake", type: "local", path: `${lake}/../outside/secret.parquet` }];
    expect(await refusal(portSource(db, contractOf(climbing), locator({ dataRoots: [lake] })))).toMatchObject({
      code: "server-path-refused",
    });
  });

  it("follows symbolic links: one that leads out of the allowed folders is refused", async () => {
    const own = join(root, "data", "products", "sales.orders", "data");
    await symlink(outside, join(own, "escape"));
    await symlink(join(outside, "secret.parquet"), join(own, "year=2024", "part-1.parquet"));
    const direct = [{ server: "l", type: "local", path: "../data/escape/secret.parquet" }];
    expect(await refusal(portSource(db, contractOf(direct), locator()))).toMatchObject({ code: "server-path-refused" });
    const globbed = [{ server: "l", type: "local", path: "../data/*/*.parquet" }];
    expect(await refusal(portSource(db, contractOf(globbed), locator()))).toMatchObject({
      code: "server-path-refused",
      message: expect.stringMatching(/symbolic link/),
    });
  });

  it("passes object storage paths to the engine, which needs its extension for them", async () => {
    const source = await portSource(
      db,
      contractOf([{ server: "s3", type: "s3", location: "s3://bucket/orders/{model}/*.parquet", format: "parquet" }]),
      locator(),
    );
    expect(source.datasets[0]?.source).toEqual({
      kind: "files",
      files: ["s3://bucket/orders/orders_v1/*.parquet"],
      format: "parquet",
    });
  });

  it("serves a port's current version on Quanta's storage before its servers, and keeps others out of it", async () => {
    await new Registry(db).publish({ files: tinyProduct("sales.orders") });
    const located = locator({ lake: new Lake(new StorageRoot(lake)) });
    const staged = await located.lake.stage(db, {
      productId: "sales.orders",
      port: "orders",
      source: "publish",
      createdBy: "test",
    });
    const file = await located.lake.file(staged, "orders", "part-0.parquet");
    await writeFile(file, "");
    await db.transaction((tx) =>
      located.lake.versions.makeCurrent(tx, staged.row, () => [
        { name: "orders", format: "parquet", files: [relative(lake, file)], rows: 0, bytes: 0 },
        { name: "lines", format: "parquet", files: [relative(lake, file)], rows: 0, bytes: 0 },
      ]),
    );
    const source = await portSource(
      db,
      contractOf([{ server: "l", type: "local", path: "../data/x.parquet" }]),
      located,
    );
    expect(source).toMatchObject({ serverId: "quanta", engine: { name: "duckdb" } });
    expect(source.datasets[0]?.source).toEqual({ kind: "files", files: [file], format: "parquet" });
    // Another product's contract cannot point into that product's storage.
    const intruder = contractOf(
      [{ server: "l", type: "local", path: join(staged.dir, "**", "*.parquet"), format: "parquet" }],
      "other.product",
    );
    expect(await refusal(portSource(db, intruder, located))).toMatchObject({
      code: "server-path-refused",
      message: expect.stringMatching(/another product/),
    });
  });
});
