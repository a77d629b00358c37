import { ApiError } from "./api-error.js";
import { sessionToken } from "./session.js";
import type {
  Agreement,
  ApiErrorBody,
  AuditEntry,
  ConsumeResult,
  ConsumerSnippets,
  ContractVersion,
  ContractVersionSummary,
  ControlAction,
  DemoUser,
  Facets,
  Formats,
  Governance,
  Incident,
  IncidentDetail,
  IncidentList,
  IncidentServiceLevels,
  Lifecycle,
  LineageAnswer,
  Me,
  Measurements,
  MeshEdge,
  MeshHealth,
  Observation,
  PipelineLogLine,
  PipelineRun,
  PipelineRunDetail,
  PolicySet,
  ProductDetail,
  ProductList,
  ProductProfile,
  ProductSlos,
} from "./types.js";

export interface ListQuery {
  q?: string;
  domain?: string;
  team?: string;
  tag?: string;
  status?: string;
  certification?: string;
  limit?: number;
  offset?: number;
}

const enc = encodeURIComponent;

/** Calls the platform and reads JSON; every failure becomes an ApiError with the platform's message. */
export async function getJson<T>(path: string, signal?: AbortSignal, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    const token = sessionToken();
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    res = await fetch(path, { ...init, signal, headers: { accept: "application/json", ...auth, ...init.headers } });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(0, "network", "cannot reach the Quanta platform; is it running?");
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      res.status,
      "bad-response",
      `the platform answered ${res.status} with something that is not JSON`,
    );
  }
  if (!res.ok) {
    const err = (body as Partial<ApiErrorBody> | undefined)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? "http",
      err?.message ?? `the platform answered ${res.status}`,
      err?.details,
    );
  }
  return body as T;
}

