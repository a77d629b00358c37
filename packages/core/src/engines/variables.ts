import { InputError } from "../errors.js";

/** Where `${NAME}` references are looked up: the platform's secrets, then an environment. */
export type VariableLookup = (name: string) => string | undefined;

/** Server fields that carry credentials: in a contract, only as a `${VAR}` reference. */
export const credentialFields: readonly string[] = [
  "password",
  "pass",
  "secret",
  "token",
  "credentials",
  "accessKey",
  "secretKey",
  "privateKey",
];

/** `${NAME}` or `${NAME:-default}` (ODCS v3.2, RFC 0050: POSIX `:-`, the default used when unset or empty). */
const reference = /\$\{([^}:]*)(?::-([^}]*))?\}/g;
const wholeReference = /^\s*\$\{[^}]+\}\s*$/;

export interface ResolvedServer {
  server: Record<string, unknown>;
  /** The values substituted for references to secrets, for redacting them from messages. */
  secrets: string[];
  /** The names referenced, in order of first use. */
  variables: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A contract server with every `${NAME}` reference resolved (RFC 0050), in every string value at any
 * depth. A reference that cannot be resolved and has no default is an `InputError` naming the
 * variable (never a silent empty string). Credential fields (`password`, `token`, …) must be a
 * reference, never a literal: secrets do not belong in a contract. The values substituted for
 * credential fields, and for names `isSecret` says are secrets, are returned for redaction.
 */
export function resolveServerVariables(
  server: Record<string, unknown>,
  lookup: VariableLookup,
  isSecret: (name: string) => boolean = () => false,
): ResolvedServer {
  const label = String(server.server ?? server.id ?? server.type ?? "the");
  const secrets = new Set<string>();
  const variables: string[] = [];
  const missing: string[] = [];
  const substitute = (text: string, credential: boolean): string =>
    text.replace(reference, (_all, rawName: string, fallback: string | undefined) => {
      const name = rawName.trim();
      if (name === "") throw new InputError(`server ${label} has an empty variable reference "\${}"`);
      if (!variables.includes(name)) variables.push(name);
      const value = lookup(name);
      const resolved = value !== undefined && value !== "" ? value : fallback;
      if (resolved === undefined) {
        if (!missing.includes(name)) missing.push(name);
        return "";
      }
      if ((credential || isSecret(name)) && resolved !== "") secrets.add(resolved);
      return resolved;
    });
  const walk = (value: unknown, field: string | undefined, credential: boolean): unknown => {
    if (typeof value === "string") {
      if (credential && !wholeReference.test(value)) {
        throw new InputError(
          `server ${label} has a literal "${field}": credentials do not belong in a contract; write \${NAME} and set NAME as a secret of the platform`,
          { code: "literal-credential" },
        );
      }
      return substitute(value, credential);
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, field, credential));
    if (isRecord(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, walk(v, k, credential || credentialFields.includes(k))]),
      );
    }
    return value;
  };
  const resolved = walk(server, undefined, false) as Record<string, unknown>;
  if (missing.length > 0) {
    throw new InputError(
      `server ${label} references ${missing.length === 1 ? "a variable" : "variables"} with no value: ${missing.join(", ")}`,
      { code: "missing-variable", details: { variables: missing } },
    );
  }
  return { server: resolved, secrets: [...secrets], variables };
}

/** `text` with each secret replaced by `***` (longest first, so no part of one survives). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= 3) out = out.split(s).join("***");
  }
  return out;
}
