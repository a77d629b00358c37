import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  type ExportResult,
  exportFormats,
  exportWithFormat,
  type Format,
  type FormatOption,
  getFormat,
  hasErrors,
  InputError,
  type Issue,
  importFormats,
  importWithFormat,
  NotFoundError,
  SourceDocument,
  UnprocessableError,
} from "@quanta/core";
import type { Context } from "hono";
import { dataImportEnvironment } from "../../formats/data-import-environment.js";
import { UnauthenticatedError } from "../../identity/unauthenticated-error.js";
import { currentPipelineSource } from "../../pipelines/pipeline-declaration.js";
import type { Registry } from "../../registry/registry.js";
import { principalOf } from "../auth-middleware.js";
import { ExportedFilesSchema, FormatsSchema, ImportedSchema } from "../format-schemas.js";
import { errorContent } from "../schemas.js";

/** The conversion routes read their body as the format's own bytes (create-app.ts leaves it alone). */
export const formatBodyPath = /^\/api\/formats\/[^/]+\/(import|export)$/;

const FormatParam = z.object({
  format: z
    .string()
    .min(1)
    .max(60)
    .openapi({ param: { name: "format", in: "path" }, example: "sql" }),
});

/** Every query parameter is an option of the format (`?dialect=snowflake`), checked by the format. */
const OptionsQuery = z
  .object({
    dialect: z.string().max(60).optional().openapi({ description: "SQL flavour, for the formats that take one" }),
    schema: z.string().max(300).optional().openapi({ description: "One schema object, for the formats that take one" }),
  })
  .catchall(z.string().max(2000))
  .openapi({ description: "Options of the format, by name (see GET /api/formats)" });

const anyBody = {
  required: true,
  content: {
    "application/octet-stream": { schema: { type: "string" as const, format: "binary" } },
    "text/plain": { schema: { type: "string" as const } },
    "application/yaml": { schema: { type: "string" as const } },
    "application/json": { schema: { type: "string" as const } },
  },
};

const exportAnswers = {
  200: {
    description:
      "The exported file, with its media type and a Content-Disposition naming it; a format that writes several files answers them as JSON (ExportResult).",
    content: {
      "application/octet-stream": { schema: { type: "string" as const, format: "binary" } },
      "application/json": { schema: ExportedFilesSchema },
    },
  },
  400: errorContent("An unknown format or option, or a body that is not an ODCS contract"),
  422: errorContent("The contract cannot be written in this format; `details.issues` says why, each at its line"),
};

const listRoute = createRoute({
  method: "get",
  path: "/api/formats",
  operationId: "listFormats",
  tags: ["Formats"],
  summary: "The formats contracts are imported from and exported to, with their options",
  responses: {
    200: { description: "Import and export formats", content: { "application/json": { schema: FormatsSchema } } },
  },
});

const importRoute = createRoute({
  method: "post",
  path: "/api/formats/{format}/import",
  operationId: "importDocument",
  tags: ["Formats"],
  summary: "Convert a schema, a dbt manifest, quality checks or a data file into an ODCS contract (signed in)",
  description:
    "The body is the file itself (SQL DDL, an Avro schema, a dbt manifest.json, an Excel workbook, a Parquet or CSV file…), up to 8 MiB. The answer is the contract as a document and as YAML, with what did not map as warnings at their line and column. A body the format cannot read is a 422 with its issues in `details.issues`. A data file (Parquet, CSV, JSON rows) is read through the engine registry and its contract inferred; live databases (`postgres`) are read by the console (`quanta import`), never by the server on a caller's say.",
  request: { params: FormatParam, query: OptionsQuery, body: anyBody },
  responses: {
    200: { description: "The converted document", content: { "application/json": { schema: ImportedSchema } } },
    400: errorContent("An unknown format or option"),
    401: errorContent("Not signed in"),
    413: errorContent("A body larger than the limit"),
    422: errorContent("The body cannot be converted; `details.issues` says why, each at its line"),
  },
});

const exportRoute = createRoute({
  method: "post",
  path: "/api/formats/{format}/export",
  operationId: "exportDocument",
  tags: ["Formats"],
  summary: "Write an ODCS contract sent in the body in another format (signed in)",
  request: { params: FormatParam, query: OptionsQuery, body: anyBody },
  responses: { ...exportAnswers, 401: errorContent("Not signed in") },
});

