import { FileOut } from "./file-out.js";
import type { Flow, ResultColumn, ResultWriter, Written } from "./result-column.js";

/** Bytes gathered before a write to the file. */
const chunkBytes = 1024 * 1024;

const comma = 0x2c;
const quote = 0x22;
const cr = 0x0d;
const lf = 0x0a;

/** CSV field per RFC 4180: quoted when it holds a comma, quote or line break; an empty string quoted, so it differs from NULL. */
export function csvField(v: string): string {
  return v === "" ? '""' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/** Bytes appended to a buffer that goes to the file whenever it fills. */
class Chunks {
  private buffer = Buffer.allocUnsafe(chunkBytes);
  private used = 0;

  constructor(private readonly out: FileOut) {}

  reserve(n: number): void {
    if (this.used + n <= this.buffer.length) return;
    this.flush();
    if (n > this.buffer.length) this.buffer = Buffer.allocUnsafe(n);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buffer[this.used++] = b;
  }

  bytes(from: Buffer, start: number, length: number): void {
    this.reserve(length);
    // Short values byte by byte: Buffer.copy's call costs more than the copy itself there.
    if (length <= 32) for (let k = 0; k < length; k++) this.buffer[this.used + k] = from[start + k]!;
    else from.copy(this.buffer, this.used, start, start + length);
    this.used += length;
  }

  text(s: string): void {
    const b = Buffer.from(s, "utf8");
    this.bytes(b, 0, b.length);
  }

  /** A field quoted, its quotes doubled. */
  quoted(from: Buffer, start: number, length: number): void {
    this.reserve(2 * length + 2);
    this.buffer[this.used++] = quote;
    for (let i = start; i < start + length; i++) {
      const b = from[i]!;
      this.buffer[this.used++] = b;
      if (b === quote) this.buffer[this.used++] = quote;
    }
    this.buffer[this.used++] = quote;
  }

  flush(): void {
    if (this.used === 0) return;
    // The file keeps this buffer until written: a fresh one for what follows.
    this.out.write(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.used = 0;
  }
}

abstract class TextWriter implements ResultWriter {
  protected readonly out: FileOut;
  protected readonly chunks: Chunks;
  protected rows = 0;
  protected truncated = false;

  constructor(
    file: string,
    flow: Flow,
    protected readonly limit: number,
  ) {
    this.out = new FileOut(file, flow);
    this.chunks = new Chunks(this.out);
  }

  add(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    // The statement reads one row past the limit, which tells a complete result from a truncated one.
    if (this.rows === this.limit) {
      this.truncated = true;
      return;
    }
    this.row(buffer, starts, lengths);
    this.rows++;
  }

  protected abstract row(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void;
  protected close(): void {}

  async end(error?: unknown): Promise<Written> {
    if (error !== undefined) {
      await this.out.abort();
      throw error;
    }
    this.close();
    this.chunks.flush();
    await this.out.end();
    return { rows: this.rows, truncated: this.truncated };
  }
}

/**
 * CSV: a header, then RFC 4180 records with CRLF line ends, from rows whose every field the
 * statement turned into text (booleans `true`/`false`, arrays and records JSON): NULL is an empty
 * field, an empty string `""`.
 */
export class CsvWriter extends TextWriter {
  constructor(file: string, flow: Flow, limit: number, columns: readonly ResultColumn[]) {
    super(file, flow, limit);
    this.chunks.text(`${columns.map((c) => csvField(c.name)).join(",")}\r\n`);
  }

  protected row(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    const n = starts.length;
    for (let i = 0; i < n; i++) {
      if (i > 0) this.chunks.byte(comma);
      const length = lengths[i]!;
      if (length < 0) continue;
      const start = starts[i]!;
      if (length === 0) {
        this.chunks.byte(quote);
        this.chunks.byte(quote);
        continue;
      }
      let special = false;
      for (let k = start; k < start + length; k++) {
        const b = buffer[k];
        if (b === comma || b === quote || b === cr || b === lf) {
          special = true;
          break;
        }
      }
      if (special) this.chunks.quoted(buffer, start, length);
      else this.chunks.bytes(buffer, start, length);
    }
    this.chunks.byte(cr);
    this.chunks.byte(lf);
  }
}

/** The JSON array of the rows' objects, each written by the server (`row_to_json`). */
export class JsonWriter extends TextWriter {
  constructor(file: string, flow: Flow, limit: number) {
    super(file, flow, limit);
    this.chunks.byte(0x5b); // [
  }

  protected row(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    if (this.rows > 0) this.chunks.byte(comma);
    this.chunks.byte(lf);
    this.chunks.bytes(buffer, starts[0]!, lengths[0]!);
  }

  protected override close(): void {
    this.chunks.byte(lf);
    this.chunks.byte(0x5d); // ]
  }
}
