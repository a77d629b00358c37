import type { z } from "@hono/zod-openapi";
import {
  ConflictError,
  type DatasetProfile,
  InputError,
  type Issue,
  NotAllowedError,
  NotFoundError,
  QuantaError,
} from "@quanta/core";
import type { Agreement, AgreementState } from "../access/agreement.js";
import type { AgreementConnection } from "../access/agreement-connection-schema.js";
import type { Subscription, SubscriptionInput } from "../events/subscriptions.js";
import type { PolicyAppliedSchema } from "../governance/policy-schema.js";
import type { SnippetsSchema } from "../harness/snippets/snippets-schema.js";
import type { ErrorBody } from "../http/error-response.js";
import type { Principal } from "../identity/principal.js";
import { UnauthenticatedError } from "../identity/unauthenticated-error.js";
import type { PublishDataResult } from "../lake/publish-data.js";
import type { Impact, ImpactTarget } from "../lineage/impact-schema.js";
import type { LineageGraph } from "../lineage/lineage-schema.js";
import type { Incident, ServiceLevels, Stat, TimelineEntry } from "../observability/incident-service.js";
import type { PipelineLogLine, PipelineRun, PipelineRunDetail } from "../pipelines/pipeline-run-schema.js";
import type { RollbackResult } from "../pipelines/pipeline-service.js";
import { RefusedError } from "../refused-error.js";
import type { ProductQuery } from "../registry/product-repository.js";
import type { ProductList } from "../registry/product-search.js";
import type { ProductFile, PublishResult } from "../registry/publish-product.js";
import type { SecretInfo } from "../secrets/secret-store.js";
import { type DataUploadOptions, uploadData } from "./data-upload.js";
import { serverKey } from "./server-url.js";

type PolicyApplied = z.infer<typeof PolicyAppliedSchema>;

/** Error codes of the API → the error class a caller catches (the reverse of the server's table). */
const byStatus: Record<number, new (message: string) => QuantaError> = {
  400: InputError,
  401: UnauthenticatedError,
  403: NotAllowedError,
  404: NotFoundError,
  409: ConflictError,
  413: InputError,
  415: InputError,
};

