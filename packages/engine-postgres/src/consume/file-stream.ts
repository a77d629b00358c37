import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { ConsumeOutcome, ConsumeStream } from "@quanta/core/engines";

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";

export interface WrittenResult {
  file: string;
  contentType: string;
  columns: { name: string; type: string }[];
  rows: number;
  truncated: boolean;
  /** `performance.now()` when the read started. */
  started: number;
  prefix?: string;
  suffix?: string;
}

/**
 * Streams `prefix`, the result file and `suffix`; settles `done` and removes the file when the
 * body has been sent, cancelled or failed. The query is over by now: a slow client holds a file,
 * not a connection to the server.
 */
export function fileStream(r: WrittenResult): ConsumeStream {
  const encoder = new TextEncoder();
  const parts: (Uint8Array | "file")[] = [
    ...(r.prefix ? [encoder.encode(r.prefix)] : []),
    "file",
    ...(r.suffix ? [encoder.encode(r.suffix)] : []),
  ];
  let bytes = 0;
  let reader: AsyncIterator<Buffer> | undefined;
  let finished = false;
  let settle: (o: ConsumeOutcome) => void = () => {};
  const done = new Promise<ConsumeOutcome>((resolve) => {
    settle = resolve;
  });
  const finish = async (error?: string) => {
    if (finished) return;
    finished = true;
    await reader?.return?.();
    await rm(r.file, { force: true }).catch(() => {});
    settle({
      rows: r.rows,
      bytes,
      durationMs: performance.now() - r.started,
      truncated: r.truncated,
      ...(error ? { error } : {}),
    });
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const part = parts[0];
            if (part === undefined) {
              controller.close();
              await finish();
              return;
            }
            if (part !== "file") {
              parts.shift();
              bytes += part.length;
              controller.enqueue(part);
              return;
            }
            reader ??= createReadStream(r.file, { highWaterMark: 1024 * 1024 })[Symbol.asyncIterator]();
            const next = await reader.next();
            if (next.done) {
              parts.shift();
              continue;
            }
            bytes += next.value.length;
            controller.enqueue(next.value);
            return;
          }
        } catch (e) {
          controller.error(e);
          await finish(message(e));
        }
      },
      async cancel() {
        await finish("the client stopped reading");
      },
    },
    { highWaterMark: 1 },
  );
  return { contentType: r.contentType, columns: r.columns, body, done };
}
