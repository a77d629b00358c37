/**
 * `@quanta/platform/api`: the shapes of the HTTP API's answers, as TypeScript types derived from
 * the zod schemas the routes validate and document with. The schemas live in the feature folders
 * beside the services, whose own types are inferred from the same schemas (so /api/openapi.json,
 * the server and the marketplace cannot drift apart). Types only: importing this entry loads nothing.
 */
import type { z } from "@hono/zod-openapi";
import type { AgreementSchema } from "../access/agreement.js";
import type { MeshEdgeSchema } from "../access/mesh-edge-schema.js";
import type { AuditEntrySchema } from "../audit/audit-entry-schema.js";
import type { PolicyListSchema } from "../governance/policy-schema.js";
import type { ConsumeJsonSchema } from "../harness/consume-schema.js";
import type { DiscoverySchema } from "../harness/discovery-schema.js";
import type { GovernanceSchema } from "../harness/governance-schema.js";
import type { IngestResultSchema } from "../harness/ingest/ingest-result.js";
import type { LifecycleSchema } from "../harness/lifecycle-schema.js";
import type { ObservationSchema } from "../harness/observation-schema.js";
import type { SnippetsSchema } from "../harness/snippets/snippets-schema.js";
import type { FormatsSchema } from "../http/format-schemas.js";
import type { ErrorSchema, HealthSchema } from "../http/schemas.js";
import type { DemoUserSchema } from "../identity/demo-user-schema.js";
import type { PrincipalSchema } from "../identity/principal.js";
import type {
  PipelineLogLineSchema,
  PipelineRunDetailSchema,
  PipelineRunSchema,
} from "../pipelines/pipeline-run-schema.js";
import type {
  ContractSummarySchema,
  ContractVersionSchema,
  ContractVersionSummarySchema,
} from "../registry/contract-schema.js";
import type {
  FacetsSchema,
  ProductDetailSchema,
  ProductListSchema,
  ProductSummarySchema,
} from "../registry/product-schema.js";
import type { PublishResultSchema } from "../registry/publish-schema.js";

export type ApiErrorBody = z.infer<typeof ErrorSchema>;
export type Health = z.infer<typeof HealthSchema>;

export type ProductSummary = z.infer<typeof ProductSummarySchema>;
export type ProductList = z.infer<typeof ProductListSchema>;
export type Facets = z.infer<typeof FacetsSchema>;
export type FacetValue = Facets["domain"][number];
export type ProductDetail = z.infer<typeof ProductDetailSchema>;
export type Port = ProductDetail["ports"][number];
export type PortDirection = Port["direction"];
export type ContractSummary = z.infer<typeof ContractSummarySchema>;
export type ContractVersionSummary = z.infer<typeof ContractVersionSummarySchema>;
export type ContractVersion = z.infer<typeof ContractVersionSchema>;
export type PublishResult = z.infer<typeof PublishResultSchema>;

export type Discovery = z.infer<typeof DiscoverySchema>;
export type ConsumeResult = z.infer<typeof ConsumeJsonSchema>;
export type Observation = z.infer<typeof ObservationSchema>;
export type ConsumerSnippets = z.infer<typeof SnippetsSchema>;
export type Formats = z.infer<typeof FormatsSchema>;
export type TestRunSummary = Observation["tests"]["history"][number];
export type Governance = z.infer<typeof GovernanceSchema>;
export type Lifecycle = z.infer<typeof LifecycleSchema>;
export type LifecycleState = Lifecycle["state"];
export type ControlAction = Lifecycle["allowedActions"][number];
export type IngestResult = z.infer<typeof IngestResultSchema>;

export type Me = z.infer<typeof PrincipalSchema>;
export type PipelineRun = z.infer<typeof PipelineRunSchema>;
export type PipelineRunDetail = z.infer<typeof PipelineRunDetailSchema>;
export type PipelineLogLine = z.infer<typeof PipelineLogLineSchema>;
export type Agreement = z.infer<typeof AgreementSchema>;
export type MeshEdge = z.infer<typeof MeshEdgeSchema>;
export type PolicySet = z.infer<typeof PolicyListSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type DemoUser = z.infer<typeof DemoUserSchema>;
