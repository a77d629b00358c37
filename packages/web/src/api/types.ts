// The shapes of the platform's HTTP API, derived from the zod schemas its routes validate and
// publish at /api/openapi.json: one definition, so the marketplace and the server cannot drift.
// Type-only: nothing of the platform is bundled.

export type {
  Agreement,
  ApiErrorBody,
  AuditEntry,
  ConsumerSnippets,
  ContractSummary,
  ContractVersion,
  ContractVersionSummary,
  ControlAction,
  DemoUser,
  Facets,
  FacetValue,
  Formats,
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

// Issue 17, the observability loop. Written to the shapes of the shared API (docs/marketplace.md,
// "Observability"); the platform's routes validate the same shapes.

export type IncidentKind =
  | "schema-drift"
  | "volume-anomaly"
  | "freshness"
  | "check-failed"
  | "unreadable"
  | "lifecycle"
  | "slo-burn";
export type IncidentSeverity = "critical" | "high" | "medium" | "low";
export type IncidentState = "open" | "acknowledged" | "resolved";

/** One point of a measurement series: the test run that measured it, oldest first. */
export interface MeasurementPoint {
  at: string;
  runId: number | string | null;
  value: number | null;
}

export interface MeasurementSeries {
  port: string;
  dataset: string | null;
  column: string | null;
  metric: string;
  points: MeasurementPoint[];
}

/** GET /api/products/{id}/measurements */
export interface Measurements {
  productId: string;
  series: MeasurementSeries[];
}

export interface ProfileValueCount {
  value: string;
  count: number;
}

export interface ProfileColumn {
  name: string;
  type: string;
  nulls: number | null;
  nullRate: number | null;
  distinct: number | null;
  distinctApproximate: boolean;
  min: string | number | null;
  max: string | number | null;
  mean: number | null;
  top: ProfileValueCount[] | null;
}

export interface ProfileDataset {
  dataset: string;
  rows: number | null;
  columns: ProfileColumn[];
  reason?: string;
}

/** GET /api/products/{id}/profile: the latest profile per port. */
export interface ProductProfile {
  productId: string;
  ports: { port: string; runId: number | string | null; at: string; datasets: ProfileDataset[] }[];
}

export interface Incident {
  id: number | string;
  productId: string;
  port: string | null;
  kind: IncidentKind | string;
  key: string;
  severity: IncidentSeverity;
  state: IncidentState;
  title: string;
  detail: Record<string, unknown>;
  startedAt: string;
  detectedAt: string;
  notifiedAt: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  occurrences: number;
  lastSeenAt: string;
  ttdSeconds: number | null;
  ttnSeconds: number | null;
  ttrSeconds: number | null;
}

export type IncidentEventType =
  | "opened"
  | "observed"
  | "notified"
  | "acknowledged"
  | "commented"
  | "escalated"
  | "resolved"
  | "reopened";

export interface IncidentEvent {
  at: string;
  type: IncidentEventType | string;
  actor: string | null;
  text: string | null;
}

/** GET /api/incidents/{id} */
export type IncidentDetail = Incident & { timeline: IncidentEvent[] };

/** GET /api/incidents */
export interface IncidentList {
  incidents: Incident[];
  total: number;
}

export type SloProperty =
  | "freshness"
  | "latency"
  | "availability"
  | "quality"
  | "frequency"
  | "throughput"
  | "retention"
  | "errorRate";

export interface SloObjective {
  port: string;
  property: SloProperty | string;
  objective: string;
  target: number;
  sli: number | null;
  good: number;
  total: number;
  unit: string;
  budget: { allowed: number; spent: number; remaining: number | null };
  burnRate: { "1h": number | null; "6h": number | null; "24h": number | null };
  status: "met" | "at-risk" | "breached" | "unknown";
  reason: string | null;
}

/** GET /api/products/{id}/slos */
export interface ProductSlos {
  productId: string;
  windowDays: number;
  objectives: SloObjective[];
}

export type HealthStatus = "healthy" | "degraded" | "failing" | "unknown";

export interface ProductHealth {
  id: string;
  name: string;
  domain: string | null;
  team: string | null;
  status: HealthStatus;
  openIncidents: number;
  worstSeverity: IncidentSeverity | null;
  breachedSlos: number;
  reasons: string[];
}

export interface DomainHealth {
  domain: string | null;
  healthy: number;
  degraded: number;
  failing: number;
  unknown?: number;
  products: ProductHealth[];
}

/** GET /api/mesh/health */
export interface MeshHealth {
  at: string;
  domains: DomainHealth[];
}

export interface ServiceLevelStat {
  p50: number | null;
  p95: number | null;
  mean: number | null;
}

/** GET /api/products/{id}/service-levels: time to detect, notify and repair, in seconds. */
export interface IncidentServiceLevels {
  productId: string;
  windowDays: number;
  incidents: number;
  ttd: ServiceLevelStat;
  ttn: ServiceLevelStat;
  ttr: ServiceLevelStat;
}
