import { InputError } from "@quanta/core";

/**
 * A `--server` value as the console uses it everywhere (requests, stored credentials): an http(s)
 * URL without a trailing slash.
 */
export function serverKey(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new InputError(`--server must be a URL like http://localhost:8080 (got "${server}")`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InputError(`--server must be an http(s) URL (got "${server}")`);
  return url.toString().replace(/\/+$/, "");
}
