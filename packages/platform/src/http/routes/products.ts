import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { levelsFrom } from "../../governance/certified-products.js";
import { UnauthenticatedError } from "../../identity/unauthenticated-error.js";
import {
  ContractSummarySchema,
  ContractVersionSchema,
  ContractVersionSummarySchema,
} from "../../registry/contract-schema.js";
import { FacetsSchema, ProductDetailSchema, ProductListSchema } from "../../registry/product-schema.js";
import { PublishResultSchema } from "../../registry/publish-schema.js";
import type { Registry } from "../../registry/registry.js";
import { errorContent, PublishRequestSchema, RefusedSchema } from "../schemas.js";

/** Bounds that keep a listing cheap; beyond them a request is a mistake, not a need. */
export const listLimits = { maxLimit: 100, defaultLimit: 20, maxOffset: 10_000, maxQueryLength: 200 } as const;

const filter = (description: string) => z.string().min(1).max(200).optional().openapi({ description });

const ListQuery = z
  .object({
    q: z
      .string()
      .max(listLimits.maxQueryLength)
      .optional()
      .openapi({ description: "Search text (name, summary, tags, glossary, schema names); typos tolerated" }),
    domain: filter("Only products of this domain"),
    team: filter("Only products of this owner team (its id)"),
    tag: filter("Only products with this tag"),
    status: filter("Only products in this status (draft, active, deprecated, retired...)"),
    certification: z.enum(["none", "raw", "curated", "authoritative"]).optional().openapi({
      description: "Only products certified at this level or higher now (none: not certified)",
    }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(listLimits.maxLimit)
      .default(listLimits.defaultLimit)
      .openapi({ type: "integer" }),
    offset: z.coerce.number().int().min(0).max(listLimits.maxOffset).default(0).openapi({ type: "integer" }),
  })
  .strict();

const ProductParams = z.object({
  id: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "id", in: "path" }, example: "climate.weather-station-readings" }),
});
const ContractParams = ProductParams.extend({
  contractId: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "contractId", in: "path" } }),
});
const VersionParams = ContractParams.extend({
  version: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "version", in: "path" }, example: "1.2.0" }),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const bad = errorContent("The request is malformed (query, path, body, JSON)");
const missing = errorContent("No such product, contract or version");

const list = createRoute({
  method: "get",
  path: "/api/products",
  operationId: "listProducts",
  tags: ["Products"],
  summary: "List, filter and search data products",
  description: "Ranked by relevance when `q` is given (a name match above a mere mention), else by name.",
  request: { query: ListQuery },
  responses: { 200: json(ProductListSchema, "One page of products and the total number of matches"), 400: bad },
});

const facets = createRoute({
  method: "get",
  path: "/api/facets",
  operationId: "productFacets",
  tags: ["Products"],
  summary: "Facet counts of a search: how many matching products carry each domain, team, tag and status",
  description:
    "The same filters and search text as `GET /api/products`. Each facet is counted under every filter but its own, so a chosen domain still lists the other domains with their counts. At most 50 values per facet, most common first.",
  request: { query: ListQuery.omit({ limit: true, offset: true }) },
  responses: { 200: json(FacetsSchema, "Each facet's values with their counts"), 400: bad },
});

const publish = createRoute({
  method: "post",
  path: "/api/products",
  operationId: "publishProduct",
  tags: ["Products"],
  summary: "Publish a data product folder (its ODPS file and ODCS contracts) as a new version",
  request: { body: { required: true, content: { "application/json": { schema: PublishRequestSchema } } } },
  responses: {
    200: json(PublishResultSchema, "This exact version was already published; nothing changed"),
    201: json(PublishResultSchema, "Published"),
    400: bad,
    409: errorContent(
      "The version is already published with other content, is lower than the current one, or another publish landed first",
    ),
    413: errorContent("The body is larger than the server accepts"),
    422: { description: "The product has lint errors", content: { "application/json": { schema: RefusedSchema } } },
  },
});

const get = createRoute({
  method: "get",
  path: "/api/products/{id}",
  operationId: "getProduct",
  tags: ["Products"],
  summary: "A data product: its current version, ports, contracts and version history",
  request: { params: ProductParams },
  responses: { 200: json(ProductDetailSchema, "The product"), 400: bad, 404: missing },
});

const contracts = createRoute({
  method: "get",
  path: "/api/products/{id}/contracts",
  operationId: "listContracts",
  tags: ["Products"],
  summary: "The contracts of a data product, each at its current version",
  request: { params: ProductParams },
  responses: {
    200: json(z.object({ items: z.array(ContractSummarySchema) }), "The contracts"),
    400: bad,
    404: missing,
  },
});

const versions = createRoute({
  method: "get",
  path: "/api/products/{id}/contracts/{contractId}/versions",
  operationId: "listContractVersions",
  tags: ["Products"],
  summary: "Every published version of a contract, newest first",
  request: { params: ContractParams },
  responses: {
    200: json(z.object({ items: z.array(ContractVersionSummarySchema) }), "The versions"),
    400: bad,
    404: missing,
  },
});

const version = createRoute({
  method: "get",
  path: "/api/products/{id}/contracts/{contractId}/versions/{version}",
  operationId: "getContractVersion",
  tags: ["Products"],
  summary: "One published (immutable) contract version with its source text",
  request: { params: VersionParams },
  responses: { 200: json(ContractVersionSchema, "The contract version"), 400: bad, 404: missing },
});

/** The list's query as the registry takes it: `certification=curated` means curated or above. */
function registryQuery<Q extends { certification?: string | undefined }>({ certification, ...query }: Q) {
  return { ...query, certification: certification ? levelsFrom(certification) : undefined };
}

export function registerProducts(app: OpenAPIHono, registry: Registry): void {
  app.openapi(list, async (c) => c.json(await registry.search(registryQuery(c.req.valid("query"))), 200));
  app.openapi(facets, async (c) => c.json(await registry.facets(registryQuery(c.req.valid("query"))), 200));
  app.openapi(publish, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    if (!principal)
      throw new UnauthenticatedError("sign in (an API token or an OpenID Connect bearer token) to publish");
    const result = await registry.publishAs(principal, { files: body.files, expectedVersion: body.expectedVersion });
    return c.json(result, result.created ? 201 : 200);
  });
  app.openapi(get, async (c) => c.json(await registry.product(c.req.valid("param").id), 200));
  app.openapi(contracts, async (c) => c.json({ items: await registry.contracts(c.req.valid("param").id) }, 200));
  app.openapi(versions, async (c) => {
    const p = c.req.valid("param");
    return c.json({ items: await registry.contractVersions(p.id, p.contractId) }, 200);
  });
  app.openapi(version, async (c) => {
    const p = c.req.valid("param");
    return c.json(await registry.contractVersion(p.id, p.contractId, p.version), 200);
  });
}