export interface ClientOptions {
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer`: an API token (qnt_…) or an OpenID Connect token. */
  token?: string | undefined;
}

/** A small typed client of the platform API for the console and tools. */
export class PlatformClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly token: string | undefined;

  /** The console's client: signed in with `$QUANTA_TOKEN`, else the token `quanta login` stored. */
  static async forConsole(
    server: string,
    env: Record<string, string | undefined> = process.env,
  ): Promise<PlatformClient> {
    const { tokenFor } = await import("./credentials.js");
    return new PlatformClient(server, { token: await tokenFor(server, env) });
  }

  constructor(server: string, options: number | ClientOptions = {}) {
    const o = typeof options === "number" ? { timeoutMs: options } : options;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.token = o.token;
    this.base = serverKey(server);
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      const headers = new Headers(init.headers);
      if (this.token) headers.set("authorization", `Bearer ${this.token}`);
      res = await fetch(`${this.base}${path}`, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new QuantaError(
        `cannot reach the Quanta server at ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      );
    }
    const text = await res.text();
    if (res.status === 204) return { status: 204, body: undefined as T };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new QuantaError(`${this.base} did not answer like a Quanta server (HTTP ${res.status}, not JSON)`);
    }
    if (res.ok) return { status: res.status, body: body as T };
    const error = (body as Partial<ErrorBody>).error;
    const message = error?.message ?? `HTTP ${res.status}`;
    if (res.status === 422) {
      const issues = (error?.details as { issues?: Issue[] } | undefined)?.issues ?? [];
      throw new RefusedError(message, issues);
    }
    const ErrorClass = byStatus[res.status] ?? QuantaError;
    throw new ErrorClass(`${message}${res.status >= 500 ? ` (HTTP ${res.status})` : ""}`);
  }

  async publish(files: readonly ProductFile[], publishedBy?: string): Promise<PublishResult> {
    const { body } = await this.request<PublishResult>("/api/products", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(publishedBy ? { files, publishedBy } : { files }),
    });
    return body;
  }

  /**
   * Streams a data file as the port's new version (`PUT …/ports/{port}/data`), tested against its
   * contract on the server; a refusal is a `DataUploadError` with the server's message and details.
   */
  publishData(productId: string, port: string, file: string, options: DataUploadOptions): Promise<PublishDataResult> {
    return uploadData(this.base, this.token, productId, port, file, options);
  }

  /** Applies a policy file on the server (a new version of its set); 422 RefusedError with the issues. */
  async applyPolicy(source: string, file: string): Promise<PolicyApplied & { created: boolean }> {
    const { status, body } = await this.request<PolicyApplied>("/api/policies", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ source, file }),
    });
    return { ...body, created: status === 201 };
  }

  /** Who the token belongs to (401 `UnauthenticatedError` with the server's reason when it does not hold). */
  async me(): Promise<Principal> {
    return (await this.request<Principal>("/api/me")).body;
  }

  async search(query: Partial<ProductQuery>): Promise<ProductList> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
    return (await this.request<ProductList>(`/api/products?${params}`)).body;
  }

  /** The platform's secrets (admins): each one's environment, name and last change, never a value. */
  async listSecrets(): Promise<SecretInfo[]> {
    return (await this.request<{ items: SecretInfo[] }>("/api/secrets")).body.items;
  }

  /** Stores a secret (admins); `created` is false when it replaced one. The value is never answered. */
  async setSecret(environment: string, name: string, value: string): Promise<{ secret: SecretInfo; created: boolean }> {
    const { status, body } = await this.request<SecretInfo>(secretPath(environment, name), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ value }),
    });
    return { secret: body, created: status === 201 };
  }

  async deleteSecret(environment: string, name: string): Promise<void> {
    await this.request(secretPath(environment, name), { method: "DELETE" });
  }

  /** A member asks for a port for its team: `requested`, or `active` on a port that approves by itself. */
  async requestAccess(request: AccessRequest): Promise<Agreement> {
    return this.post<Agreement>("/api/access-requests", request);
  }

  /** The owner team's decision on a request; `columns` grants a subset of the requested ones. */
  async decideAccess(id: string, decision: "approve" | "reject", options: AccessDecision = {}): Promise<Agreement> {
    return this.post<Agreement>(`/api/access-requests/${agreementSegment(id)}/${decision}`, options);
  }

  /** Either side ends an agreement: `terminating` until the notice period ends (a request: `terminated`). */
  async terminateAgreement(id: string, reason?: string): Promise<Agreement> {
    return this.post<Agreement>(`/api/agreements/${agreementSegment(id)}/terminate`, reason ? { reason } : {});
  }

  /** The consumer team reads the pending major contract version now. */
  async acceptAgreementVersion(id: string): Promise<Agreement> {
    return this.post<Agreement>(`/api/agreements/${agreementSegment(id)}/accept-version`);
  }

  async agreement(id: string): Promise<Agreement> {
    return (await this.request<Agreement>(`/api/agreements/${agreementSegment(id)}`)).body;
  }

  /** The agreements the caller may see (a side of, or all for governance and admins), newest first. */
  async agreements(query: AgreementQuery = {}): Promise<Agreement[]> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
    const q = params.toString();
    return (await this.request<{ items: Agreement[] }>(`/api/agreements${q ? `?${q}` : ""}`)).body.items;
  }

  /**
   * Where and as whom the consumer team reads the agreement's data straight from the store; the
   * password is in the answer only when it was issued by this call (the first one, or `newPassword`).
   */
  /** Code that reads a port (curl, Python, TypeScript, DuckDB, SQL; psql for a database grant). */
  async snippets(productId: string, port: string): Promise<z.infer<typeof SnippetsSchema>> {
    const path = `/api/products/${encodeURIComponent(productId)}/ports/${encodeURIComponent(port)}/snippets`;
    return (await this.request<z.infer<typeof SnippetsSchema>>(path)).body;
  }

  async agreementConnection(id: string, options: { newPassword?: boolean } = {}): Promise<AgreementConnection> {
    const path = `/api/agreements/${agreementSegment(id)}/connection`;
    if (options.newPassword) return this.post<AgreementConnection>(path);
    return (await this.request<AgreementConnection>(path)).body;
  }

  /**
   * Queues a run of the product's pipeline (owner team or admin); 409 while one is in progress.
   * With `range`, a backfill of those dates (inclusive).
   */
  async runPipeline(productId: string, range?: { from: string; to: string }): Promise<PipelineRun> {
    return this.post<PipelineRun>(`${pipelinePath(productId)}/runs`, range);
  }

  /** Cancels a queued or running run (owner team or admin); a running one ends `cancelled` once its worker stopped. */
  async cancelPipelineRun(productId: string, runId: number): Promise<PipelineRun> {
    return this.post<PipelineRun>(`${pipelinePath(productId)}/runs/${runId}/cancel`);
  }

  /** The product's pipeline runs, newest first. */
  async pipelineRuns(productId: string, limit?: number): Promise<PipelineRun[]> {
    const q = limit === undefined ? "" : `?limit=${limit}`;
    return (await this.request<{ items: PipelineRun[] }>(`${pipelinePath(productId)}/runs${q}`)).body.items;
  }

  /** One run with its outputs, tests and steps. */
  async pipelineRun(productId: string, runId: number): Promise<PipelineRunDetail> {
    return (await this.request<PipelineRunDetail>(`${pipelinePath(productId)}/runs/${runId}`)).body;
  }

  /** A run's log lines after `after` (to follow them), with the run's state. */
  async pipelineLogs(
    productId: string,
    runId: number,
    after = 0,
  ): Promise<{ run: PipelineRun; lines: PipelineLogLine[] }> {
    return (
      await this.request<{ run: PipelineRun; lines: PipelineLogLine[] }>(
        `${pipelinePath(productId)}/runs/${runId}/logs?after=${after}`,
      )
    ).body;
  }

  /** Makes an earlier version of an output port current again (owner team or admin; audited). */
  async rollbackPort(productId: string, port: string, version: number): Promise<RollbackResult> {
    return this.post<RollbackResult>(`${pipelinePath(productId)}/rollback`, { port, version });
  }

  /** A node's upstream or downstream in the lineage graph: `PRODUCT[.PORT[.COLUMN]]` or a node name. */
  async lineage(
    node: string,
    options: { direction?: "upstream" | "downstream"; depth?: number; direct?: boolean } = {},
  ): Promise<LineageGraph> {
    const q = new URLSearchParams({ node, direction: options.direction ?? "downstream" });
    if (options.depth !== undefined) q.set("depth", String(options.depth));
    if (options.direct) q.set("direct", "true");
    return (await this.request<LineageGraph>(`/api/lineage?${q}`)).body;
  }

  /** Everything downstream that a change to the targets would hurt: products, ports, columns, teams. */
  async impact(targets: ImpactTarget[], depth?: number): Promise<Impact> {
    return this.post<Impact>("/api/lineage/impact", depth === undefined ? { targets } : { targets, depth });
  }

  /** Incidents the caller may see, newest first (`GET /api/incidents`). */
  async incidents(query: IncidentQuery = {}): Promise<IncidentList> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return (await this.request<IncidentList>(`/api/incidents${qs ? `?${qs}` : ""}`)).body;
  }

  /** One incident with its timeline. */
  async incident(id: string): Promise<IncidentDetail> {
    return (await this.request<IncidentDetail>(incidentPath(id))).body;
  }

  /** The owner team (or governance/admin) takes the incident on. */
  async acknowledgeIncident(id: string): Promise<Incident> {
    return this.post<Incident>(`${incidentPath(id)}/acknowledge`, {});
  }

  async commentIncident(id: string, text: string): Promise<Incident> {
    return this.post<Incident>(`${incidentPath(id)}/comments`, { text });
  }

  async resolveIncident(id: string, note?: string): Promise<Incident> {
    return this.post<Incident>(`${incidentPath(id)}/resolve`, note === undefined ? {} : { note });
  }

  /** A product's objectives from its contracts' SLAs: SLI, error budget and burn rates. */
  async slos(productId: string): Promise<ProductSlos> {
    return (await this.request<ProductSlos>(`${productPath(productId)}/slos`)).body;
  }

  /** The latest profile of each output port (or of one). */
  async profile(productId: string, port?: string): Promise<ProductProfile> {
    const q = port === undefined ? "" : `?${new URLSearchParams({ port })}`;
    return (await this.request<ProductProfile>(`${productPath(productId)}/profile${q}`)).body;
  }

  /** Time to detect, notify and repair the product's incidents. */
  async serviceLevels(productId: string): Promise<ServiceLevels> {
    return (await this.request<ServiceLevels>(`${productPath(productId)}/service-levels`)).body;
  }

  /** A page of the event feed after `after` (`GET /api/events`): read on from its `position`. */
  async events(query: EventFeedQuery = {}): Promise<EventFeedPage> {
    return (await this.request<EventFeedPage>(`/api/events${eventQuery(query)}`)).body;
  }

  /**
   * Follows the feed live (`GET /api/events/stream`, server-sent events) from `query.after`,
   * yielding each event with its position; a dropped connection is reopened from the last
   * position (`Last-Event-ID`), so no event is lost or repeated. Ends when `signal` aborts.
   */
  async *followEvents(
    query: Omit<EventFeedQuery, "limit"> = {},
    signal?: AbortSignal,
  ): AsyncGenerator<{ position: number; event: QuantaEvent }> {
    let position = query.after ?? 0;
    while (!signal?.aborted) {
      const headers = new Headers({ accept: "text/event-stream", "last-event-id": String(position) });
      if (this.token) headers.set("authorization", `Bearer ${this.token}`);
      const { after: _after, ...rest } = query;
      let res: Response;
      try {
        res = await fetch(`${this.base}/api/events/stream${eventQuery(rest)}`, {
          headers,
          ...(signal ? { signal } : {}),
        });
      } catch (e) {
        if (signal?.aborted) return;
        throw new QuantaError(`cannot reach the Quanta server at ${this.base}: ${(e as Error).message}`);
      }
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
        const ErrorClass = byStatus[res.status] ?? QuantaError;
        throw new ErrorClass(body.error?.message ?? `HTTP ${res.status}`);
      }
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
            const lines = message.split("\n");
            const id = lines.find((l) => l.startsWith("id: "))?.slice(4);
            const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
            if (id !== undefined && /^\d+$/.test(id)) position = Math.max(position, Number(id));
            if (data.length > 0) yield { position, event: JSON.parse(data.join("\n")) as QuantaEvent };
          }
        }
      } catch (e) {
        if (signal?.aborted) return;
        if (!(e instanceof TypeError) && (e as Error).name !== "AbortError") throw e;
      }
      // The server ended the stream (it stopped, or a proxy cut it): reconnect from the position.
      if (!signal?.aborted) await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** A team's event subscriptions. */
  async subscriptions(team: string): Promise<EventSubscription[]> {
    return (await this.request<{ items: EventSubscription[] }>(`${teamPath(team)}/subscriptions`)).body.items;
  }

  /** Subscribes the team's webhooks (or its feed) to event types: then only matching events are sent. */
  async subscribe(team: string, input: EventSubscriptionInput): Promise<EventSubscription> {
    return this.post<EventSubscription>(`${teamPath(team)}/subscriptions`, input);
  }

  async unsubscribe(team: string, id: string): Promise<void> {
    await this.request<void>(`${teamPath(team)}/subscriptions/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  private async post<T>(path: string, body?: unknown): Promise<T> {
    const init: RequestInit =
      body === undefined
        ? { method: "POST" }
        : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
    return (await this.request<T>(path, init)).body;
  }
}

export interface AccessRequest {
  productId: string;
  port: string;
  consumerTeam: string;
  purpose: string;
  /** Sensitive columns asked for unmasked. */
  columns?: string[] | undefined;
}

export interface AccessDecision {
  reason?: string | undefined;
  /** Approve only: the subset of the requested columns to grant. */
  columns?: string[] | undefined;
}

export interface AgreementQuery {
  productId?: string | undefined;
  consumerTeam?: string | undefined;
  state?: AgreementState | undefined;
}

/** An id as one path segment: `.` and `..` are left as they are by encoding, and URLs resolve them. */
function agreementSegment(id: string): string {
  if (id === "" || id === "." || id === "..") throw new InputError(`"${id}" is not an agreement id (agr_…)`);
  return encodeURIComponent(id);
}

const productPath = (productId: string) => `/api/products/${encodeURIComponent(productId)}`;

/** An incident id as one path segment (a number, as the API gives it). */
function incidentPath(id: string): string {
  if (!/^\d{1,18}$/.test(id))
    throw new InputError(`"${id}" is not an incident id (a number, as \`quanta incidents\` lists them)`);
  return `/api/incidents/${id}`;
}

export type IncidentState = "open" | "acknowledged" | "resolved";

export interface IncidentQuery {
  product?: string | undefined;
  team?: string | undefined;
  /** `active`: open or acknowledged. */
  state?: IncidentState | "active" | undefined;
  kind?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface IncidentList {
  incidents: Incident[];
  total: number;
}

/** An incident with its timeline, as `GET /api/incidents/{id}` answers it. */
export type IncidentDetail = Incident & { timeline: TimelineEntry[] };

export interface SloObjective {
  port: string;
  property: string;
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

export interface ProductSlos {
  productId: string;
  windowDays: number;
  objectives: SloObjective[];
}

export interface ProductProfile {
  productId: string;
  ports: { port: string; runId: number | string; at: string; datasets: DatasetProfile[] }[];
}

/** Time to detect, notify or repair: p50, p95 and mean in seconds. */
export type Percentiles = Stat;

const pipelinePath = (productId: string) => `/api/products/${encodeURIComponent(productId)}/pipeline`;

const secretPath = (environment: string, name: string) =>
  `/api/secrets/${encodeURIComponent(environment)}/${encodeURIComponent(name)}`;

/** Which events to read: after a position, by type patterns (`incident.*`), subject, or a team's feed. */
export interface EventFeedQuery {
  after?: number;
  limit?: number;
  types?: readonly string[];
  subject?: string;
  team?: string;
}

/** An event as the feed and webhooks carry it: CloudEvents 1.0 (structured JSON), `id` its position. */
export interface QuantaEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype?: string;
  data?: Record<string, unknown>;
  actor?: string;
}

export interface EventFeedPage {
  events: QuantaEvent[];
  position: number;
  more: boolean;
}

export type EventSubscription = Subscription;
export type EventSubscriptionInput = SubscriptionInput;

function eventQuery(query: EventFeedQuery): string {
  const q = new URLSearchParams();
  if (query.after !== undefined) q.set("after", String(query.after));
  if (query.limit !== undefined) q.set("limit", String(query.limit));
  if (query.types && query.types.length > 0) q.set("type", query.types.join(","));
  if (query.subject !== undefined) q.set("subject", query.subject);
  if (query.team !== undefined) q.set("team", query.team);
  const qs = q.toString();
  return qs ? `?${qs}` : "";
}

function teamPath(team: string): string {
  return `/api/teams/${encodeURIComponent(team)}`;
}
