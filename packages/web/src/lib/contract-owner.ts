import type { ProductDetail } from "../api/types.js";

/**
 * Candidate product ids for a contract id, longest first: `sales.orders.orders` → `sales.orders`,
 * `sales`. The API has no contract → product lookup, so the map tries these and keeps only a
 * product whose contract list really holds the contract: a guess never becomes an edge.
 */
export function ownerCandidates(contractId: string): string[] {
  const parts = contractId.split(".");
  const out: string[] = [];
  for (let n = parts.length - 1; n >= 1; n--) out.push(parts.slice(0, n).join("."));
  return out;
}

/** The product that publishes `contractId`, checked against the API; undefined when none does. */
export async function findContractOwner(
  contractId: string,
  getProduct: (id: string) => Promise<ProductDetail | undefined>,
): Promise<ProductDetail | undefined> {
  for (const id of ownerCandidates(contractId)) {
    const p = await getProduct(id);
    if (p?.contracts.some((c) => c.id === contractId)) return p;
  }
  return undefined;
}
