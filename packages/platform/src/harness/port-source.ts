import { lstatSync, readdirSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { InputError, QuantaError, UnprocessableError } from "@quanta/core";
import {
  type DatasetSource,
  describeServer,
  type EngineManifest,
  redactSecrets,
  resolveServerVariables,
  selectServer,
} from "@quanta/core/engines";
import { formatOf, readableRoot, remoteExtension } from "@quanta/engine-duckdb";
import { installedEngines } from "../engines/installed-engines.js";
import { type CurrentVersion, segment } from "../lake/port-version-store.js";
import { arr, type Obj, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { type DataLocator, realPathOf } from "./data-locator.js";
import { type PortContract, schemaObjects } from "./port-data.js";

/** One schema object of a port and where its rows are. */
export interface LocatedDataset {
  name: string;
  source: DatasetSource;
}

/**
 * Where a port's data is, resolved for reading: the server chosen from its contract (by the
 * platform's environment), `${VAR}` references resolved from the environment's secrets, every path
 * checked against the folders this platform may read. Never shown to consumers as is: messages
 * name the server as `name (type)` and pass through `redact`.
 */
export interface PortSource {
  /** The server's name in the contract (`server`), else its type: what a test run records. */
  serverId: string;
  /** `name (type)`: how audits and messages name the server read. */
  serverName: string;
  engine: EngineManifest;
  /** The contract's server entry, variables resolved (holds secrets: never answered, never logged). */
  server: Obj;
  /** The same entry as the contract writes it (no secret), and the environment its variables came from. */
  written: { server: Obj; environment: string | undefined };
  /** Where the engine looks up credentials it reads itself (its standard variables). */
  env: Readonly<Record<string, string | undefined>>;
  /** The contract file's folder (relative paths resolve from it). */
  baseDir: string;
  datasets: LocatedDataset[];
  /** A message with every secret this source used replaced by `***`. */
  redact(text: string): string;
}

const unreadable = (message: string, code: string, details?: Record<string, unknown>) =>
  new UnprocessableError(message, details === undefined ? { code } : { code, details });

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * Locates the data of a port's contract. Refused with a 422 naming the reason (no server an engine
 * serves, a missing variable, a literal credential, a path outside the allowed folders or into
 * another product's storage, a format no engine reads); reaching the server is left to the engine.
 */
export async function portSource(q: Queryable, pc: PortContract, locator: DataLocator): Promise<PortSource> {
  // Data Quanta stores itself (published with the product, built by a pipeline) is what the port serves.
  const stored = await locator.lake.versions.current(q, pc.productId, pc.port.name);
  if (stored) return storedSource(pc, locator, stored);
  let chosen: ReturnType<typeof selectServer>;
  try {
    chosen = selectServer(pc.contract.servers, installedEngines, { environment: locator.environment });
  } catch (e) {
    if (e instanceof InputError) throw unreadable(`contract "${pc.contractId}": ${e.message}`, "no-readable-server");
    throw e;
  }
  const serverName = describeServer(chosen.server);
  const environment = str(chosen.server.environment) ?? locator.environment;
  const variables = await locator.variables.forEnvironment(environment);
  let resolved: ReturnType<typeof resolveServerVariables>;
  try {
    resolved = resolveServerVariables(chosen.server, variables.lookup, variables.isSecret);
  } catch (e) {
    if (e instanceof QuantaError)
      throw unreadable(
        `contract "${pc.contractId}": ${e.message}${
          e.code === "missing-variable"
            ? ` (set it as a secret of environment ${environment ?? "any"}: quanta secrets set ${environment ?? "any"} NAME)`
            : ""
        }`,
        e.code ?? "server-invalid",
        e.details as Record<string, unknown> | undefined,
      );
    throw e;
  }
  const server = resolved.server;
  const root = resolve(locator.rootOf(pc.productId));
  const baseDir = dirname(resolve(root, pc.file));
  const objects = schemaObjects(pc.contract);
  const type = String(server.type);
  const label = `the ${serverName} server of "${pc.contractId}"`;
  // Messages quote paths as the contract writes them: a resolved `${VAR}` is a secret's value.
  const raw = chosen.server;
  let datasets: LocatedDataset[];
  try {
    datasets = locate();
  } catch (e) {
    if (e instanceof Error) e.message = redactSecrets(e.message, resolved.secrets);
    throw e;
  }
  function locate(): LocatedDataset[] {
    if (type === "duckdb") {
      const database = str(server.database) ?? str(server.path);
      if (!database)
        throw unreadable(`${label} names no database file (database: path/to/file.duckdb)`, "server-invalid");
      if (remoteExtension(database) !== undefined)
        throw unreadable(
          `${label} names a remote database; a DuckDB database is read from a file`,
          "server-path-refused",
        );
      const file = checkedPath(database, String(raw.database ?? raw.path), pc, locator, label);
      const schema = str(server.schema);
      return objects.map((o) => ({
        name: o.name,
        source: { kind: "table", database: file, schema, table: o.physicalName ?? o.name },
      }));
    }
    if (chosen.engine.capabilities.files) {
      const path = str(server.path) ?? str(server.location);
      if (!path) throw unreadable(`${label} has no path (or location)`, "server-invalid");
      return objects.map((o) => {
        const table = o.physicalName ?? o.name;
        const model = (p: string) => p.replaceAll("{model}", table).replaceAll("{object}", table);
        const shown = model(String(raw.path ?? raw.location));
        const file = checkedPath(model(path), shown, pc, locator, label);
        let format: string;
        try {
          format = formatOf(file, str(server.format));
        } catch (e) {
          throw unreadable((e as Error).message.replace(file, shown), "unreadable-format");
        }
        return { name: o.name, source: { kind: "files", files: [file], format } };
      });
    }
    const schema = str(server.schema);
    return objects.map((o) => ({
      name: o.name,
      source: { kind: "table", schema, table: o.physicalName ?? o.name },
    }));
  }
  return {
    serverId: str(chosen.server.server) ?? str(chosen.server.id) ?? type,
    serverName,
    engine: chosen.engine,
    server,
    written: { server: chosen.server, environment },
    env: engineEnvironment(variables.lookup),
    baseDir,
    datasets,
    redact: (text) => scrubbed(redactSecrets(text, resolved.secrets), serverName, locator, root),
  };
}

/**
 * A message as a consumer may see it: connection URLs (an engine's errors name the server by its
 * address) as the server's `name (type)`, and the folders this platform reads as `<product>`,
 * `<data root>`, `<storage>` and `<data dir>` instead of absolute paths.
 */
function scrubbed(text: string, serverName: string, locator: DataLocator, root: string): string {
  let out = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'()<>]+/gi, (url) =>
    /^(s3|gs|gcs|az|abfss?|r2):/i.test(url) ? url : `the ${serverName} server`,
  );
  const folders: [string, string][] = [
    [root, "<product>"],
    ...locator.dataRoots.map((r): [string, string] => [r, "<data root>"]),
    [locator.lake.root.path, "<storage>"],
    [locator.dataDir, "<data dir>"],
  ];
  for (const [folder, label] of folders.sort((a, b) => b[0].length - a[0].length)) {
    out = out.split(resolve(folder)).join(label);
  }
  return out;
}

/**
 * A server as a contract wrote it, resolved again now (variables, credentials): where a grant made
 * earlier is taken back, whatever the port is served from today.
 */
export async function resolveWrittenServer(
  written: { server: Obj; environment: string | undefined },
  locator: DataLocator,
): Promise<{
  engine: EngineManifest | undefined;
  server: Obj;
  env: Readonly<Record<string, string | undefined>>;
  redact(text: string): string;
}> {
  const variables = await locator.variables.forEnvironment(written.environment);
  const resolved = resolveServerVariables(written.server, variables.lookup, variables.isSecret);
  return {
    engine: installedEngines.forType(written.server.type),
    server: resolved.server,
    env: engineEnvironment(variables.lookup),
    redact: (text) => redactSecrets(text, resolved.secrets),
  };
}

/** A port's current version on the storage Quanta owns, read by DuckDB like any file server. */
function storedSource(pc: PortContract, locator: DataLocator, stored: CurrentVersion): PortSource {
  const engine = installedEngines.forType("local");
  if (!engine) throw unreadable("no installed engine reads files", "no-readable-server");
  const byName = new Map(stored.datasets.map((d) => [d.name, d]));
  const datasets = schemaObjects(pc.contract).map((o): LocatedDataset => {
    const d = byName.get(o.name);
    if (!d || d.files.length === 0) {
      throw unreadable(
        `version ${stored.version} of port ${pc.port.name} holds no data for "${o.name}"; publish it with PUT /api/products/${pc.productId}/ports/${pc.port.name}/data`,
        "dataset-unreadable",
      );
    }
    return { name: o.name, source: { kind: "files", files: d.files, format: d.format } };
  });
  return {
    serverId: "quanta",
    serverName: `quanta storage (version ${stored.version})`,
    engine,
    server: { server: "quanta", type: "local" },
    written: { server: { server: "quanta", type: "local" }, environment: undefined },
    env: process.env,
    baseDir: locator.lake.root.path,
    datasets,
    redact: (text) => text.split(locator.lake.root.path).join("<storage>"),
  };
}

/**
 * A server path as the engine will read it: relative paths from the contract file's folder;
 * absolute ones (and where relative ones lead) only inside the product's own folder or a data root
 * (`QUANTA_DATA_ROOTS`), never into the platform's data directory or another product's folder,
 * symlinks followed. Remote URLs pass: the engine needs its extension for them (see the engine).
 */
function checkedPath(written: string, shown: string, pc: PortContract, locator: DataLocator, label: string): string {
  const refuse = (why: string) => unreadable(`the path "${shown}" of ${label} ${why}`, "server-path-refused");
  if (remoteExtension(written) !== undefined) {
    // Object storage only: a contract must not make the platform fetch any URL (its own network).
    if (!objectStores.test(written)) throw refuse("is a URL this platform does not fetch (object storage: s3, gs, az)");
    return written;
  }
  const root = resolve(locator.rootOf(pc.productId));
  const file = isAbsolute(written) ? resolve(written) : resolve(dirname(resolve(root, pc.file)), written);
  const readable = realPathOf(readableRoot(file).path);
  const ownRoot = realPathOf(root);
  const inOwn = inside(ownRoot, readable);
  for (const [id, folder] of locator.productFolders()) {
    if (id !== pc.productId && inside(realPathOf(folder), readable) && !inOwn)
      throw refuse("points into the storage of another product");
  }
  const lake = realPathOf(locator.lake.root.path);
  if (inside(lake, readable) && !inside(join(lake, segment(pc.productId)), readable))
    throw refuse("points into the storage of another product");
  const dataDir = realPathOf(locator.dataDir);
  if (inside(dataDir, readable) && !inOwn) {
    throw refuse(
      inside(join(dataDir, "products"), readable)
        ? "points into the storage of another product"
        : "points into the platform's own data directory",
    );
  }
  const roots = [ownRoot, ...locator.dataRoots.map(realPathOf)];
  if (!roots.some((r) => inside(r, readable))) {
    throw refuse(
      locator.dataRoots.length === 0
        ? "leaves the product's folder (an operator can allow other folders with QUANTA_DATA_ROOTS)"
        : "lies outside the product's folder and the data roots this platform reads (QUANTA_DATA_ROOTS)",
    );
  }
  if (readableRoot(file).kind === "directory" && linksOutCached(readable, roots))
    throw refuse("reaches, through a symbolic link, a file outside the folders this platform reads");
  return file;
}

/** URL schemes of object storage, read through DuckDB's extensions. */
const objectStores = /^(s3|s3a|s3n|r2|gs|gcs|az|azure|abfss?):\/\//i;

/**
 * `linksOut`, remembered for a few seconds per folder: every read of a glob locates its port, and
 * walking a large lake folder each time would cost more than the query.
 */
const walked = new Map<string, { at: number; out: boolean }>();
const walkedForMs = 5_000;
function linksOutCached(dir: string, roots: readonly string[]): boolean {
  const key = JSON.stringify([dir, roots]);
  const now = Date.now();
  const hit = walked.get(key);
  if (hit && now - hit.at < walkedForMs) return hit.out;
  const out = linksOut(dir, roots);
  if (walked.size >= 1000) walked.clear();
  walked.set(key, { at: now, out });
  return out;
}

/** Whether any symlink under `dir` (a glob's root) leads outside `roots`; at most `budget` entries looked at. */
function linksOut(dir: string, roots: readonly string[], budget = { left: 20_000 }): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  for (const name of entries) {
    if (--budget.left < 0) return false;
    const path = join(dir, name);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch {
        continue; // dangling: DuckDB cannot read it either
      }
      if (!roots.some((r) => inside(r, target))) return true;
    } else if (stat.isDirectory() && linksOut(path, roots, budget)) return true;
  }
  return false;
}

/**
 * What an engine reads its standard settings from (`QUANTA_SERVER_<NAME>_URL`, `…_USER`,
 * `…_PASSWORD`, libpq's variables): the environment's secrets first, then the process environment.
 * Read by name only: nothing enumerates the secrets.
 */
function engineEnvironment(lookup: (name: string) => string | undefined): Readonly<Record<string, string | undefined>> {
  return new Proxy({} as Record<string, string | undefined>, {
    get: (_target, key) => {
      if (typeof key !== "string") return undefined;
      // Credentials that name no host (QUANTA_POSTGRES_*, libpq's) go only to the hosts the operator
      // lists: a contract of any team chooses its server's host.
      if (key === "QUANTA_POSTGRES_HOSTS") return process.env.QUANTA_POSTGRES_HOSTS ?? "";
      return lookup(key) ?? process.env[key];
    },
  });
}

/** The contract's servers as the platform would name them (for messages that list them). */
export function serverNames(contract: Obj): string {
  return (
    arr(contract.servers)
      .map(obj)
      .filter((s): s is Obj => s !== undefined)
      .map(describeServer)
      .join(", ") || "none"
  );
}
