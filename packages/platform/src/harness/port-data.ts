import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { NotFoundError, UnprocessableError } from "@quanta/core";
import { formatOf, readableRoot } from "@quanta/engine-duckdb";
import { arr, type Obj, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { ContractRepository } from "../storage/repositories/contract-repository.js";
import { type PortRecord, ProductRepository } from "../storage/repositories/product-repository.js";
import type { DataLocator } from "./data-locator.js";

/** One schema object of a port's contract and the file(s) it reads. */
export interface PortDataset {
  name: string;
  /** Absolute path, possibly a glob; always inside the product's folder. */
  file: string;
  format: string;
  /** Columns served as `'***'` (sensitive and not granted to this reader); see access/port-access.ts. */
  masked?: string[] | undefined;
  /** Boolean SQL expressions over the dataset's columns that every served row meets. */
  rowFilters?: string[] | undefined;
}

/** A port with its published contract, resolved to what the platform can read. */
export interface PortContract {
  productId: string;
  port: PortRecord;
  contractId: string;
  contractVersion: string;
  /** The contract file's path inside the product folder, e.g. `contracts/readings.odcs.yaml`. */
  file: string;
  contract: Obj;
}

/** Server types whose data the platform reads itself, in embedded DuckDB. */
const fileServerTypes = new Set(["local"]);

/** The product's port, or 404 naming the ports it does have. */
export async function findPort(
  q: Queryable,
  productId: string,
  portName: string,
  directions: readonly PortRecord["direction"][],
): Promise<PortRecord> {
  const product = await new ProductRepository(q).get(productId);
  if (!product) throw new NotFoundError(`no data product "${productId}"`);
  return portOf(product, portName, directions);
}

/** The port of a product already read (one read of the store per request), or 404 as findPort. */
export function portOf(
  product: { id: string; ports: PortRecord[] },
  portName: string,
  directions: readonly PortRecord["direction"][],
): PortRecord {
  const productId = product.id;
  const ports = product.ports.filter((p) => directions.includes(p.direction));
  const port = ports.find((p) => p.name === portName);
  if (!port) {
    const names = ports.map((p) => p.name).join(", ") || "none";
    throw new NotFoundError(
      `data product "${productId}" has no ${directions.join(" or ")} port "${portName}" (${names})`,
    );
  }
  return port;
}

/** The published contract version a port names (its `contractId` at its `version`, else the current one). */
export async function portContract(
  q: Queryable,
  productId: string,
  port: PortRecord,
  /** A version to serve instead (an agreement still on the previous major). */
  wanted?: string,
): Promise<PortContract> {
  if (!port.contractId) {
    throw new UnprocessableError(`port "${port.name}" of "${productId}" names no contract (contractId)`, {
      code: "no-contract",
    });
  }
  const contracts = new ContractRepository(q);
  const pinned = wanted ?? port.version;
  let version = pinned ? await contracts.version(port.contractId, pinned) : undefined;
  if (!version) {
    const current = (await contracts.versions(port.contractId))[0];
    version = current ? await contracts.version(port.contractId, current.version) : undefined;
  }
  if (!version) {
    throw new UnprocessableError(
      `contract "${port.contractId}" of port "${port.name}" is not published on this platform`,
      { code: "no-contract" },
    );
  }
  return {
    productId,
    port,
    contractId: port.contractId,
    contractVersion: version.version,
    file: version.file,
    contract: obj(version.document) ?? {},
  };
}

export function schemaObjects(contract: Obj): { name: string; physicalName?: string }[] {
  return arr(contract.schema).flatMap((x) => {
    const o = obj(x);
    const name = str(o?.name);
    if (!name) return [];
    const physicalName = str(o?.physicalName);
    return [{ name, ...(physicalName ? { physicalName } : {}) }];
  });
}

/** The contract's first server the platform reads itself (a `local` file server). */
export function fileServer(contract: Obj): Obj | undefined {
  return arr(contract.servers)
    .map(obj)
    .find((s): s is Obj => s !== undefined && fileServerTypes.has(String(s.type)));
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The files behind each schema object of the port's contract. The server path resolves from the
 * contract file's folder and must stay inside the product's folder: a published contract cannot
 * point the platform at any other file on the server.
 */
export function portDatasets(pc: PortContract, locator: DataLocator): { server: Obj; datasets: PortDataset[] } {
  const server = fileServer(pc.contract);
  if (!server) {
    const types = arr(pc.contract.servers).map((s) => String(obj(s)?.type ?? "?"));
    throw new UnprocessableError(
      `contract "${pc.contractId}" has no server the platform can read (it reads type local; the contract has: ${types.join(", ") || "none"})`,
      { code: "no-readable-server" },
    );
  }
  const path = str(server.path) ?? str(server.location);
  if (!path)
    throw new UnprocessableError(`the local server of "${pc.contractId}" has no path`, { code: "no-readable-server" });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || isAbsolute(path)) {
    throw new UnprocessableError(
      `the local server path "${path}" of "${pc.contractId}" must be relative to the contract file, inside the product folder`,
      { code: "server-path-refused" },
    );
  }
  const root = resolve(locator.rootOf(pc.productId));
  const base = dirname(resolve(root, pc.file));
  const datasets = schemaObjects(pc.contract).map((o) => {
    const table = o.physicalName ?? o.name;
    const file = resolve(base, path.replaceAll("{model}", table).replaceAll("{object}", table));
    const readable = readableRoot(file).path;
    if (!inside(root, file) || !inside(root, readable)) {
      throw new UnprocessableError(`the local server path "${path}" of "${pc.contractId}" leaves the product folder`, {
        code: "server-path-refused",
      });
    }
    let format: string;
    try {
      format = formatOf(file, str(server.format));
    } catch (e) {
      throw new UnprocessableError((e as Error).message, { code: "unreadable-format" });
    }
    return { name: o.name, file, format };
  });
  return { server, datasets };
}
