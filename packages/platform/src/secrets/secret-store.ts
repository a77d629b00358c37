import { InputError, NotFoundError } from "@quanta/core";
import { AuditLog } from "../audit/audit-log.js";
import { processVariables, type ResolvedVariables, type VariableSource } from "../harness/data-locator.js";
import type { Database } from "../storage/database.js";
import type { SecretKey } from "./secret-key.js";

/** The environment whose secrets apply in every environment (after the environment's own). */
export const anyEnvironment = "any";

/** What a secret may be called and how large it may be; the table's checks say the same. */
export const secretRules = {
  /** A name as `${NAME}` references it (RFC 0050 leaves the syntax open; this is the shell's). */
  name: /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
  /** A server's `environment` as contracts write it (prod, dev, eu-staging), or `any`. */
  environment: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  /** UTF-8 bytes of one value. */
  maxValueBytes: 64 * 1024,
} as const;

/** A secret as anyone may see it: where it applies and who set it, never its value. */
export interface SecretInfo {
  environment: string;
  name: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface SecretStoreOptions {
  /** How long values read from the table are reused (default 5 s); writes here forget them at once. */
  cacheMs?: number | undefined;
  /** Where a name no secret holds is looked up last (default: the process's `QUANTA_VAR_<NAME>`). */
  fallback?: VariableSource | undefined;
}

export const defaultSecretCacheMs = 5_000;

const columns = `environment, name, updated_at AS "updatedAt", updated_by AS "updatedBy"`;
const shown = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
/** The associated data of a value: NUL cannot occur in either part, so no two rows share it. */
const aad = (environment: string, name: string) => `${environment}\u0000${name}`;

function checkEnvironment(environment: string): void {
  if (!secretRules.environment.test(environment))
    throw new InputError(
      `${shown(environment)} is not an environment name: lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters (prod, eu-staging; "${anyEnvironment}" for every environment)`,
      { code: "invalid-secret-environment" },
    );
}

function checkName(name: string): void {
  if (!secretRules.name.test(name))
    throw new InputError(
      `${shown(name)} is not a secret name: a letter or "_", then letters, digits or "_", at most 128 characters (DB_PASSWORD), as a contract's server references it: \${DB_PASSWORD}`,
      { code: "invalid-secret-name" },
    );
}

/** Never names the value, nor any part of it. */
function checkValue(label: string, value: unknown): asserts value is string {
  const refuse = (why: string) =>
    new InputError(`the value of secret ${label} ${why}`, { code: "invalid-secret-value" });
  if (typeof value !== "string") throw refuse("must be a string");
  if (value === "") throw refuse("is empty (an empty value counts as unset; delete the secret instead)");
  if (value.includes("\u0000")) throw refuse("holds a NUL character");
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > secretRules.maxValueBytes)
    throw refuse(`is ${bytes} bytes of UTF-8; at most ${secretRules.maxValueBytes} (64 KiB)`);
}

interface Snapshot {
  at: number;
  /** `environment NUL name` → stored ciphertext. */
  stored: Map<string, string>;
  opened: Map<string, string>;
}

/**
 * The platform's secrets per environment (`platform_secrets`), encrypted at rest, and the variable
 * source `${NAME}` references of contract servers resolve in: the server's environment, then
 * `any`, then the process's `QUANTA_VAR_<NAME>` (ADR 0026). Every write is in the audit log, without
 * its value; no answer, message or log line of this class holds a value.
 */
export class SecretStore implements VariableSource {
  private cached: Snapshot | undefined;
  private loading: Promise<Snapshot> | undefined;
  /** Bumped by each write here, so a read that began before it is not kept. */
  private generation = 0;
  private readonly cacheMs: number;
  private readonly fallback: VariableSource;

  constructor(
    private readonly db: Database,
    private readonly key: SecretKey,
    options: SecretStoreOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? defaultSecretCacheMs;
    this.fallback = options.fallback ?? processVariables;
  }

