import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { InputError } from "@quanta/core";
import { serverKey } from "./server-url.js";

/** What `quanta login` keeps per server. */
export interface StoredCredential {
  token: string;
  user: string;
  savedAt: string;
}
interface CredentialsFile {
  servers: Record<string, StoredCredential>;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/quanta/credentials.json`, by default `~/.config/quanta/credentials.json`. */
export function credentialsPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "quanta", "credentials.json");
}

/** The key a server's credential is stored under: its URL without a trailing slash. */
export { serverKey };

async function load(file: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { servers: {} };
  }
  try {
    const parsed = JSON.parse(text) as Partial<CredentialsFile>;
    return { servers: parsed.servers && typeof parsed.servers === "object" ? parsed.servers : {} };
  } catch {
    throw new InputError(`${file} is not valid JSON; fix or delete it, then run quanta login again`);
  }
}

async function save(file: string, data: CredentialsFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists: tighten it in any case.
  await chmod(file, 0o600);
}

export async function storeCredential(
  server: string,
  credential: StoredCredential,
  env: Env = process.env,
): Promise<string> {
  const file = credentialsPath(env);
  const data = await load(file);
  data.servers[serverKey(server)] = credential;
  await save(file, data);
  return file;
}

/** Removes the server's credential; false when there was none. */
export async function removeCredential(server: string, env: Env = process.env): Promise<boolean> {
  const file = credentialsPath(env);
  const data = await load(file);
  const key = serverKey(server);
  if (!data.servers[key]) return false;
  delete data.servers[key];
  await save(file, data);
  return true;
}

/** The token to send to `server`: `$QUANTA_TOKEN` wins, then what `quanta login` stored. */
export async function tokenFor(server: string, env: Env = process.env): Promise<string | undefined> {
  const fromEnv = env.QUANTA_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  return (await load(credentialsPath(env))).servers[serverKey(server)]?.token;
}