const ContractParams = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" }, example: "sales.orders" }),
  contractId: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "contractId", in: "path" }, example: "sales.orders.orders" }),
});

const publishedExportRoute = createRoute({
  method: "get",
  path: "/api/products/{id}/contracts/{contractId}/export",
  operationId: "exportContract",
  tags: ["Formats"],
  summary: "A published contract in another format: DDL, schemas, dbt, quality checks, documentation, code",
  description:
    "`format` names the format; `version` a published version (default: the current one); every other query parameter is an option of the format.",
  request: {
    params: ContractParams,
    query: OptionsQuery.extend({
      format: z.string().min(1).max(60).openapi({ description: "The format to write", example: "sql" }),
      version: z.string().max(100).optional().openapi({ description: "A published version; default: the current one" }),
      file: z
        .string()
        .max(500)
        .optional()
        .openapi({ description: "Of a format that writes several files, only this one (its `path`)" }),
    }),
  },
  responses: { ...exportAnswers, 404: errorContent("No such product, contract or version") },
});

function directionOf(format: Format, options: readonly FormatOption[] | undefined, description: string) {
  return {
    name: format.name,
    title: format.title,
    description,
    options: (options ?? []).map((o) => ({
      name: o.name,
      description: o.description,
      ...(o.choices ? { choices: [...o.choices] } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    })),
  };
}

function formatNamed(name: string, direction: "import" | "export"): Format {
  const format = getFormat(name);
  const has = direction === "import" ? format?.importer : format?.exporter;
  if (!format || !has) {
    const known = (direction === "import" ? importFormats : exportFormats).map((f) => f.name).join(", ");
    throw new NotFoundError(`no ${direction} format "${name}"; known: ${known}`);
  }
  return format;
}

function refuse(message: string, issues: readonly Issue[]): never {
  const first = issues.find((i) => i.severity === "error");
  // A wrong option is a wrong request (400); a body the format cannot take is unprocessable (422).
  if (first?.code.startsWith("format-option-")) throw new InputError(first.message, { details: { issues } });
  throw new UnprocessableError(first ? `${message}: ${first.message}` : message, {
    code: "conversion-failed",
    details: { issues },
  });
}

/** Options are given as query parameters; an option given twice is refused rather than guessed. */
function optionsOf(c: Context, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (skip.includes(name)) continue;
    if (values.length !== 1) throw new InputError(`option ${name} is given ${values.length} times`);
    out[name] = values[0] ?? "";
  }
  return out;
}

function requireSignIn(c: Context, what: string): void {
  if (!principalOf(c))
    throw new UnauthenticatedError(`sign in (an API token or an OpenID Connect bearer token) to ${what}`);
}

/** An export as an answer: its one file as itself, or several as JSON. */
function exportAnswer(c: Context, result: ExportResult, baseName: string): Response {
  if (hasErrors(result.issues)) refuse("the contract cannot be written in this format", result.issues);
  const [only, ...more] = result.files;
  if (only && more.length === 0) {
    const name = `${baseName}-${only.path.split("/").pop() ?? only.path}`.replace(/[^\w.-]+/g, "_");
    const body = typeof only.content === "string" ? only.content : new Uint8Array(only.content);
    return c.body(body, 200, {
      "Content-Type":
        only.mediaType.includes("charset") || typeof only.content !== "string"
          ? only.mediaType
          : `${only.mediaType}; charset=utf-8`,
      "Content-Disposition": `attachment; filename="${name}"`,
      "X-Content-Type-Options": "nosniff",
      // An exported page (html) opened from this origin runs nothing and reaches nothing.
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    });
  }
  return c.json(
    {
      files: result.files.map((f) =>
        typeof f.content === "string"
          ? { path: f.path, mediaType: f.mediaType, encoding: "utf-8" as const, content: f.content }
          : {
              path: f.path,
              mediaType: f.mediaType,
              encoding: "base64" as const,
              content: Buffer.from(f.content).toString("base64"),
            },
      ),
      issues: result.issues,
    },
    200,
  );
}

/** Endings of the data files an upload is written to, so the engine reads it as that format. */
const dataFileEndings: Readonly<Record<string, string>> = {
  parquet: "parquet",
  csv: "csv",
  json: "json",
  duckdb: "duckdb",
};