  /** Every secret's environment, name and last change, by environment then name. */
  async list(): Promise<SecretInfo[]> {
    const { rows } = await this.db.query<SecretInfo>(
      `SELECT ${columns} FROM platform_secrets ORDER BY environment, name`,
    );
    return rows;
  }

  /** Stores (or replaces) a secret; `created` tells which. */
  async set(
    environment: string,
    name: string,
    value: unknown,
    actor: string | undefined,
  ): Promise<{ secret: SecretInfo; created: boolean }> {
    checkEnvironment(environment);
    checkName(name);
    checkValue(`${environment}/${name}`, value);
    const ciphertext = this.key.encrypt(aad(environment, name), value);
    const result = await this.db.transaction(async (tx) => {
      // xmax is 0 on a row this statement inserted, the updating transaction's id otherwise.
      const { rows } = await tx.query<SecretInfo & { created: boolean }>(
        `INSERT INTO platform_secrets (environment, name, ciphertext, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (environment, name)
           DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now(), updated_by = EXCLUDED.updated_by
         RETURNING ${columns}, (xmax = 0) AS created`,
        [environment, name, ciphertext, actor ?? null],
      );
      const { created, ...secret } = rows[0] as SecretInfo & { created: boolean };
      await new AuditLog(tx).append({
        actor: actor ?? "anonymous",
        action: "secret.set",
        decision: "recorded",
        details: { environment, name, created },
      });
      return { secret, created };
    });
    this.forget();
    return result;
  }

  async delete(environment: string, name: string, actor: string | undefined): Promise<void> {
    checkEnvironment(environment);
    checkName(name);
    await this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query("DELETE FROM platform_secrets WHERE environment = $1 AND name = $2", [
        environment,
        name,
      ]);
      if (rowCount === 0) throw new NotFoundError(`no secret ${name} in environment ${environment}`);
      await new AuditLog(tx).append({
        actor: actor ?? "anonymous",
        action: "secret.delete",
        decision: "recorded",
        details: { environment, name },
      });
    });
    this.forget();
  }

  /**
   * The variables a server of `environment` sees: its environment's secrets, then `any`'s, then
   * the fallback's. A secret this platform's key cannot open is an error naming it when (and only
   * when) a server references it.
   */
  async forEnvironment(environment: string | undefined): Promise<ResolvedVariables> {
    const [snapshot, fallback] = await Promise.all([this.current(), this.fallback.forEnvironment(environment)]);
    const order =
      environment === undefined || environment === anyEnvironment ? [anyEnvironment] : [environment, anyEnvironment];
    return {
      lookup: (name) => {
        for (const env of order) {
          const id = aad(env, name);
          const stored = snapshot.stored.get(id);
          if (stored === undefined) continue;
          let value = snapshot.opened.get(id);
          if (value === undefined) {
            value = this.key.decrypt(id, stored);
            if (value === undefined) throw this.key.cannotOpen(env, name);
            snapshot.opened.set(id, value);
          }
          return value;
        }
        return fallback.lookup(name);
      },
      isSecret: () => true,
    };
  }

  private current(): Promise<Snapshot> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return Promise.resolve(this.cached);
    if (!this.loading) {
      const generation = this.generation;
      const at = Date.now();
      const loading = this.db
        .query<{ environment: string; name: string; ciphertext: string }>(
          "SELECT environment, name, ciphertext FROM platform_secrets",
        )
        .then(({ rows }) => {
          const snapshot: Snapshot = {
            at,
            stored: new Map(rows.map((r) => [aad(r.environment, r.name), r.ciphertext])),
            opened: new Map(),
          };
          // A read that began before a write of this process is answered, never kept.
          if (generation === this.generation) this.cached = snapshot;
          return snapshot;
        })
        .finally(() => {
          if (this.loading === loading) this.loading = undefined;
        });
      this.loading = loading;
    }
    return this.loading;
  }

  private forget(): void {
    this.generation++;
    this.cached = undefined;
    this.loading = undefined;
  }
}
