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
import { FileOut } from "./file-out.js";
import type { Flow, ResultColumn, ResultWriter, Written } from "./result-column.js";

/** Rows per Arrow record batch… */
const batchRows = 65_536;
/** …or fewer, once its text and binary values reach this many bytes. */
const batchBytes = 32 * 1024 * 1024;

const two32 = 4_294_967_296;
/** 2000-01-01, PostgreSQL's epoch, in days and microseconds since 1970-01-01. */
const epochDays = 10_957;
const epochMicros = 946_684_800_000_000;
const epochHi = Math.floor(epochMicros / two32);
const epochLo = epochMicros - epochHi * two32;

/**
 * One column of the batch being built, from the server's binary values (network byte order), as
 * Arrow lays it out. `append` copies what it keeps: the buffer is the driver's.
 */
interface ColumnBuilder {
  readonly type: DataType;
  append(b: Buffer, start: number, length: number): void;
  /** The batch's Data, and a fresh start for the next batch. */
  finish(): Data;
  /** Bytes of variable-width values so far. */
  readonly bytes: number;
}

/** Validity bits (least significant first), kept as values arrive. */
class Validity {
  bits = new Uint8Array(batchRows >> 3);
  nulls = 0;
  length = 0;

  next(valid: boolean): number {
    const i = this.length++;
    if (valid) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.nulls++;
    return i;
  }

  take(): { length: number; nullCount: number; nullBitmap: Uint8Array | undefined } {
    const taken = { length: this.length, nullCount: this.nulls, nullBitmap: this.nulls > 0 ? this.bits : undefined };
    this.bits = new Uint8Array(batchRows >> 3);
    this.nulls = 0;
    this.length = 0;
    return taken;
  }
}

type Fixed = Int16Array | Int32Array | Float32Array | Float64Array | Uint8Array;

