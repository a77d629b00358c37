import { consumeFormats, defaultConsumeLimits } from "../../engines/read.js";
import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  logicalTypeOf,
  objectsOf,
  physicalNameOf,
  propertiesOf,
  selectObjects,
} from "../contract-view.js";
import { ConvertContext, isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { pascalCase, uniqueIdentifiers } from "../names.js";

/** Options of the OpenAPI export (declared in index.ts). */
export const openApiDefaults = { baseUrl: "http://localhost:8080" } as const;

type Schema = JsonObject;

/** Error answers of the consume route, as the platform documents them (docs/api.md, routes/harness.ts). */
const errorAnswers: readonly [string, string][] = [
  ["400", "The request is malformed or refused: `sql-refused`, `query-failed`, `query-timeout`, `format-not-served`"],
  ["401", "No credential, or one that does not hold (expired, revoked, forged)"],
  ["403", "Signed in, but without an agreement on the port (nor a public port)"],
  ["404", "No such product or port"],
  ["409", "The product does not serve reads (`product-draft`, `product-stopped`)"],
  ["410", "The product (or port) reached its end of life: a tombstone, no longer served"],
  ["413", "The body is larger than the server accepts"],
  [
    "422",
    "The port's data cannot be located or reached: `no-readable-server`, `server-path-refused`, `missing-variable`, `literal-credential`, `extension-missing`, `dataset-unreadable`",
  ],
  ["423", "The product is paused"],
];

/**
 * An OpenAPI 3.1 document for reading this contract's data through the product's harness: the
 * consume route (`POST /api/products/{id}/consume`) with its real body, its JSON answer with the
 * rows typed by the contract's properties, bearer authentication and the platform's error shape.
 */
export function exportOpenApi(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract, options } = input;
  const baseUrl = (options.baseUrl ?? openApiDefaults.baseUrl).replace(/\/+$/, "");
  const product = productId(input, ctx);
  const port = portName(input, ctx);
  const objects = selectObjects(contract, options.schema);
  if (objects.length === 0) {
    const all = objectsOf(contract).map((o) => o.name);
    ctx.error(
      options.schema === undefined ? ["schema"] : [],
      "openapi-no-object",
      options.schema === undefined
        ? "the contract has no schema objects: there are no datasets to read"
        : `no schema object ${JSON.stringify(options.schema)}; known: ${all.join(", ") || "none"}`,
    );
    return { files: [], issues: ctx.issues };
  }
  const all = objectsOf(contract);
  const names = uniqueIdentifiers(
    objects.map((o) => `${pascalCase(o.name) || "Dataset"}Row`),
    { case: "keep" },
  );
  const schemas: Record<string, Schema> = {};
  objects.forEach((o, i) => {
    const index = all.indexOf(o);
    schemas[names[i] as string] = rowSchema(ctx, o, ["schema", index]);
  });
  const rowRefs = names.map((n) => ({ $ref: `#/components/schemas/${n}` }));
  schemas.ConsumeRequest = consumeRequest(port, objects);
  schemas.ConsumeResult = {
    type: "object",
    description:
      "A consume answer as JSON: the columns DuckDB (or PostgreSQL) reports, the rows as objects, the row count and whether `limit` cut them.",
    required: ["columns", "rows", "rowCount", "truncated"],
    properties: {
      columns: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "type"],
          properties: { name: { type: "string" }, type: { type: "string", examples: ["VARCHAR", "BIGINT"] } },
        },
      },
      rows: {
        type: "array",
        description:
          objects.length === 1
            ? `Rows of ${objects[0]?.name}, keyed by column name.`
            : `Rows of the dataset the SQL reads: ${objects.map((o) => o.name).join(", ")}, keyed by column name.`,
        items: rowRefs.length === 1 ? rowRefs[0] : { anyOf: rowRefs },
      },
      rowCount: { type: "integer", minimum: 0 },
      truncated: { type: "boolean", description: "True when more rows existed than `limit`." },
    },
  };
  schemas.Error = {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "string", examples: ["sql-refused"] },
          message: { type: "string" },
          details: {},
        },
      },
    },
  };
  const title = typeof contract.name === "string" ? contract.name : contract.id;
  const purpose = isObject(contract.description) ? contract.description.purpose : undefined;
  const doc = {
    openapi: "3.1.0",
    info: {
      title: `${title}: data of ${product} port ${port}`,
      version: contract.version,
      description: [
        typeof purpose === "string" ? purpose.trim() : undefined,
        `Generated by Quanta from contract ${contract.id} ${contract.version}. Reads go through the data product's harness: one read-only SELECT over the port's datasets (${objects.map((o) => o.name).join(", ")}), run where the data lives.`,
      ]
        .filter(Boolean)
        .join("\n\n"),
    },
    servers: [{ url: baseUrl }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: "Harness", description: "The interfaces every data product answers" }],
    paths: {
      "/api/products/{id}/consume": {
        post: {
          operationId: "consumeProduct",
          tags: ["Harness"],
          summary: `Read ${objects.map((o) => o.name).join(", ")} of ${product} (port ${port})`,
          description: `Runs one read-only SELECT over the port's datasets (views named after the contract's schema objects) in a sandbox that sees only them, with the reader's masks and row filters. Without \`sql\`, every row of the port's only dataset. At most ${defaultConsumeLimits.maxSqlLength.toLocaleString("en")} characters of SQL and ${defaultConsumeLimits.timeoutMs / 1000} s per query.`,
          parameters: [
            {
              name: "id",
              in: "path",
              required: true,
              description: "The data product",
              schema: { type: "string", enum: [product], default: product },
            },
          ],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/ConsumeRequest" },
                examples: Object.fromEntries(
                  objects.map((o, i) => [
                    names[i] ?? o.name,
                    {
                      summary: `Rows of ${o.name}`,
                      value: { port, sql: `SELECT * FROM ${quoteIdentifier(o.name)}`, limit: 100, format: "json" },
                    },
                  ]),
                ),
              },
            },
          },
          responses: {
            "200": {
              description: "The rows, streamed once the query has run to its end",
              headers: {
                Deprecation: {
                  description: "After the product's end of support (RFC 9745): when support ended, as @seconds",
                  schema: { type: "string" },
                },
                Sunset: {
                  description: "After end of support, when the product has an end of life (RFC 8594)",
                  schema: { type: "string" },
                },
              },
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/ConsumeResult" } },
                "text/csv": {
                  schema: { type: "string", description: "A header row and the records (RFC 4180, CRLF)" },
                },
                "application/vnd.apache.parquet": {
                  schema: { type: "string", contentMediaType: "application/vnd.apache.parquet" },
                },
                "application/vnd.apache.arrow.stream": {
                  schema: { type: "string", contentMediaType: "application/vnd.apache.arrow.stream" },
                },
              },
            },
            ...Object.fromEntries(
              errorAnswers.map(([status, description]) => [
                status,
                { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
              ]),
            ),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "A Quanta API token (`quanta login`, or POST /api/tokens)",
        },
      },
      schemas,
    },
  };
  const file = `${(product || "product").replace(/[^A-Za-z0-9._-]/g, "_")}.${port.replace(/[^A-Za-z0-9._-]/g, "_")}.openapi.json`;
  return {
    files: [
      { path: file, content: `${JSON.stringify(doc, null, 2)}\n`, mediaType: "application/vnd.oai.openapi+json" },
    ],
    issues: ctx.issues,
  };
}

