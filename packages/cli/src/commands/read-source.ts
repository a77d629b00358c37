import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { formatLimits, type ImportInput, type Issue, inputIssue } from "@quanta/core";
import { CommandError } from "../exit-codes.js";
import type { Io } from "../io.js";

const tooLarge = (file: string, bytes: number) =>
  inputIssue(
    file,
    "file-too-large",
    `${bytes > formatLimits.maxBytes * 1.5 ? `is ${(bytes / 1024 / 1024).toFixed(1)} MiB` : "is larger than the limit"}; the limit is ${formatLimits.maxBytes / 1024 / 1024} MiB`,
  );

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

/**
 * The bytes of what `quanta import` was given: a file, or an http(s) URL fetched with a time limit
 * and read no further than the size limit (a huge or endless answer is refused, not buffered).
 */
export async function readSource(io: Io, source: string, timeoutMs = 30_000): Promise<ImportInput | Issue> {
  if (isUrl(source)) return readUrl(source, timeoutMs);
  const absolute = resolve(io.cwd, source);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new CommandError(
      error.code === "ENOENT" ? `no such file or directory: ${source}` : `cannot read ${source}: ${error.message}`,
    );
  });
  if (!info.isFile()) throw new CommandError(`${source}: not a file`);
  if (info.size > formatLimits.maxBytes) return tooLarge(source, info.size);
  return { file: source, bytes: await readFile(absolute) };
}

async function readUrl(url: string, timeoutMs: number): Promise<ImportInput | Issue> {
  const shown = redact(url);
  // Credentials in the URL go in an Authorization header: fetch refuses them in the URL, and no
  // message may repeat them.
  const parsed = new URL(url);
  const headers: Record<string, string> = {};
  if (parsed.username || parsed.password) {
    const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString("base64")}`;
  }
  let response: Response;
  try {
    response = await fetch(shown, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow", headers });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : causeOf(error);
    throw new CommandError(`cannot fetch ${shown}: ${reason.replaceAll(url, shown)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new CommandError(
      `cannot fetch ${shown}: the server answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > formatLimits.maxBytes) {
    await response.body?.cancel();
    return tooLarge(shown, declared);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > formatLimits.maxBytes) {
      await reader.cancel();
      return tooLarge(shown, size);
    }
    chunks.push(value);
  }
  return { file: shown, bytes: Buffer.concat(chunks) };
}

/** A URL as it may be shown: without user info (a token or password in it stays out of messages). */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    // Unparsable (a password with a `/` in it): everything up to the last `@` goes.
    return url.replace(/:\/\/\S*@/, "://");
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
