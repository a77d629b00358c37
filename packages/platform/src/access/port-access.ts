import { markersOf, protectedClassifications, publicMarkers, sensitiveMarkers } from "@quanta/core";
import { arr, type Obj, obj, str } from "../registry/read.js";

/** The value of a custom property (case-insensitive name). */
export function customProperty(node: Obj | undefined, name: string): unknown {
  const cp = arr(node?.customProperties)
    .map(obj)
    .find((c) => str(c?.property)?.toLowerCase() === name.toLowerCase());
  return cp?.value;
}

export interface DatasetAccess {
  /** The schema object's name (the view the consumer queries). */
  name: string;
  /** Physical column names classified restricted/confidential or marked PII/sensitive. */
  sensitive: string[];
  /** Boolean SQL expressions every row must meet (the port's and the schema object's `rowFilter`). */
  rowFilters: string[];
}

export interface PortAccess {
  /** Readable by anyone signed in, without an agreement (tag or custom property `public`). */
  public: boolean;
  /** Access requests are approved at once (custom property `accessApproval: auto`). */
  autoApprove: boolean;
  datasets: DatasetAccess[];
}

function isSensitive(property: Obj): boolean {
  const classification = str(property.classification)?.toLowerCase() ?? "";
  if (protectedClassifications.includes(classification)) return true;
  const marks = markersOf(property);
  if (sensitiveMarkers.some((m) => marks.has(m))) return true;
  // A nested field that is sensitive makes its whole column sensitive.
  return [...arr(property.properties), ...arr(obj(property.items)?.properties)].some((p) => {
    const o = obj(p);
    return o !== undefined && isSensitive(o);
  });
}

const filtersOf = (node: Obj | undefined): string[] => {
  const v = customProperty(node, "rowFilter");
  return (Array.isArray(v) ? v : [v]).flatMap((f) => (typeof f === "string" && f.trim() !== "" ? [f.trim()] : []));
};

/**
 * What the product and contract declare about reading one output port (ADR 0014): public or not,
 * auto-approval, the sensitive columns of each dataset and the row filters that always apply.
 */
export function portAccess(product: unknown, portName: string, contract: unknown): PortAccess {
  const port = arr(obj(product)?.outputPorts)
    .map(obj)
    .find((p) => str(p?.name) === portName);
  const c = obj(contract);
  const portMarks = new Set([...markersOf(port), ...markersOf(c)]);
  const approval = String(customProperty(port, "accessApproval") ?? customProperty(c, "accessApproval") ?? "");
  const portFilters = filtersOf(port);
  return {
    public: publicMarkers.some((m) => portMarks.has(m)),
    autoApprove: approval.toLowerCase() === "auto",
    datasets: arr(c?.schema).flatMap((x) => {
      const o = obj(x);
      const name = str(o?.name);
      if (!o || !name) return [];
      const sensitive = arr(o.properties).flatMap((p) => {
        const prop = obj(p);
        const column = str(prop?.physicalName) ?? str(prop?.name);
        return prop && column && isSensitive(prop) ? [column] : [];
      });
      return [{ name, sensitive, rowFilters: [...portFilters, ...filtersOf(o)] }];
    }),
  };
}