function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return getJson<T>(path, signal, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export function listPath(query: object, path = "/api/products"): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== "") params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The API calls the marketplace makes, one place to see them all. */
export const api = {
  products: (query: ListQuery, signal?: AbortSignal) => getJson<ProductList>(listPath(query), signal),
  facets: (query: Omit<ListQuery, "limit" | "offset">, signal?: AbortSignal) =>
    getJson<Facets>(listPath(query, "/api/facets"), signal),
  product: (id: string, signal?: AbortSignal) => getJson<ProductDetail>(`/api/products/${enc(id)}`, signal),
  contractVersions: (id: string, contractId: string, signal?: AbortSignal) =>
    getJson<{ items: ContractVersionSummary[] }>(
      `/api/products/${enc(id)}/contracts/${enc(contractId)}/versions`,
      signal,
    ),
  contractVersion: (id: string, contractId: string, version: string, signal?: AbortSignal) =>
    getJson<ContractVersion>(`/api/products/${enc(id)}/contracts/${enc(contractId)}/versions/${enc(version)}`, signal),
  observe: (id: string, signal?: AbortSignal) => getJson<Observation>(`/api/products/${enc(id)}/observe`, signal),
  pipelineRuns: (id: string, signal?: AbortSignal) =>
    getJson<{ items: PipelineRun[] }>(`/api/products/${enc(id)}/pipeline/runs?limit=20`, signal),
  pipelineRun: (id: string, runId: number, signal?: AbortSignal) =>
    getJson<PipelineRunDetail>(`/api/products/${enc(id)}/pipeline/runs/${runId}`, signal),
  /** A run's log lines after line `afterId` (0: from the start), and the run as it is now. */
  pipelineLogs: (id: string, runId: number, afterId: number, signal?: AbortSignal) =>
    getJson<{ run: PipelineRun; lines: PipelineLogLine[] }>(
      `/api/products/${enc(id)}/pipeline/runs/${runId}/logs?after=${afterId}`,
      signal,
    ),
  cancelPipelineRun: (id: string, runId: number) =>
    postJson<PipelineRun>(`/api/products/${enc(id)}/pipeline/runs/${runId}/cancel`, {}),
  govern: (id: string, signal?: AbortSignal) => getJson<Governance>(`/api/products/${enc(id)}/govern`, signal),
  formats: (signal?: AbortSignal) => getJson<Formats>("/api/formats", signal),
  snippets: (id: string, port: string, signal?: AbortSignal) =>
    getJson<ConsumerSnippets>(`/api/products/${enc(id)}/ports/${enc(port)}/snippets`, signal),
  consume: (id: string, body: { port: string; sql?: string; limit: number }, signal?: AbortSignal) =>
    postJson<ConsumeResult>(`/api/products/${enc(id)}/consume`, { ...body, format: "json" }, signal),
  /** Who the token belongs to; `token` checks a token before it is kept. */
  me: (signal?: AbortSignal, token?: string) =>
    getJson<Me>("/api/me", signal, token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  agreements: (productId: string, signal?: AbortSignal) =>
    getJson<{ items: Agreement[] }>(`/api/agreements?productId=${enc(productId)}`, signal),
  /** Agreements in one state where one of the caller's teams is a side (either side). */
  agreementsInState: (state: string, signal?: AbortSignal) =>
    getJson<{ items: Agreement[] }>(`/api/agreements?state=${enc(state)}`, signal),
  terminate: (id: string, reason?: string) =>
    postJson<Agreement>(`/api/agreements/${enc(id)}/terminate`, reason ? { reason } : {}),
  lifecycle: (id: string, signal?: AbortSignal) => getJson<Lifecycle>(`/api/products/${enc(id)}/control`, signal),
  control: (id: string, action: ControlAction) => postJson<Lifecycle>(`/api/products/${enc(id)}/control`, { action }),
  requestAccess: (body: { productId: string; port: string; consumerTeam: string; purpose: string }) =>
    postJson<Agreement>("/api/access-requests", body),
  lineage: (node: string, direction: "upstream" | "downstream", depth: number, signal?: AbortSignal) =>
    getJson<LineageAnswer>(`/api/lineage?node=${enc(node)}&direction=${direction}&depth=${depth}`, signal),
  mesh: (signal?: AbortSignal) => getJson<{ edges: MeshEdge[] }>("/api/mesh", signal),
  policies: (signal?: AbortSignal) => getJson<PolicySet>("/api/policies", signal),
  audit: (query: { productId?: string; actor?: string; action?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
    return getJson<{ items: AuditEntry[] }>(`/api/audit?${params}`, signal);
  },
  /** The demo's users (404 anywhere but a `--demo` server asked from its own machine). */
  demoUsers: (signal?: AbortSignal) => getJson<{ items: DemoUser[] }>("/api/demo/users", signal),
  demoSignIn: (username: string) => postJson<{ token: string }>(`/api/demo/users/${enc(username)}/sign-in`, {}),
  /** Measurement series of a product (issue 17): the last 30 days unless `since` says otherwise. */
  measurements: (id: string, query: { port?: string; metric?: string; since?: string }, signal?: AbortSignal) =>
    getJson<Measurements>(listPath(query, `/api/products/${enc(id)}/measurements`), signal),
  profile: (id: string, signal?: AbortSignal) => getJson<ProductProfile>(`/api/products/${enc(id)}/profile`, signal),
  slos: (id: string, signal?: AbortSignal) => getJson<ProductSlos>(`/api/products/${enc(id)}/slos`, signal),
  meshHealth: (signal?: AbortSignal) => getJson<MeshHealth>("/api/mesh/health", signal),
  serviceLevels: (id: string, signal?: AbortSignal) =>
    getJson<IncidentServiceLevels>(`/api/products/${enc(id)}/service-levels`, signal),
  incidents: (
    query: { product?: string; team?: string; state?: string; kind?: string; limit?: number; offset?: number },
    signal?: AbortSignal,
  ) => getJson<IncidentList>(listPath(query, "/api/incidents"), signal),
  incident: (id: string, signal?: AbortSignal) => getJson<IncidentDetail>(`/api/incidents/${enc(id)}`, signal),
  acknowledgeIncident: (id: string) => postJson<Incident>(`/api/incidents/${enc(id)}/acknowledge`, {}),
  commentIncident: (id: string, text: string) => postJson<Incident>(`/api/incidents/${enc(id)}/comments`, { text }),
  resolveIncident: (id: string, note?: string) =>
    postJson<Incident>(`/api/incidents/${enc(id)}/resolve`, note ? { note } : {}),
  decide: (id: string, decision: "approve" | "reject", reason?: string) =>
    postJson<Agreement>(`/api/access-requests/${enc(id)}/${decision}`, reason ? { reason } : {}),
};
