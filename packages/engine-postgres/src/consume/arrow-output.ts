import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
} from "apache-arrow";
import type { ResultColumn, RowSource, Rows } from "./result-column.js";

/** Rows per Arrow record batch… */
const batchRows = 65_536;
/** …or fewer, once its text and binary values reach this many characters. */
const batchChars = 32 * 1024 * 1024;

/** How one PostgreSQL column becomes an Arrow column, from the server's text of its values. */
interface ColumnPlan {
  type: DataType;
  data(rows: Rows, column: number): Data;
  /** Variable-width columns: characters of a batch, so batches stay bounded in memory. */
  variable?: true;
}

/** Validity bits (least significant first) and the null count of one column of a batch. */
function validity(rows: Rows, column: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((rows.length + 7) >> 3);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]![column] === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

function make(type: DataType, rows: Rows, column: number, buffers: object): Data {
  // biome-ignore lint/suspicious/noExplicitAny: makeData is overloaded per type; each plan pairs them
  return makeData({ type, length: rows.length, ...validity(rows, column), ...buffers } as any);
}

type NumberArray = Int16Array | Int32Array | Float32Array | Float64Array;

/** Fixed-width numbers the server prints as JavaScript reads them (`NaN`, `Infinity` included). */
function numbers(type: DataType, array: new (n: number) => NumberArray, parse: (v: string) => number): ColumnPlan {
  return {
    type,
    data(rows, column) {
      const data = new array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![column];
        if (v !== null && v !== undefined) data[i] = parse(v);
      }
      return make(type, rows, column, { data });
    },
  };
}

const two32 = 4_294_967_296;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * 64-bit values: a safe integer is written as its two 32-bit words (no BigInt per value, which
 * would make every cell a garbage-collected object), anything larger as a BigInt.
 */
function int64s(type: DataType, parse: (v: string) => number | bigint): ColumnPlan {
  return {
    type,
    data(rows, column) {
      const data = new BigInt64Array(rows.length);
      const words = new Int32Array(data.buffer);
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![column];
        if (v === null || v === undefined) continue;
        const n = parse(v);
        if (typeof n === "number" && littleEndian) {
          const hi = Math.floor(n / two32);
          words[2 * i] = (n - hi * two32) | 0;
          words[2 * i + 1] = hi;
        } else data[i] = BigInt(n);
      }
      return make(type, rows, column, { data });
    },
  };
}

