// The shapes of the platform's HTTP API, derived from the zod schemas its routes validate and
// publish at /api/openapi.json: one definition, so the marketplace and the server cannot drift.
// Type-only: nothing of the platform is bundled.

export type {
  Agreement,
  ApiErrorBody,
  AuditEntry,
  ContractSummary,
  ContractVersion,
  ContractVersionSummary,
  ControlAction,
  DemoUser,
  Facets,
  FacetValue,
  Governance,
  Lifecycle,
  LifecycleState,
  Me,
  MeshEdge,
  Observation,
  PipelineLogLine,
  PipelineRun,
  PipelineRunDetail,
  PolicySet,
  Port,
  PortDirection,
  ProductDetail,
  ProductList,
  ProductSummary,
  TestRunSummary,
} from "@quanta/platform/api";

import type { ConsumeResult as ConsumeJson } from "@quanta/platform/api";

/** A data preview as the marketplace holds it: the consume answer, or the error it got instead. */
export type ConsumeResult = ConsumeJson & { error?: string };

/** One answer of GET /api/lineage (ADR 0033): a node's next hops one way, at most 500 nodes. */
export interface LineageAnswer {
  node: string;
  direction: "upstream" | "downstream";
  depth: number;
  nodes: { id: string; kind: string; depth: number }[];
  edges: LineageAnswerEdge[];
  /** More nodes were reachable than the answer holds. */
  truncated: boolean;
}

export interface LineageAnswerEdge {
  from: string;
  to: string;
  origin: string;
  details: Record<string, unknown>;
  firstSeen: string;
  lastSeen: string;
}
