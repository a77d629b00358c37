import { createHash } from "node:crypto";
import { detectKind, type Issue, isPipelineDocument, SourceDocument, teamIdOf } from "@quanta/core";
import { RefusedError } from "../refused-error.js";
import { type Obj, obj, str } from "./read.js";

export interface ProductFile {
  /** Path inside the product folder, e.g. `contracts/readings.odcs.yaml`. */
  path: string;
  text: string;
}

export interface FolderContract {
  id: string;
  version: string;
  file: ProductFile;
  source: SourceDocument;
  sha256: string;
}

/**
 * A publish as the platform reads it: every file parsed and known by what it holds, never by its
 * name. Exactly one product document, any number of contracts, at most one pipeline, nothing else.
 */
export interface PublishFolder {
  /** The files with normalised paths, sorted by path: what a version stores and compares. */
  files: ProductFile[];
  id: string;
  version: string;
  product: { file: ProductFile; source: SourceDocument; document: Obj };
  contracts: FolderContract[];
  /** The pipeline declaration (`kind: Pipeline`, ADR 0029), when the folder has one. */
  pipeline: { file: ProductFile; source: SourceDocument } | undefined;
  /** The team the product declares, as the registry's team id (null: none). */
  declaredTeam: string | null;
}

export { teamIdOf };

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

const issue = (file: string, code: string, message: string): Issue => ({
  code,
  severity: "error",
  message,
  file,
  line: 0,
  column: 0,
  path: "",
});

/**
 * A file's path as the folder stores it, or why it is refused: relative, `/`-separated, with no
 * `.` or empty segments, no `..`, no control characters (NUL among them) and no URL-encoded
 * escapes (`%2e%2e`, `%00`), which a product folder never needs and a probe always does.
 */
export function normalisePath(path: string): { path: string } | { refused: string } {
  if (/[\u0000-\u001f\u007f]/.test(path)) return { refused: "holds a control character (NUL, newline, ...)" };
  if (/%[0-9a-f]{2}/i.test(path)) return { refused: "holds a URL-encoded escape; send the plain path" };
  if (path.includes("\\")) return { refused: "uses \\; separate folders with /" };
  if (path.startsWith("/") || /^[a-z]:/i.test(path))
    return { refused: "is absolute; send paths relative to the folder" };
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { refused: "climbs out of the folder (..)" };
  if (segments.length === 0) return { refused: "names no file" };
  if (segments.some((s) => s.trim() !== s || /^\.+$/.test(s)))
    return { refused: "has a segment that is only dots or starts or ends with a space" };
  return { path: segments.join("/") };
}

const otherKinds: Record<string, string> = {
  dcs: "is a Data Contract Specification document; convert it to ODCS first (quanta import dcs)",
  dps: "is a Data Product Specification document; convert it to ODPS first (quanta import dps)",
};

/**
 * Reads a publish: normalises every path (two files that differ only in case or `./` are the
 * same file), parses every file, and tells each one's kind from its `kind`/`apiVersion`. Refuses,
 * with every reason at once, a folder with a bad or repeated path, a file that is not a product
 * or a contract, no product or more than one, or a document without its id and version.
 */
export function readPublishFolder(input: readonly ProductFile[]): PublishFolder {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  const files: ProductFile[] = [];
  for (const f of input) {
    const n = normalisePath(f.path);
    if ("refused" in n) {
      issues.push(issue(JSON.stringify(f.path), "publish-path-refused", `file path ${n.refused}`));
      continue;
    }
    const key = n.path.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push(issue(n.path, "publish-path-duplicate", `the folder already holds ${first} (paths ignore case)`));
      continue;
    }
    seen.set(key, n.path);
    files.push({ path: n.path, text: f.text });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const products: { file: ProductFile; source: SourceDocument }[] = [];
  const contracts: FolderContract[] = [];
  const pipelines: { file: ProductFile; source: SourceDocument }[] = [];
  for (const file of files) {
    const source = SourceDocument.parse(file.text, file.path);
    if (!source.readable) {
      const parseErrors = source.issues.filter((i) => i.severity === "error");
      issues.push(
        ...(parseErrors.length > 0
          ? parseErrors
          : [issue(file.path, "publish-file-unreadable", "is empty or not a YAML or JSON document")]),
      );
      continue;
    }
    const kind = detectKind(source.value)?.kind;
    const doc = obj(source.value) ?? {};
    if (kind === "odps") {
      products.push({ file, source });
    } else if (kind === "odcs") {
      const id = str(doc.id);
      const version = str(doc.version);
      if (!id || !version) {
        issues.push(issue(file.path, "publish-refused", "a contract needs an id and a version to be published"));
        continue;
      }
      contracts.push({ id, version, file, source, sha256: sha256(file.text) });
    } else if (isPipelineDocument(source.value)) {
      pipelines.push({ file, source });
    } else {
      issues.push(
        issue(
          file.path,
          "publish-file-unrecognised",
          (kind && otherKinds[kind]) ??
            "holds neither a data product (ODPS, kind: DataProduct), a data contract (ODCS, kind: DataContract) nor a pipeline (kind: Pipeline); a publish carries only those",
        ),
      );
    }
  }
  if (products.length === 0 && issues.length === 0) {
    issues.push(issue(".", "product-odps-missing", "no ODPS data product file (kind: DataProduct) in the folder"));
  }
  for (const extra of products.slice(1)) {
    issues.push(
      issue(
        extra.file.path,
        "product-odps-multiple",
        `a data product folder holds one ODPS file; ${products[0]?.file.path} is already the product`,
      ),
    );
  }
  for (const extra of pipelines.slice(1)) {
    issues.push(
      issue(
        extra.file.path,
        "pipeline-multiple",
        `a data product folder holds one pipeline file; ${pipelines[0]?.file.path} is already its pipeline`,
      ),
    );
  }
  const product = products[0];
  const document = obj(product?.source.value) ?? {};
  const id = str(document.id);
  const version = str(document.version);
  if (product && (!id || !version)) {
    issues.push(
      issue(product.file.path, "publish-refused", "the data product needs an id and a version to be published"),
    );
  }
  if (issues.length > 0 || !product || !id || !version) {
    const first = issues[0];
    throw new RefusedError(
      issues.length === 1 && first ? `${first.file}: ${first.message}` : `the folder has ${issues.length} problems`,
      issues,
    );
  }
  const teamName = str(obj(document.team)?.name);
  return {
    files,
    id,
    version,
    product: { ...product, document },
    contracts,
    pipeline: pipelines[0],
    declaredTeam: teamName ? teamIdOf(teamName) : null,
  };
}
