import { createWriteStream, type WriteStream } from "node:fs";
import type { Flow } from "./result-column.js";

/**
 * A result file written in pieces, pausing the copy while the disk is behind (the server's rows
 * then wait in the socket, not in memory). The first write error is kept and thrown by `end`.
 */
export class FileOut {
  private readonly out: WriteStream;
  private failure: Error | undefined;
  private paused = false;

  constructor(
    file: string,
    private readonly flow: Flow,
  ) {
    this.out = createWriteStream(file);
    this.out.on("error", (e) => {
      this.failure ??= e;
      this.resume();
    });
    this.out.on("drain", () => this.resume());
  }

  /** The stream's own pipes (Arrow's writer) watch it too. */
  get stream(): WriteStream {
    return this.out;
  }

  write(chunk: Uint8Array): void {
    if (this.failure) return;
    if (!this.out.write(chunk) && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
  }

  /** Pauses the copy when the stream has more buffered than it wants (writes that bypass `write`). */
  checkBacklog(): void {
    if (this.out.writableNeedDrain && !this.paused) {
      this.paused = true;
      this.flow.pause();
    }
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.flow.resume();
  }

  async end(): Promise<void> {
    if (!this.failure) await new Promise<void>((resolve) => this.out.end(() => resolve()));
    this.resume();
    if (this.failure) throw this.failure;
  }

  /** Stops writing (the copy failed); the caller removes the file. */
  async abort(): Promise<void> {
    this.resume();
    if (this.out.closed) return;
    await new Promise<void>((resolve) => {
      this.out.once("close", () => resolve());
      this.out.destroy();
    });
  }
}
