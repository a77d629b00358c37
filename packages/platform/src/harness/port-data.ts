import { NotFoundError, UnprocessableError } from "@quanta/core";
import { arr, type Obj, obj, str } from "../registry/read.js";
import type { Queryable } from "../storage/database.js";
import { ContractRepository } from "../storage/repositories/contract-repository.js";
import { type PortRecord, ProductRepository } from "../storage/repositories/product-repository.js";

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
