import { type Issue, sortIssues } from "../issues.js";
import { declaredKind, detectKind } from "../spec/kinds.js";
import { SourceDocument } from "../spec/source.js";
import { lintSource } from "./lint-document.js";
import { asArray, asObj, asString } from "./read.js";

function folderIssue(folder: string, code: string, message: string): Issue {
  return { code, severity: "error", message, file: folder, line: 0, column: 0, path: "" };
}

/**
 * Lints a data product folder already read into documents: the ODPS file, its contracts, and the
 * links between them (output port `contractId` → a contract's `id`).
 */
export function lintProductSources(
  sources: readonly SourceDocument[],
  folder = ".",
  upstreamContractIds?: ReadonlyMap<string, string>,
  knownContracts?: ReadonlyMap<string, unknown>,
): Issue[] {
  const issues: Issue[] = [];
  const kinds = new Map(sources.map((s) => [s, s.readable ? detectKind(s.value)?.kind : undefined]));
  const products = sources.filter((s) => kinds.get(s) === "odps");
  const contracts = sources.filter((s) => kinds.get(s) === "odcs");

  for (const s of sources) {
    const declared = declaredKind(s.file);
    const actual = kinds.get(s);
    if (declared && actual && declared !== actual) {
      issues.push(
        s.at(
          [],
          "document-kind-unexpected",
          "error",
          `file is named .${declared}.* but holds ${actual.toUpperCase()}; rename it or fix kind`,
        ),
      );
    }
  }
  if (products.length === 0) {
    issues.push(
      folderIssue(
        folder,
        "product-odps-missing",
        "no ODPS data product file (kind: DataProduct) in this folder; expected a *.odps.yaml beside its *.odcs.yaml contracts",
      ),
    );
  }
  for (const extra of products.slice(1)) {
    issues.push(
      extra.at(
        ["kind"],
        "product-odps-multiple",
        "error",
        `a data product folder holds one ODPS file; ${products[0]?.file} is already the product`,
      ),
    );
  }

  const contractIds = new Map<string, string>();
  for (const c of contracts) {
    const id = asString(asObj(c.value)?.id);
    if (id === undefined) continue;
    const first = contractIds.get(id);
    if (first !== undefined) {
      issues.push(c.at(["id"], "contract-id-duplicate", "error", `contract id "${id}" is also the id of ${first}`));
      continue;
    }
    contractIds.set(id, c.file);
  }

  const referenced = new Set<string>();
  for (const p of products) {
    for (const list of ["inputPorts", "outputPorts"]) {
      for (const port of asArray(asObj(p.value)?.[list])) {
        const id = asString(asObj(port)?.contractId);
        if (id !== undefined) referenced.add(id);
      }
    }
  }
  if (products.length > 0) {
    for (const c of contracts) {
      const id = asString(asObj(c.value)?.id);
      if (id !== undefined && contractIds.get(id) === c.file && !referenced.has(id)) {
        issues.push(
          c.at(
            ["id"],
            "contract-unreferenced",
            "info",
            `contract "${id}" is not the contractId of any port of the product`,
          ),
        );
      }
    }
  }

  // What a contract's references to other contracts (RFC 0009a) resolve against: its neighbours
  // by path, file name and id, then the contracts known elsewhere (the registry, the mesh folder).
  const neighbours = new Map<string, unknown>(knownContracts);
  for (const c of contracts) {
    const id = asString(asObj(c.value)?.id);
    for (const key of [c.file, c.file.split(/[\\/]/).pop() ?? c.file, ...(id ? [id] : [])])
      neighbours.set(key, c.value);
  }
  const contractVersions = new Map<string, string>();
  for (const c of contracts) {
    const o = asObj(c.value);
    const id = asString(o?.id);
    const version = asString(o?.version);
    if (id !== undefined && version !== undefined && contractIds.get(id) === c.file) contractVersions.set(id, version);
  }
  const product = { contractIds, contractVersions, ...(upstreamContractIds ? { upstreamContractIds } : {}) };
  for (const s of sources) {
    const kind = kinds.get(s);
    issues.push(...lintSource(s, kind === "odps" ? product : undefined, kind === "odcs" ? neighbours : undefined));
  }
  return sortIssues(issues);
}

/** Lints a data product folder given as file texts (the ODPS file plus its contracts). */
export function lintProduct(files: readonly { path: string; text: string }[], folder = "."): Issue[] {
  return lintProductSources(
    files.map((f) => SourceDocument.parse(f.text, f.path)),
    folder,
  );
}
