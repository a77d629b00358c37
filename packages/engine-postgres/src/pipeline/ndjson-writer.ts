import { FileOut } from "../consume/file-out.js";
import type { Flow, ResultWriter, Written } from "../consume/result-column.js";

const chunkBytes = 1024 * 1024;
const lf = 0x0a;

/** One JSON object per line, each the only field of a row (`row_to_json(…)::text`) as the server wrote it. */
export class NdjsonWriter implements ResultWriter {
  private readonly out: FileOut;
  private buffer = Buffer.allocUnsafe(chunkBytes);
  private used = 0;
  private rows = 0;

  constructor(file: string, flow: Flow) {
    this.out = new FileOut(file, flow);
  }

  add(buffer: Buffer, starts: Int32Array, lengths: Int32Array): void {
    const start = starts[0] ?? 0;
    const length = lengths[0] ?? -1;
    if (length < 0) return;
    if (this.used + length + 1 > this.buffer.length) {
      this.flush();
      if (length + 1 > this.buffer.length) this.buffer = Buffer.allocUnsafe(length + 1);
    }
    buffer.copy(this.buffer, this.used, start, start + length);
    this.used += length;
    this.buffer[this.used++] = lf;
    this.rows++;
  }

  private flush(): void {
    if (this.used === 0) return;
    // The file keeps this buffer until written: a fresh one for what follows.
    this.out.write(this.buffer.subarray(0, this.used));
    this.buffer = Buffer.allocUnsafe(chunkBytes);
    this.used = 0;
  }

  async end(error?: unknown): Promise<Written> {
    if (error !== undefined) {
      await this.out.abort();
      throw error;
    }
    this.flush();
    await this.out.end();
    return { rows: this.rows, truncated: false };
  }
}
