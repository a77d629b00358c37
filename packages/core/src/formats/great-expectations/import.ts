import type { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type JsonObject } from "../convert-context.js";
import type { FormatOptions, ImportResult } from "../format.js";
import { snakeCase } from "../names.js";
import { placeItems } from "../sodacl/quality-items.js";
import { convertExpectations, suiteShape } from "./expectations.js";

/**
 * A Great Expectations suite (GX 0.x or 1.x JSON) → an ODCS contract with one schema object (the
 * data asset), its properties the columns the expectations name, the expectations as executable
 * rules and constraints.
 */
export function importSuite(src: SourceDocument, options: FormatOptions): ImportResult {
  const ctx = new ConvertContext(src);
  const suite = suiteShape(ctx, src.value);
  if (!suite) return { value: {}, issues: [...src.issues, ...ctx.issues] };
  const items = convertExpectations(ctx, suite.expectations, ["expectations"]);
  // GX names suites `<asset>.<purpose>` by convention.
  const asset = options.data_asset ?? (suite.name.split(".")[0] || suite.name);
  const object: JsonObject = { name: asset, physicalType: "table" };
  placeItems(object, items);
  const id = options.id ?? (snakeCase(suite.name) || "suite");
  return {
    value: {
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id,
      name: suite.name,
      version: options.version ?? "1.0.0",
      status: "draft",
      schema: [object],
    },
    issues: [...src.issues, ...ctx.issues],
  };
}
