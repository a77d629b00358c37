import type { Path } from "../../issues.js";
import { detectKind } from "../../spec/kinds.js";
import type { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { ConvertContext, type CustomProperty, compact, type JsonObject } from "../convert-context.js";
import type { ImportResult } from "../format.js";

export const dpsVersions = ["0.0.1"] as const;

const statuses: Readonly<Record<string, string>> = {
  proposed: "proposed",
  draft: "draft",
  "in development": "draft",
  active: "active",
  deprecated: "deprecated",
  retired: "retired",
};

const rootKeys = new Set([
  "dataProductSpecification",
  "id",
  "info",
  "inputPorts",
  "outputPorts",
  "links",
  "custom",
  "tags",
]);
const infoKeys = new Set(["title", "owner", "domain", "description", "status"]);

/** Port keys that become ODPS custom properties (ODPS ports have no such fields). */
const portCustomKeys = ["sourceSystemId", "status", "location", "server", "containsPii", "autoApprove"];

/**
 * Converts a Data Product Specification 0.0.1 document to ODPS v1.0.0. DPS ports have no
 * version; ODPS requires one, so it is read from a `_v2`-style id suffix or set to 1.0.0
 * (reported).
 */
export function importDps(src: SourceDocument): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  if (!src.readable) return { value: {}, issues: ctx.issues };
  if (detectKind(src.value)?.kind !== "dps") {
    ctx.error([], "dps-not-dps", "not a Data Product Specification document: dataProductSpecification is missing");
    return { value: {}, issues: ctx.issues };
  }
  // The official schema is the latest version's (0.0.1); older documents may differ from it
  // legitimately, so its findings are warnings: conversion stops only on what it cannot read.
  ctx.issues.push(
    ...validateSchema(src, "dps").map((i) => (i.severity === "error" ? { ...i, severity: "warning" as const } : i)),
  );
  const root = src.value as JsonObject;
  const version = String(root.dataProductSpecification);
  if (!(dpsVersions as readonly string[]).includes(version)) {
    ctx.warn(["dataProductSpecification"], "dps-version", `DPS ${version} is not a known version; read as 0.0.1`);
  }
  if (typeof root.id !== "string" || root.id === "") ctx.error(["id"], "dps-required", "id is required");
  if (root.info === undefined) ctx.error([], "dps-required", "info is required");
  const info = ctx.object(root.info, ["info"], "info") ?? {};
  if (root.info !== undefined && typeof info.title !== "string")
    ctx.error(["info"], "dps-required", "info.title is required");

  const custom: CustomProperty[] = [];
  for (const key of ["archetype", "maturity"]) {
    if (info[key] !== undefined) custom.push({ property: key, value: info[key] });
  }
  for (const [key, value] of Object.entries(info)) {
    if (infoKeys.has(key) || key === "archetype" || key === "maturity") continue;
    custom.push({ property: key, value });
    ctx.info(["info", key], "dps-custom-property", `info.${key} kept as a custom property`);
  }
  custom.push(...customEntries(ctx, root.custom, ["custom"]));
  for (const [key, value] of Object.entries(root)) {
    if (rootKeys.has(key)) continue;
    custom.push({ property: key, value });
    ctx.info([key], "dps-custom-property", `${key} kept as a custom property`);
  }

  const status = typeof info.status === "string" ? (statuses[info.status.toLowerCase()] ?? info.status) : "draft";
  const product = compact({
    apiVersion: "v1.0.0",
    kind: "DataProduct",
    id: ctx.text(root.id, ["id"]),
    name: ctx.text(info.title, ["info", "title"]),
    status,
    domain: ctx.text(info.domain, ["info", "domain"]),
    tags: tags(root.tags),
    description: compact({ purpose: ctx.text(info.description, ["info", "description"])?.trimEnd() }),
    authoritativeDefinitions: links(ctx, root.links, ["links"]),
    inputPorts: ports(ctx, root.inputPorts, "inputPorts"),
    outputPorts: ports(ctx, root.outputPorts, "outputPorts"),
    team: typeof info.owner === "string" ? { name: info.owner } : undefined,
    customProperties: custom,
  });
  return { value: product, issues: ctx.issues };
}

