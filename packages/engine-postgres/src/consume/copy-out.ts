import type pg from "pg";

/** One row of a binary COPY: its fields as offsets into `buffer`, a length of −1 for NULL (one entry per column). */
export type TupleHandler = (buffer: Buffer, starts: Int32Array, lengths: Int32Array) => void;

/** `PGCOPY\n\377\r\n\0`, then a flags word and the header extension's length. */
const signatureBytes = 11;

interface Connection {
  parse(query: { text: string }): void;
  bind(config: object): void;
  execute(config: object): void;
  sync(): void;
  stream: { pause(): void; resume(): void };
}

/**
 * `COPY (<query>) TO STDOUT (FORMAT binary)` run by a pg client (a custom query, as pg-cursor is),
 * each row handed to `onTuple` as it arrives: no JavaScript value per cell, only the bytes the
 * server sent (fixed-width numbers in network order, text as UTF-8). The statement goes through the
 * extended protocol, so the server refuses a second statement in it. The handler runs inside the
 * driver's message handling: it must copy what it keeps (the driver reuses its buffer) and not throw
 * (an exception is kept and fails the copy when the server is done).
 */
export class BinaryCopyOut {
  readonly done: Promise<number>;
  private resolve: (rows: number) => void = () => {};
  private reject: (e: unknown) => void = () => {};
  private connection: Connection | undefined;
  private headerRead = false;
  private failure: unknown;
  private settled = false;
  private rows = 0;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;

  constructor(
    private readonly text: string,
    private readonly fields: number,
    private readonly onTuple: TupleHandler,
  ) {
    this.starts = new Int32Array(fields);
    this.lengths = new Int32Array(fields);
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.done.catch(() => undefined);
  }

  submit(connection: pg.Connection): void {
    const con = connection as unknown as Connection;
    this.connection = con;
    con.parse({ text: this.text });
    con.bind({});
    con.execute({});
    con.sync();
  }

  /** Stops reading the server's answer (the file behind is full), until `resume`. */
  pause(): void {
    this.connection?.stream.pause();
  }

  resume(): void {
    this.connection?.stream.resume();
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.failure !== undefined) return;
    try {
      this.read(msg.chunk);
    } catch (e) {
      this.failure = e;
    }
  }

  private read(b: Buffer): void {
    let o = 0;
    if (!this.headerRead) {
      o = signatureBytes + 4;
      o += 4 + b.readInt32BE(o);
      this.headerRead = true;
    }
    while (o < b.length) {
      const fields = b.readInt16BE(o);
      o += 2;
      if (fields < 0) return; // the trailer
      if (fields !== this.fields) throw new Error(`a row of ${fields} fields where ${this.fields} were described`);
      for (let i = 0; i < fields; i++) {
        const length = b.readInt32BE(o);
        o += 4;
        this.starts[i] = o;
        this.lengths[i] = length;
        if (length > 0) o += length;
      }
      this.rows++;
      this.onTuple(b, this.starts, this.lengths);
    }
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.failure !== undefined) this.reject(this.failure);
    else this.resolve(this.rows);
  }

  /**
   * The server's error (or a lost connection). The driver forgets this query before the
   * ReadyForQuery that follows, so it settles here.
   */
  handleError(e: unknown): void {
    this.connection?.stream.resume();
    if (this.settled) return;
    this.settled = true;
    this.reject(e);
  }

  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}
