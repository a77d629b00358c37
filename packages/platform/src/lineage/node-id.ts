/**
 * Names of the lineage graph's nodes (ADR 0033), one string each so an edge is two strings:
 * - `product:<id>`
 * - `port:<product>/<port>`
 * - `column:<product>/<port>/<dataset>.<column>`
 * - `job:<namespace>/<name>` (a pipeline: `job:quanta/<product>.pipeline`; or an outside job)
 * - `dataset:<namespace>/<name>` (an OpenLineage dataset no Quanta port serves)
 * - `team:<id>` (a consumer team, reading ports under its agreements)
 * Product ids, port names and datasets never hold `/`, so the parts split back unambiguously.
 */
export type LineageNode =
  | { kind: "product"; product: string }
  | { kind: "port"; product: string; port: string }
  | { kind: "column"; product: string; port: string; dataset: string; column: string }
  | { kind: "job"; namespace: string; name: string }
  | { kind: "dataset"; namespace: string; name: string }
  | { kind: "team"; team: string };

export function nodeId(n: LineageNode): string {
  switch (n.kind) {
    case "product":
      return `product:${n.product}`;
    case "port":
      return `port:${n.product}/${n.port}`;
    case "column":
      return `column:${n.product}/${n.port}/${n.dataset}.${n.column}`;
    case "job":
      return `job:${n.namespace}/${n.name}`;
    case "dataset":
      return `dataset:${n.namespace}/${n.name}`;
    case "team":
      return `team:${n.team}`;
  }
}

/** The node a name stands for; undefined for a string that names none. */
export function parseNodeId(id: string): LineageNode | undefined {
  const at = id.indexOf(":");
  const kind = id.slice(0, at);
  const rest = id.slice(at + 1);
  if (at < 0 || rest === "") return undefined;
  if (kind === "product") return rest.includes("/") ? undefined : { kind, product: rest };
  if (kind === "team") return rest.includes("/") ? undefined : { kind, team: rest };
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  const head = rest.slice(0, slash);
  const tail = rest.slice(slash + 1);
  if (tail === "") return undefined;
  if (kind === "job" || kind === "dataset") return { kind, namespace: head, name: tail };
  if (kind === "port") return tail.includes("/") ? undefined : { kind, product: head, port: tail };
  if (kind === "column") {
    const [port, rest2, extra] = tail.split("/");
    if (!port || !rest2 || extra !== undefined) return undefined;
    const dot = rest2.indexOf(".");
    if (dot <= 0 || dot === rest2.length - 1) return undefined;
    return { kind, product: head, port, dataset: rest2.slice(0, dot), column: rest2.slice(dot + 1) };
  }
  return undefined;
}
