import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";
import { asArray, asObj, asString, type Obj } from "../read.js";

type PortList = "inputPorts" | "outputPorts" | "managementPorts";

interface PortRef {
  node: Obj;
  path: Path;
}

function ports(doc: unknown, list: PortList): PortRef[] {
  return asArray(asObj(doc)?.[list]).flatMap((p, i) => {
    const node = asObj(p);
    return node ? [{ node, path: [list, i] }] : [];
  });
}

export const duplicatePort: LintRule = {
  code: "duplicate-port",
  severity: "error",
  description:
    "Two input or output ports with the same `name` and `version` (their key), or two management ports with the same `name`.",
  check(ctx) {
    for (const list of ["inputPorts", "outputPorts", "managementPorts"] as const) {
      const first = new Map<string, Path>();
      for (const port of ports(ctx.value, list)) {
        const name = asString(port.node.name);
        if (name === undefined) continue;
        const version = list === "managementPorts" ? undefined : asString(port.node.version);
        const key = JSON.stringify([name, version ?? null]);
        const seen = first.get(key);
        if (!seen) {
          first.set(key, port.path);
          continue;
        }
        const line = ctx.src.locate([...seen, "name"]).line;
        const what = version === undefined ? `"${name}"` : `"${name}" version ${version}`;
        ctx.report([...port.path, "name"], `${list} has ${what} twice; the first is on line ${line}`);
      }
    }
  },
};

export const outputPortContractMissing: LintRule = {
  code: "output-port-contract-missing",
  severity: "warning",
  description:
    "An output port without a `contractId`: consumers get no promise about its data and Quanta cannot test it.",
  check(ctx) {
    for (const port of ports(ctx.value, "outputPorts")) {
      if (port.node.contractId === undefined) {
        ctx.report([...port.path, "name"], `output port "${asString(port.node.name) ?? "?"}" has no contractId`, {
          key: true,
        });
      }
    }
  },
};

function contractRule(
  code: string,
  list: "inputPorts" | "outputPorts",
  severity: LintRule["severity"],
  description: string,
): LintRule {
  return {
    code,
    severity,
    description,
    check(ctx) {
      const known = ctx.product?.contractIds;
      if (!known) return;
      for (const port of ports(ctx.value, list)) {
        const id = asString(port.node.contractId);
        if (id === undefined || known.has(id)) continue;
        if (list === "inputPorts" && ctx.product?.upstreamContractIds?.has(id)) continue;
        const ids = [...known.keys()];
        const listed = ids.length
          ? `contracts here: ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", …" : ""}`
          : "the folder has no contract";
        ctx.report(
          [...port.path, "contractId"],
          `contractId "${id}" matches no contract id in the product folder (${listed})`,
        );
      }
    },
  };
}

export const outputPortContractUnresolved = contractRule(
  "output-port-contract-unresolved",
  "outputPorts",
  "error",
  "An output port `contractId` that matches the `id` of no contract file in the data product folder.",
);

export const inputPortContractUnresolved = contractRule(
  "input-port-contract-unresolved",
  "inputPorts",
  "warning",
  "An input port `contractId` that matches no contract in the folder nor in the other products linted with it (lint the whole mesh folder to resolve upstream contracts).",
);

/** `v1.0.0` and `1.0.0` name one version (see version-prefixed). */
const bare = (version: string) => version.replace(/^[vV=]\s*/, "");

export const outputPortVersionMismatch: LintRule = {
  code: "output-port-version-mismatch",
  severity: "error",
  description:
    "An output port whose `version` is not the `version` of the contract it names in the folder: Quanta serves and tests the contract version the port names, so the two must agree.",
  check(ctx) {
    const versions = ctx.product?.contractVersions;
    if (!versions) return;
    for (const port of ports(ctx.value, "outputPorts")) {
      const id = asString(port.node.contractId);
      const portVersion = asString(port.node.version);
      const contractVersion = id === undefined ? undefined : versions.get(id);
      if (portVersion === undefined || contractVersion === undefined) continue;
      if (bare(portVersion) === bare(contractVersion)) continue;
      ctx.report(
        [...port.path, "version"],
        `output port "${asString(port.node.name) ?? "?"}" is at version ${portVersion}, but its contract "${id}" is at ${contractVersion}; Quanta serves and tests the contract version a port names, so set the port's version to ${contractVersion}`,
      );
    }
  },
};

export const inputContractUnknown: LintRule = {
  code: "input-contract-unknown",
  severity: "warning",
  description: "An output port's `inputContracts[].id` that is not the `contractId` of any input port of the product.",
  check(ctx) {
    const inputs = new Set(ports(ctx.value, "inputPorts").map((p) => asString(p.node.contractId)));
    for (const port of ports(ctx.value, "outputPorts")) {
      asArray(port.node.inputContracts).forEach((c, i) => {
        const id = asString(asObj(c)?.id);
        if (id !== undefined && !inputs.has(id)) {
          ctx.report(
            [...port.path, "inputContracts", i, "id"],
            `input contract "${id}" is not the contractId of any input port`,
          );
        }
      });
    }
  },
};
