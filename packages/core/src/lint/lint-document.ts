import { type Issue, sortIssues } from "../issues.js";
import { detectKind } from "../spec/kinds.js";
import type { SourceDocument } from "../spec/source.js";
import { validateSchema } from "../spec/validate.js";
import { type ProductContext, runRules } from "./lint-rule.js";
import { asObj } from "./read.js";
import { lintRules } from "./rule-table.js";

const expected =
  "expected an ODCS data contract (kind: DataContract), an ODPS data product (kind: DataProduct), a DCS contract (dataContractSpecification) or a DPS product (dataProductSpecification)";

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  const obj = asObj(value);
  if (!obj) return `a ${typeof value} scalar`;
  if ("kind" in obj) return `kind: ${JSON.stringify(obj.kind)}`;
  const keys = Object.keys(obj).slice(0, 3);
  return keys.length
    ? `a mapping with ${keys.join(", ")}${Object.keys(obj).length > 3 ? ", …" : ""} but no kind`
    : "an empty mapping";
}

/** Parse issues, kind detection, schema validation and the semantic rules for one document. */
export function lintSource(
  src: SourceDocument,
  product?: ProductContext,
  contracts?: ReadonlyMap<string, unknown>,
): Issue[] {
  const issues = [...src.issues];
  if (!src.readable) return sortIssues(issues);
  const detected = detectKind(src.value);
  if (!detected) {
    issues.push({
      code: "unknown-document-kind",
      severity: "error",
      message: `unknown document kind: ${expected}; found ${describe(src.value)}`,
      file: src.file,
      line: 1,
      column: 1,
      path: "",
    });
    return sortIssues(issues);
  }
  const { kind } = detected;
  issues.push(...validateSchema(src, kind));
  issues.push(
    ...runRules(lintRules[kind], {
      src,
      value: src.value,
      kind,
      ...(product ? { product } : {}),
      ...(contracts ? { contracts } : {}),
    }),
  );
  return sortIssues(issues);
}

/** Everything wrong with one ODCS/ODPS/DCS/DPS document, each issue at its file:line:column. */
export function lintDocument(src: SourceDocument): Issue[] {
  return lintSource(src);
}
