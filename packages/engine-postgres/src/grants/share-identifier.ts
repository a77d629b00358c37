import { createHash } from "node:crypto";
import { InputError } from "@quanta/core";

const safe = /^[a-z0-9_]+$/;
/** PostgreSQL's NAMEDATALEN − 1: a longer name would be cut silently, and two shares could meet. */
const maxBytes = 63;

/**
 * A role, schema or view name of a share, made from the caller's ids: only `[a-z0-9_]`, at most 63
 * bytes, never `pg_…` (reserved for the server's own roles and schemas). Refused otherwise, never
 * cleaned, so two ids can never map to one name.
 */
export function shareIdentifier(kind: "role" | "schema" | "view", name: string): string {
  if (!safe.test(name))
    throw new InputError(`the share's ${kind} name ${JSON.stringify(name)} may hold only a-z, 0-9 and _`, {
      code: "share-name-invalid",
    });
  if (name.length > maxBytes)
    throw new InputError(`the share's ${kind} name ${name} is ${name.length} bytes long; at most ${maxBytes}`, {
      code: "share-name-invalid",
    });
  if (kind !== "view" && name.startsWith("pg_"))
    throw new InputError(`the share's ${kind} name ${name} starts with pg_, which PostgreSQL reserves`, {
      code: "share-name-invalid",
    });
  return name;
}

/**
 * The default view of a dataset in a share: `<role>__<dataset>`, the dataset's name lower-cased
 * with anything but `[a-z0-9_]` as `_`; a name past 63 bytes keeps its first 54 and a hash of the
 * whole, so it stays distinct.
 */
export function defaultViewName(role: string, dataset: string): string {
  const name = `${role}__${dataset.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
  if (name.length <= maxBytes) return name;
  return `${name.slice(0, 54)}_${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}