function tags(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function customEntries(ctx: ConvertContext, value: unknown, path: Path): CustomProperty[] {
  const obj = ctx.object(value, path, "custom");
  return obj ? Object.entries(obj).map(([property, v]) => ({ property, value: v })) : [];
}

function links(ctx: ConvertContext, value: unknown, path: Path): JsonObject[] | undefined {
  const obj = ctx.object(value, path, "links");
  if (!obj) return undefined;
  return Object.entries(obj).flatMap(([type, url]) => {
    if (typeof url === "string" && /^[a-z][a-z0-9+.-]*:/i.test(url)) return [{ type, url }];
    ctx.warn([...path, type], "dps-unmapped", "a link must be an absolute URL; it was dropped");
    return [];
  });
}

function ports(ctx: ConvertContext, value: unknown, kind: "inputPorts" | "outputPorts"): JsonObject[] | undefined {
  const list = ctx.list(value, [kind], kind);
  if (!list) return undefined;
  return list.flatMap((raw, i): JsonObject[] => {
    const path = [kind, i];
    const port = ctx.object(raw, path, "a port");
    if (!port) return [];
    const id = typeof port.id === "string" ? port.id : undefined;
    const name =
      id ?? (typeof port.name === "string" ? port.name : `${kind === "inputPorts" ? "input" : "output"}-${i + 1}`);
    const m = id ? /[_-]v(\d+)$/i.exec(id) : null;
    const version = m ? `${m[1]}.0.0` : "1.0.0";
    if (!m)
      ctx.warn(
        id ? [...path, "id"] : path,
        "dps-port-version",
        `DPS ports have no version; ${name} is written as version ${version}`,
      );
    const custom: CustomProperty[] = [];
    if (typeof port.name === "string" && port.name !== name) custom.push({ property: "displayName", value: port.name });
    for (const key of portCustomKeys) if (port[key] !== undefined) custom.push({ property: key, value: port[key] });
    custom.push(...customEntries(ctx, port.custom, [...path, "custom"]));
    const known = new Set([
      "id",
      "name",
      "description",
      "type",
      "dataContractId",
      "links",
      "custom",
      "tags",
      ...portCustomKeys,
    ]);
    for (const [key, v] of Object.entries(port)) {
      if (known.has(key)) continue;
      custom.push({ property: key, value: v });
      ctx.info([...path, key], "dps-custom-property", `${key} kept as a custom property of the port`);
    }
    let contractId = typeof port.dataContractId === "string" ? port.dataContractId : undefined;
    if (kind === "inputPorts") {
      // ODPS input ports require the contract of the data they read; DPS names only the source system.
      if (contractId === undefined) {
        contractId = typeof port.sourceSystemId === "string" ? port.sourceSystemId : name;
        ctx.warn(path, "dps-input-contract", `DPS input ports name no data contract; contractId set to ${contractId}`);
      }
      return [
        compact({
          name,
          version,
          contractId,
          tags: tags(port.tags),
          customProperties: [
            ...(typeof port.description === "string" ? [{ property: "description", value: port.description }] : []),
            ...(typeof port.type === "string" ? [{ property: "type", value: port.type }] : []),
            ...custom,
          ],
          authoritativeDefinitions: links(ctx, port.links, [...path, "links"]),
        }),
      ];
    }
    return [
      compact({
        name,
        description: typeof port.description === "string" ? port.description : undefined,
        type: typeof port.type === "string" ? port.type : undefined,
        version,
        contractId,
        tags: tags(port.tags),
        customProperties: custom,
        authoritativeDefinitions: links(ctx, port.links, [...path, "links"]),
      }),
    ];
  });
}