/** Fixed-width values of one element each. */
function fixed<A extends Fixed>(
  type: DataType,
  array: new (n: number) => A,
  read: (b: Buffer, start: number) => number,
): ColumnBuilder {
  const validity = new Validity();
  let data = new array(batchRows);
  return {
    type,
    bytes: 0,
    append(b, start, length) {
      const i = validity.next(length >= 0);
      if (length >= 0) data[i] = read(b, start);
    },
    finish() {
      const v = validity.take();
      const done = data.subarray(0, v.length);
      data = new array(batchRows);
      // biome-ignore lint/suspicious/noExplicitAny: makeData is overloaded per type; each builder pairs them
      return makeData({ type, ...v, data: done } as any);
    },
  };
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * 64-bit values as two 32-bit words (no BigInt per value). `adjust` maps the server's words
 * (high, low) to the value's (timestamps move to the Unix epoch).
 */
function int64s(type: DataType, adjust?: (hi: number, lo: number, out: Int32Array, i: number) => void): ColumnBuilder {
  if (!littleEndian) throw new Error("Arrow output needs a little-endian machine");
  const validity = new Validity();
  let data = new BigInt64Array(batchRows);
  let words = new Int32Array(data.buffer);
  return {
    type,
    bytes: 0,
    append(b, start, length) {
      const i = validity.next(length >= 0);
      if (length < 0) return;
      const hi = b.readInt32BE(start);
      const lo = b.readUInt32BE(start + 4);
      if (adjust) adjust(hi, lo, words, i);
      else {
        words[2 * i] = lo | 0;
        words[2 * i + 1] = hi;
      }
    },
    finish() {
      const v = validity.take();
      const done = data.subarray(0, v.length);
      data = new BigInt64Array(batchRows);
      words = new Int32Array(data.buffer);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return makeData({ type, ...v, data: done } as any);
    },
  };
}

/**
 * Microseconds since 2000-01-01 → since 1970-01-01; ±infinity (the largest and smallest 64-bit
 * values) as ±(2^63 − 1), as DuckDB's Arrow sends them.
 */
function toUnixMicros(hi: number, lo: number, out: Int32Array, i: number): void {
  if (hi === 0x7fff_ffff && lo === 0xffff_ffff) {
    out[2 * i] = -1;
    out[2 * i + 1] = 0x7fff_ffff;
  } else if (hi === -0x8000_0000 && lo === 0) {
    out[2 * i] = 1;
    out[2 * i + 1] = -0x8000_0000;
  } else {
    const sum = lo + epochLo;
    const carry = sum >= two32 ? 1 : 0;
    out[2 * i] = (sum - carry * two32) | 0;
    out[2 * i + 1] = (hi + epochHi + carry) | 0;
  }
}

/** Days since 2000-01-01 → since 1970-01-01; ±infinity stay the largest and smallest 32-bit values. */
function toUnixDays(b: Buffer, start: number): number {
  const days = b.readInt32BE(start);
  return days === 0x7fff_ffff || days === -0x8000_0000 ? days : days + epochDays;
}

/** Variable-width values: offsets into one byte buffer, copied as the server sent them. */
function variable(type: DataType): ColumnBuilder {
  const validity = new Validity();
  let offsets = new Int32Array(batchRows + 1);
  let data = new Uint8Array(1024 * 1024);
  let used = 0;
  return {
    type,
    get bytes() {
      return used;
    },
    append(b, start, length) {
      const i = validity.next(length >= 0);
      if (length > 0) {
        if (used + length > data.length) {
          const grown = new Uint8Array(Math.max(data.length * 2, used + length));
          grown.set(data.subarray(0, used));
          data = grown;
        }
        // Short values byte by byte: Buffer.copy's call costs more than the copy itself there.
        if (length <= 32) for (let k = 0; k < length; k++) data[used + k] = b[start + k]!;
        else b.copy(data, used, start, start + length);
        used += length;
      }
      offsets[i + 1] = used;
    },
    finish() {
      const v = validity.take();
      const made = makeData({
        type,
        ...v,
        valueOffsets: offsets.subarray(0, v.length + 1),
        data: data.subarray(0, used),
        // biome-ignore lint/suspicious/noExplicitAny: as above
      } as any);
      offsets = new Int32Array(batchRows + 1);
      data = new Uint8Array(Math.max(1024 * 1024, used));
      used = 0;
      return made;
    },
  };
}

const pow10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * `numeric(p, s)` as a 128-bit decimal: the unscaled value, two's complement, little-endian 32-bit
 * words, from the server's base-10000 digits (`ndigits`, `weight`, `sign`, `dscale`, digits).
 * NaN and ±infinity have no decimal and are sent as null.
 */
function decimal(precision: number, scale: number): ColumnBuilder {
  const type = new Decimal(scale, precision, 128);
  const validity = new Validity();
  let data = new Uint32Array(batchRows * 4);
  return {
    type,
    bytes: 0,
    append(b, start, length) {
      const sign = length >= 8 ? b.readUInt16BE(start + 4) : 0;
      const finite = length >= 8 && (sign === 0 || sign === 0x4000);
      const i = validity.next(finite);
      if (!finite) return;
      const ndigits = b.readInt16BE(start);
      const weight = b.readInt16BE(start + 2);
      const negative = sign === 0x4000;
      // Decimal digits of the unscaled value: 4 per base-10000 digit before the point, then `scale`.
      if (4 * (weight + 1) + scale <= 15) {
        let n = 0;
        for (let k = 0; k < ndigits; k++) {
          const digit = b.readInt16BE(start + 8 + 2 * k);
          const exponent = 4 * (weight - k) + scale;
          n += exponent >= 0 ? digit * pow10[exponent]! : Math.trunc(digit / pow10[-exponent]!);
        }
        if (negative) n = -n;
        const hi = Math.floor(n / two32);
        data[i * 4] = n - hi * two32;
        data[i * 4 + 1] = hi >>> 0;
        data[i * 4 + 2] = data[i * 4 + 3] = n < 0 ? 0xffff_ffff : 0;
      } else {
        let n = 0n;
        for (let k = 0; k < ndigits; k++) {
          const digit = BigInt(b.readInt16BE(start + 8 + 2 * k));
          const exponent = 4 * (weight - k) + scale;
          n += exponent >= 0 ? digit * 10n ** BigInt(exponent) : digit / 10n ** BigInt(-exponent);
        }
        let unscaled = BigInt.asUintN(128, negative ? -n : n);
        for (let w = 0; w < 4; w++) {
          data[i * 4 + w] = Number(unscaled & 0xffff_ffffn);
          unscaled >>= 32n;
        }
      }
    },
    finish() {
      const v = validity.take();
      const done = data.subarray(0, v.length * 4);
      data = new Uint32Array(batchRows * 4);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return makeData({ type, ...v, data: done } as any);
    },
  };
}

/** `numeric(p, s)`'s precision and scale from its type modifier, when a 128-bit decimal holds it. */
function decimalOf(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const precision = ((typmod - 4) >> 16) & 0xffff;
  // PostgreSQL 15+ stores a negative scale sign-extended from 11 bits.
  const scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
  return precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision ? { precision, scale } : undefined;
}

const booleans = (): ColumnBuilder => {
  const type = new Bool();
  const validity = new Validity();
  let data = new Uint8Array(batchRows >> 3);
  return {
    type,
    bytes: 0,
    append(b, start, length) {
      const i = validity.next(length >= 0);
      if (length >= 0 && b[start] !== 0) data[i >> 3]! |= 1 << (i & 7);
    },
    finish() {
      const v = validity.take();
      const done = data;
      data = new Uint8Array(batchRows >> 3);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return makeData({ type, ...v, data: done } as any);
    },
  };
};

/** Built-in type OIDs (pg_type.oid, fixed across servers) read as binary, and their Arrow builders. */
const byOid: Record<number, (c: ResultColumn) => ColumnBuilder | undefined> = {
  16: booleans,
  17: () => variable(new Binary()),
  20: () => int64s(new Int64()),
  21: () => fixed(new Int16(), Int16Array, (b, o) => b.readInt16BE(o)),
  23: () => fixed(new Int32(), Int32Array, (b, o) => b.readInt32BE(o)),
  25: () => variable(new Utf8()),
  700: () => fixed(new Float32(), Float32Array, (b, o) => b.readFloatBE(o)),
  701: () => fixed(new Float64(), Float64Array, (b, o) => b.readDoubleBE(o)),
  1043: () => variable(new Utf8()),
  1082: () => fixed(new DateDay(), Int32Array, toUnixDays),
  1114: () => int64s(new TimestampMicrosecond(), toUnixMicros),
  1184: () => int64s(new TimestampMicrosecond("UTC"), toUnixMicros),
  1700: (c) => {
    const d = decimalOf(c.typmod);
    return d ? decimal(d.precision, d.scale) : undefined;
  },
};

/**
 * Whether the column is read in its binary form (else the statement casts it to text): integers of
 * each width, floats, booleans, dates (days), timestamps (microseconds, `timestamptz` in UTC),
 * `numeric(p, s)` up to 38 digits (128-bit decimals), `bytea` (binary), text and varchar. Everything
 * else (unconstrained `numeric`, json, jsonb, arrays and records as JSON, uuid, time, interval …)
 * is UTF-8 text.
 */
export function readsBinary(column: ResultColumn): boolean {
  return column.oid === 1700 ? decimalOf(column.typmod) !== undefined : Object.hasOwn(byOid, column.oid);
}

const builderOf = (c: ResultColumn): ColumnBuilder => byOid[c.oid]?.(c) ?? variable(new Utf8());

/**
 * Writes the rows of a binary COPY into `file` as an Arrow IPC stream
 * (`application/vnd.apache.arrow.stream`): record batches of up to 65,536 rows (fewer when their
 * text is large), built straight from the server's bytes.
 */
export class ArrowWriter implements ResultWriter {
  private readonly builders: ColumnBuilder[];
  private readonly variable: ColumnBuilder[];
  private readonly schema: Schema;
  private readonly writer = new RecordBatchStreamWriter();
  private readonly out: FileOut;
  private readonly written: Promise<void>;
  private pending = 0;
  private rows = 0;

  constructor(file: string, flow: Flow, columns: readonly ResultColumn[]) {
    this.builders = columns.map(builderOf);
    this.variable = this.builders.filter((b) => b.type instanceof Utf8 || b.type instanceof Binary);
    this.schema = new Schema(columns.map((c, i) => new Field(c.name, this.builders[i]!.type, true)));
    this.out = new FileOut(file, flow);
    // Watched from the start: a write error (a full disk) or a failed query ends it, and neither
    // may surface later as an unhandled error.
    this.written = pipeline(this.writer.toNodeStream(), this.out.stream);
    this.written.catch(() => undefined);
  }

  add(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    const builders = this.builders;
    for (let i = 0; i < builders.length; i++) builders[i]!.append(buffer, starts[i]!, lengths[i]!);
    if (++this.pending >= batchRows || this.variable.some((b) => b.bytes >= batchBytes)) this.flush();
  }

  private flush(): void {
    const children = this.builders.map((b) => b.finish());
    const data = makeData({ type: new Struct(this.schema.fields), length: this.pending, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema, data));
    this.rows += this.pending;
    this.pending = 0;
    this.out.checkBacklog();
  }

  async end(error?: unknown): Promise<Written> {
    if (error !== undefined) {
      this.writer.close();
      await this.out.abort();
      await this.written.catch(() => undefined);
      throw error;
    }
    if (this.pending > 0 || this.rows === 0) this.flush();
    this.writer.finish();
    await this.written;
    return { rows: this.rows, truncated: false };
  }
}
