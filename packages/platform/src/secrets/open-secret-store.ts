import { join } from "node:path";
import type { Database, DriverName } from "../storage/database.js";
import { parseSecretsKey, SecretKey, type SecretKeySource, secretsKeyFile, secretsKeyVariable } from "./secret-key.js";
import { SecretStore, type SecretStoreOptions } from "./secret-store.js";

export interface OpenSecretStoreOptions extends SecretStoreOptions {
  /** The platform's data directory: without `QUANTA_SECRETS_KEY`, an embedded platform keeps `secrets.key` there. */
  dataDir?: string | undefined;
  /** Where the metadata lives (default: the database's driver). */
  driver?: DriverName | undefined;
  /** Where `QUANTA_SECRETS_KEY` is read (default: the process environment). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * The platform's secret store, called once at start-up. The key: `QUANTA_SECRETS_KEY` when set (a
 * malformed one throws here, before the server serves); otherwise an embedded (PGlite) platform's
 * `<dataDir>/secrets.key`, made on the first secret stored; an in-memory store without a data
 * directory gets a key that lives as long as it does. On PostgreSQL without the variable there is
 * no key: secrets cannot be stored (422), since each replica would make its own.
 */
export function openSecretStore(db: Database, options: OpenSecretStoreOptions = {}): SecretStore {
  const raw = (options.env ?? process.env)[secretsKeyVariable];
  const driver = options.driver ?? db.driver;
  let source: SecretKeySource;
  if (raw !== undefined) source = { kind: "variable", key: parseSecretsKey(raw, secretsKeyVariable) };
  else if (driver === "postgres") source = { kind: "none" };
  else if (options.dataDir) source = { kind: "file", path: join(options.dataDir, secretsKeyFile) };
  else source = { kind: "ephemeral" };
  return new SecretStore(db, new SecretKey(source), options);
}