function productId(input: ExportInput, ctx: ConvertContext): string {
  if (input.options.product) return input.options.product;
  if (typeof input.product?.id === "string") return input.product.id;
  if (typeof input.contract.dataProduct === "string" && input.contract.dataProduct !== "") {
    return input.contract.dataProduct;
  }
  ctx.warn(
    [],
    "openapi-product-assumed",
    `no product named (--product, --option product=, or dataProduct in the contract); the contract id ${input.contract.id} is used as the product id`,
  );
  return input.contract.id;
}

/** The output port that serves the contract: named, else the product's port whose contractId is this contract. */
function portName(input: ExportInput, ctx: ConvertContext): string {
  if (input.options.port) return input.options.port;
  const ports = Array.isArray(input.product?.outputPorts) ? input.product.outputPorts.filter(isObject) : [];
  const serving = ports.find((p) => p.contractId === input.contract.id && typeof p.name === "string");
  if (serving) return String(serving.name);
  const fallback = input.contract.schema?.[0]?.name ?? input.contract.id;
  ctx.warn(
    [],
    "openapi-port-assumed",
    `no output port named (--option port=) nor found in the product for contract ${input.contract.id}; assumed ${fallback}`,
  );
  return fallback;
}

function consumeRequest(port: string, objects: SchemaObject[]): Schema {
  return {
    type: "object",
    required: ["port"],
    additionalProperties: false,
    properties: {
      port: {
        type: "string",
        minLength: 1,
        maxLength: 200,
        description: "The output port",
        default: port,
        examples: [port],
      },
      sql: {
        type: "string",
        maxLength: 100_000,
        description: `One SELECT over the port's datasets: ${objects.map((o) => quoteIdentifier(o.name)).join(", ")}. Default: all rows of the only dataset.`,
        examples: objects.map((o) => `SELECT * FROM ${quoteIdentifier(o.name)}`),
      },
      limit: {
        type: "integer",
        minimum: 1,
        description: `Most rows returned (default ${defaultConsumeLimits.defaultRows.toLocaleString("en")}; the server's maximum, ${defaultConsumeLimits.maxRows.toLocaleString("en")} unless the owner set less, applies)`,
      },
      format: { type: "string", enum: [...consumeFormats], default: "json" },
    },
  };
}