/**
 * A data file sent in the body, inferred as the console would: written to a folder of its own,
 * read through the engine registry, removed after. The contract's server names the file as
 * `data.<ending>`, never the server's folder; a database (`postgres`) is never opened on a
 * caller's say.
 */
async function importUploadedData(format: Format, bytes: Uint8Array, options: Record<string, string>) {
  const ending = dataFileEndings[format.name];
  if (!ending) {
    throw new InputError(
      `${format.name} reads a live database; run \`quanta import --format ${format.name} …\` on the console, next to it`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "quanta-import-"));
  try {
    const file = `data.${ending}`;
    await writeFile(join(dir, file), bytes);
    const outcome = await importWithFormat(
      format,
      { file, bytes: new Uint8Array() },
      { name: "data", ...options },
      dataImportEnvironment({ baseDir: dir, env: {} }),
      "<output>",
    );
    const hide = (text: string) => text.replaceAll(dir, "<upload>");
    return { ...outcome, issues: outcome.issues.map((i) => ({ ...i, message: hide(i.message), file: hide(i.file) })) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Import and export of contracts in other formats (issue 18), over core's format registry. */
export function registerFormats(app: OpenAPIHono, registry: Registry): void {
  app.openapi(listRoute, (c) =>
    c.json(
      {
        import: importFormats.flatMap((f) =>
          f.importer
            ? [
                {
                  ...directionOf(f, f.importer.options, f.importer.description),
                  target: f.importer.target,
                  input: f.importer.input,
                },
              ]
            : [],
        ),
        export: exportFormats.flatMap((f) =>
          f.exporter ? [directionOf(f, f.exporter.options, f.exporter.description)] : [],
        ),
      },
      200,
    ),
  );

  app.openapi(importRoute, async (c) => {
    requireSignIn(c, "convert documents");
    const format = formatNamed(c.req.valid("param").format, "import");
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const outcome =
      format.importer?.input === "data"
        ? await importUploadedData(format, bytes, optionsOf(c))
        : await importWithFormat(format, { file: "<upload>", bytes }, optionsOf(c));
    if (outcome.text === undefined) refuse(`cannot convert the body as ${format.name}`, outcome.issues);
    return c.json(
      {
        format: format.name,
        target: format.importer?.target ?? "odcs",
        document: outcome.value,
        yaml: outcome.text,
        issues: outcome.issues,
      },
      200,
    );
  });

  app.openapi(exportRoute, async (c) => {
    requireSignIn(c, "convert documents");
    const format = formatNamed(c.req.valid("param").format, "export");
    const src = SourceDocument.fromBytes(new Uint8Array(await c.req.arrayBuffer()), "<upload>");
    if (!src.readable) refuse("the body is not a readable YAML or JSON document", src.issues);
    const result = await exportWithFormat(format, src, optionsOf(c));
    return exportAnswer(c, result, format.name);
  });

  app.openapi(publishedExportRoute, async (c) => {
    const { id, contractId } = c.req.valid("param");
    const name = c.req.query("format");
    if (!name)
      throw new InputError(`name the format: ?format=… (one of ${exportFormats.map((f) => f.name).join(", ")})`);
    const format = formatNamed(name, "export");
    const wanted = c.req.query("version");
    const file = c.req.query("file");
    const current = (await registry.contracts(id)).find((k) => k.id === contractId);
    if (!current) throw new NotFoundError(`data product "${id}" has no contract "${contractId}"`);
    const published = await registry.contractVersion(id, contractId, wanted ?? current.version);
    // The product as its own folder holds it: the ODPS document and its pipeline (airflow reads the schedule).
    const pipeline = await currentPipelineSource(registry.db, id);
    const product = { ...(await registry.product(id)).document, ...(pipeline ? { pipeline: pipeline.value } : {}) };
    const src = SourceDocument.parse(published.source, published.file);
    const result = await exportWithFormat(format, src, optionsOf(c, ["format", "version", "file"]), product);
    if (file !== undefined && !hasErrors(result.issues)) {
      const one = result.files.find((f) => f.path === file);
      if (!one)
        throw new NotFoundError(
          `the ${format.name} export has no file "${file}"; it has: ${result.files.map((f) => f.path).join(", ")}`,
        );
      return exportAnswer(c, { files: [one], issues: result.issues }, `${contractId}-${published.version}`);
    }
    return exportAnswer(c, result, `${contractId}-${published.version}`);
  });
}
