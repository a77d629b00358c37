import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { formatIssue, hasErrors } from "../../issues.js";
import { lintDocument } from "../../lint/index.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { toYamlText } from "../yaml-output.js";
import { importDcs } from "./import.js";

const dir = fileURLToPath(new URL("../../../../../../shared/standards/", import.meta.url));
const ajv = new Ajv2019.default({ strict: false, allErrors: true });
addFormats.default(ajv);
const odcs = ajv.compile(JSON.parse(readFileSync(`${dir}odcs/schema/odcs-json-schema-v3.1.0.json`, "utf8")));

/**
 * Errors of the official ODCS schema with formats asserted. One is tolerated: the `{model}`
 * placeholder in S3 locations, which the ODCS schema itself uses as its example of `location`
 * but which is not an RFC 3986 URI (ajv-formats rejects it, and the "then" and
 * unevaluatedProperties errors that follow from it).
 */
function officialErrors(value: unknown): string[] {
  if (odcs(value)) return [];
  const errors = odcs.errors ?? [];
  const servers = errors
    .filter((e) => e.keyword === "format" && /\{model\}/.test(String(pointer(value, e.instancePath))))
    .map((e) => e.instancePath.replace(/\/location$/, ""));
  const cascade = (e: { instancePath: string; keyword: string }) =>
    ["format", "if", "unevaluatedProperties"].includes(e.keyword) &&
    servers.some((s) => e.instancePath === s || e.instancePath === `${s}/location`);
  return errors.filter((e) => !cascade(e)).map((e) => `${e.instancePath} ${e.message}`);
}

function pointer(value: unknown, path: string): unknown {
  return path
    .split("/")
    .slice(1)
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
}

function dcsExamples(): string[] {
  const root = `${dir}dcs/examples/`;
  return readdirSync(root).flatMap((name) => {
    const p = `${root}${name}`;
    return statSync(p).isDirectory() ? [`${p}/datacontract.yaml`] : [p];
  });
}

describe("every official DCS example converts to valid ODCS v3.1.0", () => {
  it.each(dcsExamples().map((f) => [f.slice(dir.length), f]))("%s", (_name, file) => {
    const src = SourceDocument.parse(readFileSync(file, "utf8"), file);
    const { value, issues } = importDcs(src);
    expect(issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(officialErrors(value)).toEqual([]);
    // Through YAML text and the project's own validator, as `quanta import` writes it.
    const out = SourceDocument.parse(toYamlText(value), "out.odcs.yaml");
    expect(out.issues).toEqual([]);
    expect(out.value).toEqual(value);
    expect(hasErrors(validateSchema(out, "odcs"))).toBe(false);
    expect(
      lintDocument(out)
        .filter((i) => i.severity === "error")
        .map(formatIssue),
    ).toEqual([]);
  });
});