/** A row of one dataset: each property under the column name the data has. */
function rowSchema(ctx: ConvertContext, object: SchemaObject, path: Path): Schema {
  const properties: Record<string, Schema> = {};
  propertiesOf(object).forEach((p, i) => {
    properties[physicalNameOf(p)] = propertySchema(ctx, p, [...path, "properties", i]);
  });
  return {
    type: "object",
    title: object.name,
    ...(object.description ? { description: object.description } : {}),
    properties,
  };
}

/**
 * The JSON a property's values arrive as (DuckDB's JSON output, which the PostgreSQL path
 * matches): numbers, booleans, strings for dates and times, objects for structs, arrays for
 * lists; `null` unless the property is required.
 */
function propertySchema(ctx: ConvertContext, p: SchemaProperty | SchemaItemProperty, path: Path): Schema {
  const type = logicalTypeOf(p);
  const options = isObject(p.logicalTypeOptions) ? (p.logicalTypeOptions as JsonObject) : {};
  const out: Schema = {};
  switch (type) {
    case "integer":
      out.type = "integer";
      break;
    case "number":
      out.type = "number";
      break;
    case "boolean":
      out.type = "boolean";
      break;
    case "date":
      out.type = "string";
      out.format = "date";
      break;
    case "timestamp":
      out.type = "string";
      out.description = "A timestamp as the engine writes it, e.g. `2025-01-31 13:45:00`";
      break;
    case "time":
      out.type = "string";
      out.description = "A time of day, e.g. `13:45:00`";
      break;
    case "object": {
      out.type = "object";
      const nested: Record<string, Schema> = {};
      propertiesOf(p as SchemaProperty).forEach((c, i) => {
        nested[physicalNameOf(c)] = propertySchema(ctx, c, [...path, "properties", i]);
      });
      out.properties = nested;
      break;
    }
    case "array":
      out.type = "array";
      if (p.items) out.items = propertySchema(ctx, p.items, [...path, "items"]);
      break;
    default:
      out.type = "string";
  }
  if (type === "string") {
    for (const key of ["minLength", "maxLength", "pattern"]) if (options[key] !== undefined) out[key] = options[key];
    if (
      typeof options.format === "string" &&
      ["email", "uri", "uuid", "hostname", "ipv4", "ipv6"].includes(options.format)
    ) {
      out.format = options.format;
    }
  }
  if (type === "integer" || type === "number") {
    for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]) {
      if (typeof options[key] === "number") out[key] = options[key];
    }
  }
  if (type === "array") {
    for (const key of ["minItems", "maxItems", "uniqueItems"]) if (options[key] !== undefined) out[key] = options[key];
  }
  const values = allowedValuesOf(p);
  if (values) out.enum = p.required === true ? values : [...values, null];
  if (p.description) out.description = out.description ? `${p.description} (${out.description})` : p.description;
  if (Array.isArray(p.examples) && p.examples.length > 0) out.examples = p.examples;
  if (p.required !== true) out.type = [out.type, "null"];
  if (type === "string" && options.format !== undefined && out.format === undefined) {
    ctx.info(
      [...path, "logicalTypeOptions", "format"],
      "openapi-format",
      `format ${String(options.format)} is not a JSON Schema format; not written`,
    );
  }
  return out;
}

/** A dataset name as SQL, always double-quoted: a view may be named like a keyword (`select`). */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
