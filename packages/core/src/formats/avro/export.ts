import type { SchemaObject } from "../../spec/odcs/model.js";
import { objectsOf, selectObjects } from "../contract-view.js";
import { ConvertContext, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { inputIssue } from "../text-source.js";
import { AvroSchemaWriter, toAvroNamespace } from "./avro-schema.js";

export interface AvroRecords {
  records: JsonObject[];
  namespace: string | undefined;
  ctx: ConvertContext;
  error?: ExportResult;
}

/** The records of the chosen objects, or the reason there are none. */
export function avroRecords(input: ExportInput, format: string): AvroRecords {
  const { contract, options } = input;
  const ctx = new ConvertContext(input.source);
  const namespace = options.namespace !== undefined ? toAvroNamespace(options.namespace) || undefined : undefined;
  const all = objectsOf(contract);
  const chosen = selectObjects(contract, options.schema);
  if (chosen.length === 0) {
    const message =
      options.schema === undefined
        ? "the contract has no schema objects to export"
        : `the contract has no schema object ${JSON.stringify(options.schema)}; it has ${all.map((o) => o.name).join(", ") || "none"}`;
    return {
      records: [],
      namespace,
      ctx,
      error: { files: [], issues: [inputIssue(input.source.file, "export-no-schema", message)] },
    };
  }
  const writer = new AvroSchemaWriter(ctx, format);
  const records = chosen.map((o: SchemaObject) => writer.record(o, ["schema", all.indexOf(o)], namespace));
  return { records, namespace, ctx };
}

/**
 * An Avro schema (`.avsc`): the record of the one schema object (or of `schema=`), or, for several,
 * a JSON array of records (a top-level union, one record per schema object).
 */
export function exportAvro(input: ExportInput): ExportResult {
  const { records, ctx, error } = avroRecords(input, "Avro");
  if (error) return error;
  const document = records.length === 1 ? records[0] : records;
  const base = (input.options.schema ?? input.contract.id ?? "contract").replace(/[^\p{L}\p{N}._-]+/gu, "_");
  return {
    files: [{ path: `${base}.avsc`, content: `${JSON.stringify(document, null, 2)}\n`, mediaType: "application/json" }],
    issues: ctx.issues,
  };
}
