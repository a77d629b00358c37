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
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
} from "apache-arrow";
import { type DuckDBConnection, type DuckDBDataChunk, DuckDBTypeId, type DuckDBValue } from "../duckdb-api.js";

/** A result column as the prepared statement describes it. */
export interface ResultColumn {
  name: string;
  typeId: DuckDBTypeId;
  /** DECIMAL only. */
  width?: number;
  scale?: number;
}

/** Rows per Arrow record batch (DuckDB hands over 2,048 at a time)… */
const batchRows = 65_536;
/** …or fewer, once its text and binary values reach this many characters or bytes. */
const batchBytes = 32 * 1024 * 1024;

type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** A fixed-width column of one chunk, copied out of DuckDB's memory as it lies: values and validity bits. */
interface RawPart {
  items: TypedArray;
  /** Arrow's layout too (a bit per row, least significant first); undefined when every row is valid. */
  valid: Uint8Array | undefined;
}

/** One chunk's column as a plan keeps it until its batch is written. */
type Part = readonly DuckDBValue[] | RawPart;

/** A batch of one column's values: the chunks DuckDB handed over, in order (not copied into one array). */
type Values = readonly (readonly DuckDBValue[])[];

/**
 * How one DuckDB column becomes an Arrow column: the SQL that reads it (dates as days and
 * timestamps as microseconds since the epoch, types Arrow JS has no plain builder for as text), what
 * is kept of each chunk, and the Arrow data made from a batch of chunks.
 */
interface ColumnPlan {
  select: (quoted: string) => string;
  type: DataType;
  take: (chunk: DuckDBDataChunk, column: number) => Part;
  data: (parts: readonly Part[], length: number) => Data;
  /** The size of a variable-width part (characters or bytes), so batches stay bounded in memory. */
  weigh?: (part: Part) => number;
}

const valuesOf = (chunk: DuckDBDataChunk, column: number): Part => chunk.getColumnValues(column);

/** Calls `fn` with each value of a batch and its row. */
function each(values: Values, fn: (v: DuckDBValue, row: number) => void): void {
  let row = 0;
  for (const chunk of values) for (const v of chunk) fn(v, row++);
}