/** `int8` text: a JavaScript number when it has at most 15 characters (always exact), else a BigInt. */
const int8 = (v: string): number | bigint => (v.length <= 15 ? Number(v) : BigInt(v));

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DD` (ISO DateStyle; more year digits after 9999; ` BC` before year 1) → days since the epoch. */
function dateDays(text: string, bc: boolean): number {
  const dash = text.indexOf("-", 1);
  const year = Number(text.slice(0, dash));
  return daysFromCivil(bc ? 1 - year : year, Number(text.slice(dash + 1, dash + 3)), Number(text.slice(dash + 4)));
}

/** Dates as days; ±infinity as the largest and smallest 32-bit values (as DuckDB sends infinite timestamps). */
function date(v: string): number {
  if (v === "infinity") return 2_147_483_647;
  if (v === "-infinity") return -2_147_483_648;
  const bc = v.endsWith(" BC");
  return dateDays(bc ? v.slice(0, -3) : v, bc);
}

const maxInt64 = 9_223_372_036_854_775_807n;
const microsPerDay = 86_400_000_000;

/**
 * `YYYY-MM-DD HH:MM:SS[.ffffff][±hh[:mm[:ss]]][ BC]` → microseconds since the epoch in UTC (the
 * session's TimeZone is UTC, so `timestamptz` text ends in `+00`); ±infinity as ±(2^63 − 1).
 */
function timestamp(v: string): number | bigint {
  if (v === "infinity") return maxInt64;
  if (v === "-infinity") return -maxInt64;
  const bc = v.endsWith(" BC");
  const s = bc ? v.slice(0, -3) : v;
  const space = s.indexOf(" ");
  const days = dateDays(s.slice(0, space), bc);
  const t = space + 1;
  let seconds = Number(s.slice(t, t + 2)) * 3600 + Number(s.slice(t + 3, t + 5)) * 60 + Number(s.slice(t + 6, t + 8));
  let k = t + 8;
  let micros = 0;
  if (s[k] === ".") {
    let end = k + 1;
    while (end < s.length && s.charCodeAt(end) >= 48 && s.charCodeAt(end) <= 57) end++;
    micros = Number(s.slice(k + 1, end).padEnd(6, "0"));
    k = end;
  }
  if (k < s.length) {
    const sign = s[k] === "-" ? -1 : 1;
    const [h = "0", m = "0", sec = "0"] = s.slice(k + 1).split(":");
    seconds -= sign * (Number(h) * 3600 + Number(m) * 60 + Number(sec));
  }
  const total = days * microsPerDay + seconds * 1_000_000 + micros;
  return Number.isSafeInteger(total)
    ? total
    : BigInt(days) * BigInt(microsPerDay) + BigInt(seconds) * 1_000_000n + BigInt(micros);
}

const booleans = (): ColumnPlan => {
  const type = new Bool();
  return {
    type,
    data(rows, column) {
      const data = new Uint8Array((rows.length + 7) >> 3);
      for (let i = 0; i < rows.length; i++) if (rows[i]![column] === "t") data[i >> 3]! |= 1 << (i & 7);
      return make(type, rows, column, { data });
    },
  };
};

/**
 * `numeric(p, s)` as a 128-bit decimal: the unscaled value, two's complement, little-endian 32-bit
 * words. The server prints such a value with exactly `s` fraction digits; `NaN` has no decimal and
 * is sent as null.
 */
function decimal(precision: number, scale: number): ColumnPlan {
  const type = new Decimal(scale, precision, 128);
  return {
    type,
    data(rows, column) {
      const data = new Uint32Array(rows.length * 4);
      const nullBitmap = new Uint8Array((rows.length + 7) >> 3);
      let nullCount = 0;
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![column];
        if (v === null || v === undefined || !/^-?\d/.test(v)) {
          nullCount++;
          continue;
        }
        nullBitmap[i >> 3]! |= 1 << (i & 7);
        const negative = v.charCodeAt(0) === 45;
        const body = negative ? v.slice(1) : v;
        const dot = body.indexOf(".");
        const fraction = dot < 0 ? "" : body.slice(dot + 1);
        const digits = (dot < 0 ? body : body.slice(0, dot)) + fraction.padEnd(scale, "0").slice(0, scale);
        if (digits.length <= 15) {
          const n = negative ? -Number(digits) : Number(digits);
          const hi = Math.floor(n / two32);
          data[i * 4] = n - hi * two32;
          data[i * 4 + 1] = hi >>> 0;
          data[i * 4 + 2] = data[i * 4 + 3] = n < 0 ? 0xffff_ffff : 0;
        } else {
          let unscaled = BigInt.asUintN(128, negative ? -BigInt(digits) : BigInt(digits));
          for (let w = 0; w < 4; w++) {
            data[i * 4 + w] = Number(unscaled & 0xffff_ffffn);
            unscaled >>= 32n;
          }
        }
      }
      return makeData({
        type,
        length: rows.length,
        nullCount,
        nullBitmap: nullCount > 0 ? nullBitmap : undefined,
        data,
      } as never);
    },
  };
}

const encoder = new TextEncoder();

/**
 * UTF-8 of a batch of strings, encoded in one call. When no character took more than a byte, each
 * string's offset is its length; otherwise each string's UTF-8 length is counted. (Exact because
 * the server's text is valid UTF-8: no lone surrogates that joining could pair up.)
 */
function text(): ColumnPlan {
  const type = new Utf8();
  return {
    type,
    variable: true,
    data(rows, column) {
      const strings: string[] = new Array(rows.length);
      for (let i = 0; i < rows.length; i++) strings[i] = rows[i]![column] ?? "";
      const joined = strings.join("");
      const data = new Uint8Array(Buffer.byteLength(joined, "utf8"));
      encoder.encodeInto(joined, data);
      const valueOffsets = new Int32Array(rows.length + 1);
      const ascii = data.length === joined.length;
      for (let i = 0; i < rows.length; i++) {
        const s = strings[i]!;
        valueOffsets[i + 1] = valueOffsets[i]! + (ascii ? s.length : Buffer.byteLength(s, "utf8"));
      }
      return make(type, rows, column, { valueOffsets, data });
    },
  };
}

/** `bytea` (printed `\x…` in hex) as binary. */
function bytes(): ColumnPlan {
  const type = new Binary();
  return {
    type,
    variable: true,
    data(rows, column) {
      const parts: Buffer[] = new Array(rows.length);
      const valueOffsets = new Int32Array(rows.length + 1);
      for (let i = 0; i < rows.length; i++) {
        const v = rows[i]![column];
        parts[i] = v === null || v === undefined ? Buffer.alloc(0) : Buffer.from(v.slice(2), "hex");
        valueOffsets[i + 1] = valueOffsets[i]! + parts[i]!.length;
      }
      return make(type, rows, column, { valueOffsets, data: Buffer.concat(parts) });
    },
  };
}

/** `numeric(p, s)`'s precision and scale from its type modifier, when a 128-bit decimal holds it. */
function decimalOf(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const precision = ((typmod - 4) >> 16) & 0xffff;
  // PostgreSQL 15+ stores a negative scale sign-extended from 11 bits.
  const scale = ((((typmod - 4) & 0x7ff) ^ 1024) - 1024) | 0;
  return precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision ? { precision, scale } : undefined;
}

/** Built-in type OIDs (pg_type.oid, fixed across servers) → their Arrow plan. */
const byOid: Record<number, (c: ResultColumn) => ColumnPlan> = {
  16: booleans,
  17: bytes,
  20: () => int64s(new Int64(), int8),
  21: () => numbers(new Int16(), Int16Array, Number),
  23: () => numbers(new Int32(), Int32Array, Number),
  700: () => numbers(new Float32(), Float32Array, Number),
  701: () => numbers(new Float64(), Float64Array, Number),
  1082: () => numbers(new DateDay(), Int32Array, date),
  1114: () => int64s(new TimestampMicrosecond(), timestamp),
  1184: () => int64s(new TimestampMicrosecond("UTC"), timestamp),
  1700: (c) => {
    const d = decimalOf(c.typmod);
    return d ? decimal(d.precision, d.scale) : text();
  },
};

/**
 * The Arrow type of a result column: integers of each width, floats, booleans, dates (days),
 * timestamps (microseconds, `timestamptz` in UTC), `numeric(p, s)` up to 38 digits as a 128-bit
 * decimal, `bytea` as binary; everything else (text types, unconstrained `numeric`, json, jsonb,
 * arrays and records as JSON text, uuid, time, interval …) as UTF-8 text.
 */
export function arrowPlan(column: ResultColumn): ColumnPlan {
  return (byOid[column.oid] ?? text)(column);
}

/**
 * Writes the rows `next` hands over to `file` as an Arrow IPC stream: record batches of up to
 * 65,536 rows (fewer when their text is large), so memory stays bounded. Returns the rows written.
 */
export async function writeArrowStream(
  next: RowSource,
  columns: readonly ResultColumn[],
  file: string,
): Promise<number> {
  const plans = columns.map(arrowPlan);
  const variable = plans.flatMap((p, i) => (p.variable ? [i] : []));
  const schema = new Schema(columns.map((c, i) => new Field(c.name, plans[i]!.type, true)));
  const writer = new RecordBatchStreamWriter();
  const out = createWriteStream(file);
  // Watched from the start: a write error (a full disk) or a failed query ends it, and neither
  // may surface later as an unhandled error.
  const written = pipeline(writer.toNodeStream(), out);
  written.catch(() => undefined);
  let rows = 0;
  try {
    let pending: (readonly (string | null)[])[] = [];
    let chars = 0;
    const flush = () => {
      const children = plans.map((p, i) => p.data(pending, i));
      const data = makeData({ type: new Struct(schema.fields), length: pending.length, nullCount: 0, children });
      writer.write(new RecordBatch(schema, data));
      rows += pending.length;
      pending = [];
      chars = 0;
    };
    for (let batch = await next(); batch !== undefined; batch = await next()) {
      for (const row of batch) {
        pending.push(row);
        for (const i of variable) chars += row[i]?.length ?? 0;
        if (pending.length >= batchRows || chars >= batchChars) flush();
      }
    }
    if (pending.length > 0 || rows === 0) flush();
    writer.finish();
    await written;
    return rows;
  } catch (e) {
    out.destroy(e instanceof Error ? e : new Error(String(e)));
    writer.close();
    await written.catch(() => undefined);
    throw e;
  }
}
