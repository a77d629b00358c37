// The shapes of the platform's HTTP API (see /api/openapi.json); the UI reads nothing else.

export interface ProductSummary {
  id: string;
  name: string;
  version: string;
  status: string;
  domain: string | null;
  team: string | null;
  summary: string;
  tags: string[];
  updatedAt: string;
  score?: number;
}

export interface ProductList {
  items: ProductSummary[];
  total: number;
}

/** `GET /api/facets`: per facet, its values with how many matching products carry them. */
export interface Facets {
  domain: FacetValue[];
  team: FacetValue[];
  tag: FacetValue[];
  status: FacetValue[];
}

export interface FacetValue {
  value: string;
  count: number;
}

export type PortDirection = "input" | "output" | "management";

export interface Port {
  direction: PortDirection;
  name: string;
  type: string | null;
  version: string | null;
  contractId: string | null;
  description: string | null;
}

export interface ContractSummary {
  id: string;
  productId: string;
  name: string | null;
  version: string;
  status: string | null;
  updatedAt: string;
}

export interface ProductDetail extends ProductSummary {
  ports: Port[];
  contracts: ContractSummary[];
  versions: { version: string; publishedAt: string; publishedBy: string | null }[];
  /** The ODPS document of the current version. */
  document: Record<string, unknown>;
}

export interface ContractVersionSummary {
  contractId: string;
  version: string;
  productVersion: string;
  sha256: string;
  publishedAt: string;
}

export interface ContractVersion extends ContractVersionSummary {
  file: string;
  source: string;
  /** The ODCS document (normalized to v3.1). */
  document: Record<string, unknown>;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// The harness (per-product interfaces). Only the fields the marketplace shows.

export interface TestRunSummary {
  id: number;
  contractId: string;
  contractVersion: string;
  server: string | null;
  status: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface Observation {
  productId: string;
  lifecycle: { state: string; servesReads: boolean; runsTests: boolean };
  usage: {
    total: { reads: number; rows: number; bytes: number };
    byConsumer: { consumer: string; reads: number; rows: number; bytes: number }[];
    recent: {
      at: string;
      consumer: string;
      port: string | null;
      action: string;
      rows: number;
      bytes: number;
      durationMs: number;
    }[];
  };
  tests: {
    latest: (TestRunSummary & {
      port: string | null;
      checks: {
        checkId: string;
        dataset: string | null;
        status: string;
        value: unknown;
        threshold: unknown;
        reason: string | null;
      }[];
    })[];
    history: TestRunSummary[];
  };
  slis: {
    port: string;
    contractId: string;
    freshness: { objective: string | null; ageSeconds: number | null; met: boolean | null; measuredAt: string | null };
    availability: {
      objective: number | null;
      windowDays: number;
      runs: number;
      readable: number;
      ratio: number | null;
    };
    quality: { runs: number; passed: number; ratio: number | null };
  }[];
}

export interface Governance {
  productId: string;
  version: string;
  evaluatedAt: string;
  policyEngine: "available" | "unavailable";
  policies: { rule: string; severity: string; status: string; message: string | null }[];
  certification: {
    level: string | null;
    status: "certified" | "not-certified" | "not-evaluated";
    reason: string;
    reasons?: string[];
    validUntil?: string | null;
  };
  known: {
    lint: { errors: number; warnings: number };
    contractTests: { contractId: string; status: string; finishedAt: string | null }[];
  };
}

export interface ConsumeResult {
  columns: { name: string; type: string }[];
  rows: unknown[][] | Record<string, unknown>[];
  rowCount?: number;
  truncated?: boolean;
  error?: string;
}

export interface Me {
  userId: string;
  name: string;
  displayName: string | null;
  kind: string;
  roles: string[];
  teams: { team: string; role: string }[];
}

export interface Agreement {
  id: string;
  productId: string;
  port: string;
  consumerTeam: string;
  purpose: string;
  state: string;
  grantedColumns?: string[];
  contractVersion: string | null;
  /** A new major contract version the consumer has not accepted yet, served from `pendingUntil`. */
  pendingVersion?: string | null;
  pendingUntil?: string | null;
  noticeDays: number;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  terminatedBy?: string | null;
  noticeEndsAt: string | null;
}

export type LifecycleState = "draft" | "active" | "paused" | "stopped";
export type ControlAction = "start" | "stop" | "pause" | "resume" | "configure";

/** The control interface's answer: where the product is in its life and what may move it. */
export interface Lifecycle {
  productId: string;
  state: LifecycleState;
  config: Record<string, unknown>;
  updatedAt: string | null;
  updatedBy: string | null;
  servesReads: boolean;
  runsTests: boolean;
  allowedActions: ControlAction[];
}

export interface PolicySet {
  name: string;
  version: string;
  revision: number;
  rules: {
    id: string;
    description: string;
    severity: string;
    scope: "global" | { domain: string };
    levels: string[];
  }[];
  versions: {
    revision: number;
    name: string;
    version: string;
    rules: number;
    appliedBy: string | null;
    appliedAt: string;
  }[];
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  productId: string | null;
  port: string | null;
  decision: "allowed" | "denied" | "recorded";
  reason: string | null;
  rows: number | null;
  purpose: string | null;
}

/** An active or terminating agreement: a product's port read by a team (and that team's products). */
export interface MeshEdge {
  agreementId: string;
  productId: string;
  port: string;
  consumerTeam: string;
  consumerProducts: string[];
  purpose: string;
  since: string | null;
}