function validity(values: Values, length: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array((length + 7) >> 3);
  each(values, (v, i) => {
    if (v === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

/**
 * The column's values and validity as DuckDB's vector holds them, when it exposes them as the
 * expected typed array (its fixed-width vectors do): no JavaScript value per row. Undefined
 * otherwise, and the column is read value by value.
 */
export function rawColumn(
  chunk: DuckDBDataChunk,
  column: number,
  array: new (n: number) => TypedArray,
): RawPart | undefined {
  const vector = chunk.getColumnVector(column) as unknown as {
    items?: unknown;
    validity?: { data?: BigUint64Array | null };
  };
  const items = vector.items;
  if (!(items instanceof array) || !vector.validity || !("data" in vector.validity)) return undefined;
  const bits = vector.validity.data;
  const count = chunk.rowCount;
  return {
    items: (items as TypedArray).slice(0, count),
    valid: bits ? new Uint8Array(bits.buffer, bits.byteOffset, (count + 7) >> 3).slice() : undefined,
  };
}

function fixed<T extends DataType>(
  type: T,
  array: { new (n: number): TypedArray },
  convert: (v: DuckDBValue) => number | bigint,
): ColumnPlan {
  return {
    select: (c) => c,
    type,
    take: (chunk, column) => rawColumn(chunk, column, array) ?? valuesOf(chunk, column),
    data: (parts, length) => {
      const data = new array(length) as { [i: number]: number | bigint } & TypedArray;
      const bitmap = new Uint8Array((length + 7) >> 3).fill(0xff);
      let nullCount = 0;
      let offset = 0;
      const clear = (row: number) => {
        bitmap[row >> 3]! &= ~(1 << (row & 7));
        nullCount++;
      };
      for (const part of parts) {
        if (Array.isArray(part)) {
          part.forEach((v: DuckDBValue, r: number) => {
            if (v === null) clear(offset + r);
            else data[offset + r] = convert(v);
          });
          offset += part.length;
        } else {
          const { items, valid } = part as RawPart;
          (data as { set(a: TypedArray, o: number): void }).set(items, offset);
          if (valid)
            for (let r = 0; r < items.length; r++) if (((valid[r >> 3]! >> (r & 7)) & 1) === 0) clear(offset + r);
          offset += items.length;
        }
      }
      const nullBitmap = nullCount > 0 ? bitmap : undefined;
      // biome-ignore lint/suspicious/noExplicitAny: makeData is overloaded per type; the plan pairs them
      return makeData({ type, length, nullCount, nullBitmap, data } as any);
    },
  };
}

const num = (v: DuckDBValue) => Number(v);
const big = (v: DuckDBValue) => BigInt(v as bigint | number);
const encoder = new TextEncoder();

/** A plan that reads its column value by value and makes the Arrow buffers from a batch of them. */
function byValue(
  type: DataType,
  buffers: (values: Values, length: number) => object,
  select = (c: string) => c,
  weigh?: (part: Part) => number,
): ColumnPlan {
  return {
    select,
    type,
    take: valuesOf,
    ...(weigh ? { weigh } : {}),
    data: (parts, length) => {
      const values = parts as Values;
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return makeData({ type, length, ...validity(values, length), ...buffers(values, length) } as any);
    },
  };
}

/** Arrow's variable-width layout: offsets into one byte buffer. */
interface Offsets {
  valueOffsets: Int32Array;
  data: Uint8Array;
}

/**
 * UTF-8 of a batch of strings, encoded in one call. When no character took more than a byte, each
 * string's offset is its length; otherwise each string's UTF-8 length is counted. (Splitting the
 * joined encoding this way is exact because DuckDB's text is valid UTF-8: no lone surrogates that
 * joining could pair up.)
 */
function utf8(values: Values, length: number): Offsets {
  const strings: string[] = new Array(length);
  each(values, (v, i) => {
    strings[i] = v === null ? "" : String(v);
  });
  const joined = strings.join("");
  const data = new Uint8Array(Buffer.byteLength(joined, "utf8"));
  encoder.encodeInto(joined, data);
  const valueOffsets = new Int32Array(length + 1);
  const ascii = data.length === joined.length;
  for (let i = 0; i < length; i++) {
    const s = strings[i]!;
    valueOffsets[i + 1] = valueOffsets[i]! + (ascii ? s.length : Buffer.byteLength(s, "utf8"));
  }
  return { valueOffsets, data };
}

/** Characters of the text (or bytes of the blobs) in one chunk's values. */
function weight(part: Part): number {
  let n = 0;
  for (const v of part as readonly DuckDBValue[]) {
    if (typeof v === "string") n += v.length;
    else if (v !== null && typeof v === "object" && "bytes" in v) n += (v as { bytes: Uint8Array }).bytes.length;
  }
  return n;
}

function blobs(values: Values, length: number): Offsets {
  const parts: (Uint8Array | undefined)[] = new Array(length);
  const valueOffsets = new Int32Array(length + 1);
  each(values, (v, i) => {
    parts[i] = v === null ? undefined : (v as { bytes: Uint8Array }).bytes;
    valueOffsets[i + 1] = valueOffsets[i]! + (parts[i]?.length ?? 0);
  });
  const data = new Uint8Array(valueOffsets[length]!);
  parts.forEach((part, i) => {
    if (part) data.set(part, valueOffsets[i]!);
  });
  return { valueOffsets, data };
}

const text = (select?: (c: string) => string) => byValue(new Utf8(), utf8, select, weight);

/** DECIMAL as Arrow's 128-bit decimal: the unscaled value, two's complement, little-endian words. */
function decimal(width: number, scale: number): ColumnPlan {
  return byValue(new Decimal(scale, width, 128), (values, length) => {
    const data = new Uint32Array(length * 4);
    each(values, (v, i) => {
      if (v === null) return;
      let unscaled = BigInt.asUintN(128, (v as { value: bigint }).value);
      for (let w = 0; w < 4; w++) {
        data[i * 4 + w] = Number(unscaled & 0xffff_ffffn);
        unscaled >>= 32n;
      }
    });
    return { data };
  });
}

/** Booleans, a bit per row. */
const booleans = () =>
  byValue(new Bool(), (values, length) => {
    const data = new Uint8Array((length + 7) >> 3);
    each(values, (v, i) => {
      if (v === true) data[i >> 3]! |= 1 << (i & 7);
    });
    return { data };
  });

/** DuckDB's fixed-width numbers: the Arrow type, the typed array both hold them in, and the value conversion. */
const numbers = new Map<
  DuckDBTypeId,
  [() => DataType, new (n: number) => TypedArray, (v: DuckDBValue) => number | bigint]
>([
  [DuckDBTypeId.TINYINT, [() => new Int8(), Int8Array, num]],
  [DuckDBTypeId.SMALLINT, [() => new Int16(), Int16Array, num]],
  [DuckDBTypeId.INTEGER, [() => new Int32(), Int32Array, num]],
  [DuckDBTypeId.BIGINT, [() => new Int64(), BigInt64Array, big]],
  [DuckDBTypeId.UTINYINT, [() => new Uint8(), Uint8Array, num]],
  [DuckDBTypeId.USMALLINT, [() => new Uint16(), Uint16Array, num]],
  [DuckDBTypeId.UINTEGER, [() => new Uint32(), Uint32Array, num]],
  [DuckDBTypeId.UBIGINT, [() => new Uint64(), BigUint64Array, big]],
  [DuckDBTypeId.FLOAT, [() => new Float32(), Float32Array, num]],
  [DuckDBTypeId.DOUBLE, [() => new Float64(), Float64Array, num]],
]);

/**
 * Microseconds since the epoch; ±infinity as DuckDB stores them (the largest 64-bit value and its
 * negation), so they arrive as DuckDB's own Arrow export sends them rather than as nulls.
 */
const micros = (c: string) =>
  `CASE WHEN isinf(${c}) THEN (CASE WHEN ${c} > '1970-01-01' THEN 9223372036854775807 ELSE -9223372036854775807 END) ELSE epoch_us(${c}) END`;

function plan(column: ResultColumn): ColumnPlan {
  const t = DuckDBTypeId;
  const number = numbers.get(column.typeId);
  if (number) return fixed(number[0](), number[1], number[2]);
  switch (column.typeId) {
    case t.BOOLEAN:
      return booleans();
    case t.DATE:
      return { ...fixed(new DateDay(), Int32Array, num), select: (c) => `(${c} - DATE '1970-01-01')::INTEGER` };
    case t.TIMESTAMP:
    case t.TIMESTAMP_S:
    case t.TIMESTAMP_MS:
    case t.TIMESTAMP_NS:
      return { ...fixed(new TimestampMicrosecond(), BigInt64Array, big), select: (c) => micros(`${c}::TIMESTAMP`) };
    case t.TIMESTAMP_TZ:
      return { ...fixed(new TimestampMicrosecond("UTC"), BigInt64Array, big), select: micros };
    case t.DECIMAL:
      return decimal(column.width ?? 18, column.scale ?? 0);
    case t.VARCHAR:
      return text();
    case t.BLOB:
      return byValue(new Binary(), blobs, undefined, weight);
    default:
      // Time, interval, UUID, enums, nested and other types: their SQL text, as CSV shows them.
      return text((c) => `CAST(${c} AS VARCHAR)`);
  }
}

/**
 * Runs `sql` (already guarded and wrapped with its limit) and writes its rows to `file` as an
 * Arrow IPC stream (`application/vnd.apache.arrow.stream`): record batches of up to 65,536 rows,
 * read chunk by chunk so memory stays bounded. Returns the number of rows written.
 */
export async function writeArrowStream(
  conn: DuckDBConnection,
  sql: string,
  columns: readonly ResultColumn[],
  file: string,
  quoteIdentifier: (name: string) => string,
): Promise<number> {
  const plans = columns.map(plan);
  // Columns renamed positionally so duplicate names cannot collide; the schema keeps the real names.
  const aliases = columns.map((_, i) => quoteIdentifier(`c${i}`));
  const select = plans.map((p, i) => p.select(aliases[i]!));
  const schema = new Schema(columns.map((c, i) => new Field(c.name, plans[i]!.type, true)));
  const writer = new RecordBatchStreamWriter();
  const out = createWriteStream(file);
  // The file is written through a pipeline that is watched from the start: a write error (a full
  // disk) or a failed query ends it, and neither may surface later as an unhandled error.
  const written = pipeline(writer.toNodeStream(), out);
  written.catch(() => undefined);
  let rows = 0;
  try {
    const result = await conn.stream(
      `SELECT ${select.join(", ")} FROM (${sql}) AS arrow_result(${aliases.join(", ")})`,
    );
    let pending: Part[][] = columns.map(() => []);
    let pendingRows = 0;
    let pendingWeight = 0;
    const flush = () => {
      const children = plans.map((p, i) => p.data(pending[i]!, pendingRows));
      const data = makeData({ type: new Struct(schema.fields), length: pendingRows, nullCount: 0, children });
      writer.write(new RecordBatch(schema, data));
      rows += pendingRows;
      pending = columns.map(() => []);
      pendingRows = 0;
      pendingWeight = 0;
    };
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (let i = 0; i < columns.length; i++) {
        const part = plans[i]!.take(chunk, i);
        pendingWeight += plans[i]!.weigh?.(part) ?? 0;
        pending[i]!.push(part);
      }
      pendingRows += chunk.rowCount;
      if (pendingRows >= batchRows || pendingWeight >= batchBytes) flush();
    }
    if (pendingRows > 0 || rows === 0) flush();
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
