import { ConflictError, InputError, type Issue, NotAllowedError, NotFoundError, QuantaError } from "@quanta/core";
import type { ErrorBody } from "../http/error-response.js";
import { RefusedError } from "../refused-error.js";
import type { ProductFile, PublishResult } from "../registry/publish-product.js";
import type { ProductQuery, ProductSummary } from "../storage/repositories/product-repository.js";

/** Error codes of the API → the error class a caller catches (the reverse of the server's table). */
const byStatus: Record<number, new (message: string) => QuantaError> = {
  400: InputError,
  403: NotAllowedError,
  404: NotFoundError,
  409: ConflictError,
  413: InputError,
  415: InputError,
};

/** A small typed client of the platform API for the console and tools. */
export class PlatformClient {
  private readonly base: string;
  constructor(
    server: string,
    private readonly timeoutMs = 30_000,
  ) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new InputError(`--server must be a URL like http://localhost:8080 (got "${server}")`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new InputError(`--server must be an http(s) URL (got "${server}")`);
    this.base = url.toString().replace(/\/+$/, "");
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new QuantaError(
        `cannot reach the Quanta server at ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      );
    }
    const text = await res.text();
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

  async search(query: Partial<ProductQuery>): Promise<{ items: ProductSummary[]; total: number }> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
    return (await this.request<{ items: ProductSummary[]; total: number }>(`/api/products?${params}`)).body;
  }
}
