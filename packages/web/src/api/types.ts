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
