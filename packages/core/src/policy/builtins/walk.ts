import type { Path } from "../../issues.js";
import type { DataContract, SchemaProperty } from "../../spec/odcs/model.js";
import type { OutputPort } from "../../spec/odps/model.js";
import type { PolicyDocument, PolicySubject } from "../policy-subject.js";

/** Documents may be schema-invalid (rules also run on drafts): read every value defensively. */
export const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
export const text = (value: unknown): string => (typeof value === "string" ? value.trim() : "");

export interface PortContract {
  port: OutputPort;
  portIndex: number;
  /** Undefined when no contract of the product has the port's `contractId`. */
  contract: PolicyDocument<DataContract> | undefined;
}

/** Each output port with the contract that governs it. */
export function outputPorts(subject: PolicySubject): PortContract[] {
  return list<OutputPort>(subject.product.value?.outputPorts).map((port, portIndex) => ({
    port,
    portIndex,
    contract: subject.contracts.find((c) => c.value?.id !== undefined && c.value.id === port?.contractId),
  }));
}

/** The contracts of output ports, each once (a contract may serve several ports). */
export function portContracts(subject: PolicySubject): PolicyDocument<DataContract>[] {
  const seen = new Set<PolicyDocument<DataContract>>();
  for (const { contract } of outputPorts(subject)) if (contract) seen.add(contract);
  return [...seen];
}

export interface PropertyAt {
  property: SchemaProperty;
  path: Path;
  /** `orders.customer_email`, `orders.address.street`. */
  name: string;
}

/** Every property of every schema object, nested object properties and array items included. */
export function properties(contract: DataContract): PropertyAt[] {
  const out: PropertyAt[] = [];
  const visit = (props: unknown, path: Path, prefix: string, depth: number) => {
    if (depth > 20) return;
    list<SchemaProperty>(props).forEach((property, i) => {
      if (typeof property !== "object" || property === null) return;
      const at = [...path, i];
      const name = `${prefix}.${text(property.name) || `[${i}]`}`;
      out.push({ property, path: at, name });
      visit(property.properties, [...at, "properties"], name, depth + 1);
      // Array items are the same column, not a property of their own; their fields are.
      const items = property.items;
      if (typeof items === "object" && items !== null)
        visit(items.properties, [...at, "items", "properties"], `${name}[]`, depth + 1);
    });
  };
  list<{ name?: unknown; properties?: unknown }>(contract?.schema).forEach((object, i) => {
    visit(object?.properties, ["schema", i, "properties"], text(object?.name) || `[${i}]`, 0);
  });
  return out;
}

/** Lower-cased tags and truthy custom property names of a node: what marks data as sensitive. */
export { markersOf as markers } from "../../spec/odcs/sensitivity.js";
