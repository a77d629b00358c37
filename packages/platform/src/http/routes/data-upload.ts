import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { InputError, NotAllowedError, NotFoundError, UnsupportedMediaTypeError } from "@quanta/core";
import { AuditLog } from "../../audit/audit-log.js";
import type { Harness } from "../../harness/harness.js";
import { mediaTypes } from "../../harness/ingest/read-upload.js";
import { CheckSummarySchema } from "../../harness/observation-schema.js";
import { authorize } from "../../identity/authorize.js";
import { productRef } from "../../identity/publish-target.js";
import {
  type DataFormat,
  dataFormats,
  defaultPublishDataLimits,
  type PublishDataLimits,
  publishData,
} from "../../lake/publish-data.js";
import { principalOf } from "../auth-middleware.js";
import { errorContent } from "../schemas.js";

/** The route's path, for the middleware that leaves its body alone (create-app.ts). */
export const dataUploadPath = /^\/api\/products\/[^/]+\/ports\/[^/]+\/data$/;

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" }, example: "climate.temperature" }),
  port: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "port", in: "path" }, example: "daily-temperature" }),
});

const Query = z
  .object({
    dataset: z.string().min(1).max(200).optional().openapi({
      description: "The contract's dataset (schema object) the file holds; needed when the contract has several",
    }),
    format: z
      .enum(dataFormats as [DataFormat, ...DataFormat[]])
      .optional()
      .openapi({ description: "The file's format; default from the Content-Type" }),
  })
  .strict();

export const PublishDataResultSchema = z
  .object({
    productId: z.string(),
    port: z.string(),
    dataset: z.string(),
    contractId: z.string(),
    contractVersion: z.string(),
    version: z.number().int().openapi({ description: "The port's version now current" }),
    previous: z.number().int().nullable().openapi({ description: "The version it superseded (null: the first)" }),
    format: z.enum(dataFormats as [DataFormat, ...DataFormat[]]),
    rows: z.number(),
    bytes: z.number(),
    status: z.enum(["passed", "warning"]),
    checks: z.array(CheckSummarySchema),
  })
  .openapi("PublishDataResult");

const binary = { schema: { type: "string" as const, format: "binary" } };

const uploadRoute = createRoute({
  method: "put",
  path: "/api/products/{id}/ports/{port}/data",
  operationId: "publishPortData",
  tags: ["Harness"],
  summary: "Publish a port's data: a file that becomes the port's new version once it meets the contract",
  description:
    "The body is the file (Parquet, CSV with a header row, NDJSON or a JSON array), streamed to disk as it arrives, up to the server's limit (QUANTA_MAX_UPLOAD_BYTES, default 10 GiB). It is written aside as a staged version in the storage Quanta owns, its columns are compared with the contract's dataset, and the contract's checks run over it; only when they pass does it become the port's current version, in one transaction (the previous one is superseded, readers see one or the other). Otherwise nothing changes and the staged files are removed. The version keeps the port's other datasets as they were. Only the product's owner team or an admin may publish.",
  request: {
    params: Params,
    query: Query,
    body: {
      required: true,
      content: {
        "application/vnd.apache.parquet": binary,
        "text/csv": { schema: { type: "string" as const } },
        "application/x-ndjson": { schema: { type: "string" as const } },
        "application/json": { schema: { type: "string" as const } },
        "application/octet-stream": binary,
      },
    },
  },
  responses: {
    201: {
      description: "Published: the version now current, with the contract's checks on the data",
      content: { "application/json": { schema: PublishDataResultSchema } },
    },
    400: errorContent(
      "The body is not what it claims (not Parquet, cut off, empty, unreadable), or the query is malformed",
    ),
    401: errorContent("Not signed in"),
    403: errorContent("Not the product's owner team or an admin"),
    404: errorContent("No such product, output port or dataset"),
    408: errorContent("The upload sent nothing for a minute"),
    409: errorContent("A version staged later became current first; upload again"),
    413: errorContent("The file is larger than the server accepts"),
    415: errorContent("The content type names no format and no `format` was given"),
    422: errorContent(
      "The file's columns do not match the contract (`wrong-schema`), or its checks failed (`checks-failed`, every check in `details.checks`): nothing was published",
    ),
  },
});

/** The format a request names: `format`, else its content type. */
function formatOf(query: DataFormat | undefined, contentType: string | undefined): DataFormat {
  if (query) return query;
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const format = mediaTypes[type];
  if (!format)
    throw new UnsupportedMediaTypeError(
      `name the file's format: format=${dataFormats.join("|")}, or a content type (${Object.keys(mediaTypes).join(", ")}); got "${type || "none"}"`,
      { code: "unsupported-media-type" },
    );
  return format;
}

function lengthOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d+$/.test(header.trim())) throw new InputError(`Content-Length "${header}" is not a length`);
  return Number(header);
}

/** `PUT /api/products/{id}/ports/{port}/data`: publishing a port's data (lake/publish-data.ts). */
export function registerDataUpload(app: OpenAPIHono, harness: Harness, limits: Partial<PublishDataLimits> = {}): void {
  const all = { ...defaultPublishDataLimits, ...limits };
  app.openapi(uploadRoute, async (c) => {
    const { id, port } = c.req.valid("param");
    const query = c.req.valid("query");
    const principal = principalOf(c);
    const ref = await productRef(harness.db, id);
    if (!ref) {
      // As the harness guard: sign in first, then learn that the product does not exist.
      if (!principal) authorize(principal, "product.upload", { id, ownerTeam: null });
      throw new NotFoundError(`no data product "${id}"`);
    }
    try {
      authorize(principal, "product.upload", ref);
    } catch (e) {
      if (e instanceof NotAllowedError && principal) {
        await new AuditLog(harness.db).append({
          actor: principal.name,
          action: "publish-data",
          productId: id,
          port,
          decision: "denied",
          reason: e.message,
          details: { dataset: query.dataset ?? null },
        });
      }
      throw e;
    }
    const result = await publishData(
      harness.db,
      harness.lake,
      {
        productId: id,
        port,
        dataset: query.dataset,
        format: formatOf(query.format, c.req.header("content-type")),
        body: c.req.raw.body,
        length: lengthOf(c.req.header("content-length")),
        actor: principal?.name ?? "anonymous",
      },
      all,
    );
    return c.json(result, 201);
  });
}
