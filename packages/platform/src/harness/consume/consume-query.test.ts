import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type ConsumeFormat, type ConsumeLimits, defaultConsumeLimits } from "@quanta/core/engines";
import type { SandboxDataset } from "@quanta/engine-duckdb";
import { consumeQuery, rawColumn, SandboxPool } from "@quanta/engine-duckdb";
import { tableFromIPC } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse } from "../../http/error-response.js";

/** What a failed read answers over HTTP: its status, code and message, through the one mapper. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => {
      const { status, body } = errorResponse(e);
      return { status, ...body.error };
    },
  );

// Results written by DuckDB (COPY … TO) and cut at the limit in the file: the cut must land on a
// row boundary whatever the rows hold (quoted line breaks, quotes, commas, values past 64 KiB).
let root: string;
let dataset: SandboxDataset;
let pool: SandboxPool;
const limits: ConsumeLimits = { ...defaultConsumeLimits, timeoutMs: 20_000 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "quanta-consume-query-"));
  const file = join(root, "rows.parquet");
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  // Row i: every third a text with CRLF, quotes and commas; row 5 a 100,000-character text.
  await conn.run(`COPY (
      SELECT i AS id,
             CASE WHEN i = 5 THEN repeat('x', 100000)
                  WHEN i % 3 = 0 THEN 'a' || chr(13) || chr(10) || 'b,"c",' || chr(10) || i
                  ELSE 'plain ' || i END AS note,
             CASE WHEN i % 4 = 0 THEN NULL ELSE [i, i + 1] END AS pair,
             'secret-' || i AS email
      FROM range(1, 21) t(i)) TO '${file}' (FORMAT parquet)`);
  conn.closeSync();
  instance.closeSync();
  dataset = { name: "rows", files: [file], format: "parquet" };
  pool = new SandboxPool(join(root, "tmp"), { idleMs: 60_000 });
});

afterAll(async () => {
  pool?.close();
  await rm(root, { recursive: true, force: true });
});

async function read(format: ConsumeFormat, sql: string, limit: number, datasets: SandboxDataset[] = [dataset]) {
  const stream = await consumeQuery(datasets, { sql, limit, format }, limits, pool);
  const text = await new Response(stream.body).text();
  return { text, outcome: await stream.done };
}

/** A small RFC 4180 reader, for checking what was written. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += ch;
  }
  expect(field).toBe("");
  return records;
}

const note = (i: number) => (i === 5 ? "x".repeat(100_000) : i % 3 === 0 ? `a\r\nb,"c",\n${i}` : `plain ${i}`);

describe("consume results written by DuckDB", () => {
  it.each([1, 2, 3, 4, 5, 6, 19])("cuts JSON at the limit (%i rows) on a row boundary", async (limit) => {
    const { text, outcome } = await read("json", "SELECT id, note, pair FROM rows ORDER BY id", limit);
    const body = JSON.parse(text);
    expect(body.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "note", type: "VARCHAR" },
      { name: "pair", type: "BIGINT[]" },
    ]);
    expect(body.rows.map((r: { id: number }) => r.id)).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
    expect(body.rows.map((r: { note: string }) => r.note)).toEqual(
      Array.from({ length: limit }, (_, i) => note(i + 1)),
    );
    expect(body.rows[0]).toEqual({ id: 1, note: "plain 1", pair: [1, 2] });
    expect(body).toMatchObject({ rowCount: limit, truncated: true });
    expect(outcome).toMatchObject({ rows: limit, truncated: true, bytes: Buffer.byteLength(text) });
  });

  it.each([1, 2, 3, 4, 5, 6, 19])("cuts CSV at the limit (%i rows) on a record boundary", async (limit) => {
    const { text, outcome } = await read("csv", "SELECT id, note, pair FROM rows ORDER BY id", limit);
    const records = parseCsv(text);
    expect(records[0]).toEqual(["id", "note", "pair"]);
    expect(records.slice(1)).toEqual(
      Array.from({ length: limit }, (_, i) => [
        String(i + 1),
        note(i + 1),
        (i + 1) % 4 === 0 ? "" : `[${i + 1},${i + 2}]`,
      ]),
    );
    expect(outcome).toMatchObject({ rows: limit, truncated: true });
  });

  it("serves a complete result untruncated, and an empty one as valid JSON and a lone header", async () => {
    const all = JSON.parse((await read("json", "SELECT id FROM rows", 20)).text);
    expect(all).toMatchObject({ rowCount: 20, truncated: false });
    expect(all.rows).toHaveLength(20);
    const none = JSON.parse((await read("json", "SELECT id FROM rows WHERE id > 100", 10)).text);
    expect(none).toEqual({ columns: [{ name: "id", type: "BIGINT" }], rows: [], rowCount: 0, truncated: false });
    expect((await read("csv", 'SELECT id AS "a,b" FROM rows WHERE id > 100', 10)).text).toBe('"a,b"\r\n');
    const csv = await read("csv", "SELECT id FROM rows ORDER BY id", 20);
    expect(csv.text.split("\r\n")).toHaveLength(22);
    expect(csv.outcome).toMatchObject({ rows: 20, truncated: false });
  });

  it("leaves no result file behind, read to the end or cancelled", async () => {
    await read("json", "SELECT * FROM rows", 20);
    const stream = await consumeQuery([dataset], { sql: "SELECT * FROM rows", limit: 20, format: "csv" }, limits, pool);
    await stream.body.cancel();
    expect(await stream.done).toMatchObject({ error: "the client stopped reading" });
    const dirs = await readdir(join(root, "tmp"));
    for (const d of dirs) expect(await readdir(join(root, "tmp", d))).toEqual([]);
  });
});

describe("consume as an Arrow IPC stream", () => {
  const arrow = async (sql: string, limit: number) => {
    const stream = await consumeQuery([dataset], { sql, limit, format: "arrow" }, limits, pool);
    const bytes = new Uint8Array(await new Response(stream.body).arrayBuffer());
    return { stream, table: tableFromIPC(bytes), outcome: await stream.done };
  };

  it("keeps every column's type and value, nulls included, under the limit", async () => {
    const { stream, table, outcome } = await arrow(
      `SELECT id, note, pair, id % 2 = 0 AS even, id::TINYINT AS i8, id::SMALLINT AS i16,
              id::BIGINT * 10000000000 AS i64, id::UBIGINT AS u64, id / 4 AS quarter, id::FLOAT AS f32,
              DATE '2024-01-01' + id::INTEGER AS day,
              TIMESTAMP '2024-01-01 00:00:00' + to_seconds(id) + INTERVAL 123456 MICROSECOND AS at,
              (id * 1.25)::DECIMAL(10, 2) AS amount, (-id * 1.5)::DECIMAL(38, 4) AS wide,
              CASE WHEN id % 4 = 0 THEN NULL ELSE id END AS maybe, encode(note) AS raw,
              INTERVAL 1 DAY AS span, id AS id
       FROM rows ORDER BY id`,
      7,
    );
    expect(stream.contentType).toBe("application/vnd.apache.arrow.stream");
    expect(outcome).toMatchObject({ rows: 7, truncated: false });
    expect(table.numRows).toBe(7);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toEqual({
      id: "Int64",
      note: "Utf8",
      pair: "Utf8",
      even: "Bool",
      i8: "Int8",
      i16: "Int16",
      i64: "Int64",
      u64: "Uint64",
      quarter: "Float64",
      f32: "Float32",
      day: "Date32<DAY>",
      at: "Timestamp<MICROSECOND>",
      amount: "Decimal[10e+2]",
      wide: "Decimal[38e+4]",
      maybe: "Int64",
      raw: "Binary",
      span: "Utf8",
      id_1: "Int64", // DuckDB names a repeated column apart, as in JSON and CSV
    });
    const row = (i: number) => table.get(i)?.toJSON() as Record<string, unknown>;
    expect(row(2)).toMatchObject({
      note: 'a\r\nb,"c",\n3',
      pair: "[3, 4]",
      even: false,
      i8: 3,
      i16: 3,
      i64: 30_000_000_000n,
      u64: 3n,
      quarter: 0.75,
      f32: 3,
      maybe: 3n,
      span: "1 day",
    });
    expect(row(3)).toMatchObject({ even: true, maybe: null, pair: null });
    expect(new Date(row(2).day as number).toISOString()).toBe("2024-01-04T00:00:00.000Z");
    expect(table.getChild("at")?.data[0]?.values[2]).toBe(1_704_067_203_123_456n);
    const words = (column: string, i: number) => [
      ...(table.getChild(column)?.data[0]?.values.slice(i * 4, i * 4 + 4) ?? []),
    ];
    expect(words("amount", 2)).toEqual([375, 0, 0, 0]); // 3.75 at scale 2
    expect(words("wide", 2)).toEqual([2 ** 32 - 45_000, 2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1]); // -4.5000
    expect(new TextDecoder().decode(row(0).raw as Uint8Array)).toBe("plain 1");
  });

  it("copies fixed-width columns straight from DuckDB's vectors, validity bits included", async () => {
    // The fast path reads the pinned @duckdb/node-api's vector internals; an upgrade that moves them
    // fails here instead of silently reading value by value.
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    try {
      const result = await conn.run("SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i::DOUBLE END AS x FROM range(10) t(i)");
      const chunk = await result.fetchChunk();
      const raw = chunk && rawColumn(chunk, 0, Float64Array);
      expect(raw?.items).toBeInstanceOf(Float64Array);
      expect([...(raw?.items ?? [])].filter((_, i) => i % 3 !== 0)).toEqual([1, 2, 4, 5, 7, 8]);
      // Rows 0–7, then rows 8–9 (the bits past the last row mean nothing).
      expect([raw?.valid?.[0], (raw?.valid?.[1] ?? 0) & 0b11]).toEqual([0b1011_0110, 0b01]);
      expect(chunk && rawColumn(chunk, 0, Int32Array)).toBeUndefined();
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it("fails a query that breaks while streaming, or runs too long, with a 400 and nothing left behind", async () => {
    // A cast that fails on the first row past the chunk DuckDB has already produced.
    expect(
      await refusal(arrow("SELECT CAST(CASE WHEN id > 3 THEN 'x' ELSE '1' END AS INTEGER) AS n FROM rows", 20)),
    ).toMatchObject({
      status: 400,
      code: "query-failed",
    });
    const slow = consumeQuery(
      [dataset],
      {
        sql: "SELECT sum(a.id * b.id * c.id * d.id * e.id * f.id) AS s FROM rows a, rows b, rows c, rows d, rows e, rows f",
        limit: 1,
        format: "arrow",
      },
      { ...limits, timeoutMs: 50 },
      pool,
    );
    expect(await refusal(slow)).toMatchObject({ status: 400, code: "query-timeout" });
    expect((await readdir(join(root, "tmp"), { recursive: true })).filter((f) => String(f).endsWith(".arrow"))).toEqual(
      [],
    );
  });

  it("keeps batches of long text bounded, and sends infinite timestamps as DuckDB stores them", async () => {
    const long = await arrow("SELECT repeat('x', 9000) || a.id AS t FROM rows a, rows b, rows c ORDER BY t", 8_000);
    expect(long.table.numRows).toBe(8_000);
    expect(long.table.batches.length).toBeGreaterThan(1); // 72 MB of text: not one batch of 8,000 rows
    expect(long.table.getChild("t")?.get(7_999)).toBe(`${"x".repeat(9000)}9`);
    const inf = await arrow(
      "SELECT 'infinity'::TIMESTAMP AS up, '-infinity'::TIMESTAMP AS down, TIMESTAMP '1969-12-31 23:59:59' AS before FROM rows LIMIT 1",
      1,
    );
    const values = (name: string) => inf.table.getChild(name)?.data[0]?.values[0];
    expect([values("up"), values("down"), values("before")]).toEqual([
      9_223_372_036_854_775_807n,
      -9_223_372_036_854_775_807n,
      -1_000_000n,
    ]);
  });

  it("answers an empty result with its schema, and reads the limit in batches", async () => {
    const empty = await arrow("SELECT id, note FROM rows WHERE id < 0", 10);
    expect(empty.table.numRows).toBe(0);
    expect(empty.table.schema.fields.map((f) => f.name)).toEqual(["id", "note"]);
    const many = await arrow(
      `SELECT (a.id - 1) * 8000 + (b.id - 1) * 400 + (c.id - 1) * 20 + d.id - 1 AS i
       FROM rows a, rows b, rows c, rows d ORDER BY i`,
      150_000,
    );
    expect(many.table.numRows).toBe(150_000);
    expect(many.table.batches.length).toBeGreaterThan(1);
    expect(many.table.getChild("i")?.get(149_999)).toBe(149_999n);
  });
});

describe("masked columns", () => {
  it("keep their type: text reads '***', every other type a NULL of its own type", async () => {
    const file = join(root, "people.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT i AS id, 'p' || i || '@example.com' AS email, i % 2 = 0 AS analytics_consent,
        (i * 1.5)::DOUBLE AS score, (i * 10)::DECIMAL(10, 2) AS amount, DATE '2024-01-01' + i::INTEGER AS born,
        TIMESTAMP '2024-01-01 10:00:00' AS seen_at, [i, i] AS codes, {'street': 'Main ' || i} AS address,
        uuid() AS token
      FROM range(1, 3) t(i)) TO '${file}' (FORMAT parquet)`);
    conn.closeSync();
    instance.closeSync();
    const masked = ["EMAIL", "analytics_consent", "score", "amount", "born", "seen_at", "codes", "address", "token"];
    const people: SandboxDataset = { name: "people", files: [file], format: "parquet", masked };
    const sql = "SELECT * FROM people ORDER BY id";
    const json = JSON.parse((await read("json", sql, 5, [people])).text);
    expect(json.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "email", type: "VARCHAR" },
      { name: "analytics_consent", type: "BOOLEAN" },
      { name: "score", type: "DOUBLE" },
      { name: "amount", type: "DECIMAL(10,2)" },
      { name: "born", type: "DATE" },
      { name: "seen_at", type: "TIMESTAMP" },
      { name: "codes", type: "BIGINT[]" },
      { name: "address", type: 'STRUCT("street" VARCHAR)' },
      { name: "token", type: "UUID" },
    ]);
    const hidden = { analytics_consent: null, score: null, amount: null, born: null, seen_at: null, codes: null };
    expect(json.rows).toEqual([
      { id: 1, email: "***", ...hidden, address: null, token: null },
      { id: 2, email: "***", ...hidden, address: null, token: null },
    ]);
    // A masked boolean still filters and aggregates as a boolean (no '***' to compare with TRUE).
    const typed = await read("json", "SELECT count(*) FILTER (WHERE analytics_consent) AS n FROM people", 5, [people]);
    expect(JSON.parse(typed.text).rows).toEqual([{ n: 0 }]);
    // Arrow carries the same types.
    const arrow = await consumeQuery([people], { sql, limit: 5, format: "arrow" }, limits, pool);
    const table = tableFromIPC(new Uint8Array(await new Response(arrow.body).arrayBuffer()));
    expect(String(table.schema.fields.find((f) => f.name === "analytics_consent")?.type)).toBe("Bool");
    expect(table.getChild("analytics_consent")?.toArray()).toEqual([null, null]);
  });
});

describe("the guard of a pooled sandbox", () => {
  it("refuses the same hostile statement every time, and serves a repeated one", async () => {
    for (let i = 0; i < 2; i++) {
      expect(await refusal(read("json", `SELECT * FROM read_parquet('${dataset.files?.[0]}')`, 5))).toMatchObject({
        status: 400,
        code: "sql-refused",
      });
      expect(await refusal(read("csv", "SELECT 1; SELECT 2", 5))).toMatchObject({ status: 400 });
      expect((await read("csv", "SELECT id FROM rows ORDER BY id LIMIT 1", 5)).text).toBe("id\r\n1\r\n");
    }
  });
});

describe("the sandbox pool", () => {
  it("reuses a sandbox only for identical views: masks, filters and the file's version are part of the key", async () => {
    const local = new SandboxPool(join(root, "pool"), { idleMs: 60_000 });
    try {
      const sql = "SELECT email FROM rows ORDER BY id LIMIT 2";
      const q = (datasets: SandboxDataset[]) =>
        consumeQuery(datasets, { sql, limit: 5, format: "json" }, limits, local);
      const text = async (datasets: SandboxDataset[]) => {
        const s = await q(datasets);
        return JSON.parse(await new Response(s.body).text()).rows;
      };
      expect(await text([dataset])).toEqual([{ email: "secret-1" }, { email: "secret-2" }]);
      expect(await text([dataset])).toEqual([{ email: "secret-1" }, { email: "secret-2" }]);
      expect(local.size).toBe(1);
      // Another reader's masking: its own sandbox, and the mask holds.
      const masked = [{ ...dataset, masked: ["email"] }];
      expect(await text(masked)).toEqual([{ email: "***" }, { email: "***" }]);
      expect(local.size).toBe(2);
      // And the unmasked reader after it still gets its own views.
      expect(await text([dataset])).toEqual([{ email: "secret-1" }, { email: "secret-2" }]);
      const filtered = [{ ...dataset, rowFilters: ["id > 18"] }];
      expect(await text(filtered)).toEqual([{ email: "secret-19" }, { email: "secret-20" }]);
      expect(local.size).toBe(3);
      // The data replaced on disk (a new mtime): a new sandbox.
      const later = new Date(Date.now() + 5000);
      await utimes(dataset.files?.[0] as string, later, later);
      expect(await text([dataset])).toEqual([{ email: "secret-1" }, { email: "secret-2" }]);
      expect(local.size).toBe(4);
    } finally {
      local.close();
    }
  });

  it("closes a sandbox in use when its query is done, once the pool is closed", async () => {
    const local = new SandboxPool(join(root, "pool-close"), { idleMs: 60_000 });
    const lease = await local.acquire([dataset]);
    local.close();
    expect(local.size).toBe(1);
    lease.release();
    expect(local.size).toBe(0);
  });

  it("closes idle sandboxes beyond its cap and keeps none that failed to build", async () => {
    const local = new SandboxPool(join(root, "pool-cap"), { idleMs: 60_000, maxIdle: 1 });
    try {
      const read1 = async (datasets: SandboxDataset[]) => {
        const s = await consumeQuery(
          datasets,
          { sql: "SELECT 1 AS one FROM rows LIMIT 1", limit: 1, format: "json" },
          limits,
          local,
        );
        await new Response(s.body).text();
      };
      await read1([dataset]);
      await read1([{ ...dataset, masked: ["email"] }]);
      expect(local.size).toBe(1);
      await expect(read1([{ ...dataset, rowFilters: ["id +"] }])).rejects.toMatchObject({ code: "row-filter-invalid" });
      expect(local.size).toBe(1);
      const missing = { ...dataset, files: [join(root, "missing.parquet")] };
      await expect(read1([missing])).rejects.toMatchObject({ code: "dataset-unreadable" });
      expect(local.size).toBe(1);
    } finally {
      local.close();
    }
  });
});
