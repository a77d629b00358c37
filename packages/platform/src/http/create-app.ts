import { OpenAPIHono } from "@hono/zod-openapi";
import { NotFoundError, TooLargeError, UnsupportedMediaTypeError } from "@quanta/core";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Harness } from "../harness/harness.js";
import type { Authenticator } from "../identity/authenticator.js";
import type { DemoTokens } from "../identity/demo-identities.js";
import { IdentityStore } from "../identity/identity-store.js";
import type { OidcConfig } from "../identity/oidc-verifier.js";
import { PlatformAuthenticator } from "../identity/platform-authenticator.js";
import { LineageService } from "../lineage/lineage-service.js";
import { OpenLineageIntake } from "../lineage/openlineage-intake.js";
import { PipelineService } from "../pipelines/pipeline-service.js";
import type { Registry } from "../registry/registry.js";
import { openSecretStore } from "../secrets/open-secret-store.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { platformVersion } from "../version.js";
import { WebhookAddressPolicy } from "../webhooks/webhook-address.js";
import { harnessGuard } from "./auth-guard.js";
import { authMiddleware, bearerChallenge } from "./auth-middleware.js";
import { registerAuthRoutes } from "./auth-routes.js";
import { registerDocs } from "./docs-page.js";
import { errorResponse, validationBody } from "./error-response.js";
import { registerAccess } from "./routes/access.js";
import { registerAgreementConnection } from "./routes/agreement-connection.js";
import { registerAuthConfig } from "./routes/auth-config.js";
import { dataUploadPath, registerDataUpload } from "./routes/data-upload.js";
import { registerDemoSignIn } from "./routes/demo-sign-in.js";
import { type EventRoutesOptions, registerEvents } from "./routes/events.js";
import { formatBodyPath, registerFormats } from "./routes/formats.js";
import { registerGovernance } from "./routes/governance.js";
import { registerHarness } from "./routes/harness.js";
import { registerHealth } from "./routes/health.js";
import { registerLineage } from "./routes/lineage.js";
import { registerLineageImpact } from "./routes/lineage-impact.js";
import { registerLineageIntake } from "./routes/lineage-intake.js";
import { registerMetrics } from "./routes/metrics.js";
import { registerObservability } from "./routes/observability.js";
import { registerPipelines } from "./routes/pipelines.js";
import { registerProducts } from "./routes/products.js";
import { registerSecrets } from "./routes/secrets.js";
import { registerSlos } from "./routes/slos.js";
import { registerSnippets } from "./routes/snippets.js";
import { registerStatic } from "./static-files.js";

export interface AppOptions {
  registry: Registry;
  /** The six per-product interfaces (discover, consume, ingest, observe, govern, control). */
  harness?: Harness;
  /** Largest request body accepted, in bytes (default 16 MiB: a product folder, never data). */
  maxBodyBytes?: number;
  /** Largest data file a port's data upload accepts, streamed to disk (default 10 GiB; `QUANTA_MAX_UPLOAD_BYTES`). */
  maxUploadBytes?: number;
  /** Where unexpected (500) errors are reported; they never reach the client. */
  logError?: (error: unknown) => void;
  /** The built marketplace served at `/` (default: packages/web/dist beside this package). */
  webRoot?: string;
  /** Users, teams and API tokens (default: on the registry's database). See ADR 0013. */
  identity?: IdentityStore;
  /** Turns `Authorization: Bearer` credentials into principals (default: the identity's API tokens). */
  authenticator?: Authenticator;
  /** The OpenID Connect settings: with a client id, the marketplace offers OIDC sign-in (GET /api/auth/config). */
  oidc?: OidcConfig | undefined;
  /** Networks (CIDR) webhooks may be registered for although not public (QUANTA_WEBHOOK_ALLOWED_NETWORKS). */
  webhookAllowedNetworks?: readonly string[] | undefined;
  /** The event feed's live stream timings (tests shorten them). */
  events?: EventRoutesOptions | undefined;
  /** The demo users' tokens, for "sign in as" from the server's own machine (a `--demo` server only). */
  demoTokens?: (() => DemoTokens | undefined) | undefined;
  /** The platform's secrets (default: on the registry's database, see `openSecretStore`). ADR 0026. */
  secrets?: SecretStore | undefined;
}

const originOf = (url: string): string | undefined => {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
};

const ownMediaTypes = /^\/api\/products\/[^/]+\/ingest$/;

/** The platform's HTTP API: every route, the OpenAPI document, one error shape. */
export function createApp(options: AppOptions): OpenAPIHono {
  const app = new OpenAPIHono({
    // zod failures of params, query and body: 400 in the one error shape.
    defaultHook: (result, c) => {
      if (!result.success) return c.json(validationBody(result.error, result.target), 400);
    },
  });
  /** Every error answer of the app, whatever raised it, comes out of this one function. */
  const fail = (c: Context, e: unknown): Response => {
    const { status, body } = errorResponse(e);
    if (status >= 500) (options.logError ?? console.error)(e);
    if (status === 401) {
      c.header("WWW-Authenticate", bearerChallenge(body.error.message, c.req.header("authorization") !== undefined));
    }
    return c.json(body, status);
  };
  // First, so it times every request and counts every answer (GET /metrics).
  registerMetrics(app, options.registry.db);
  const maxSize = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const limitBody = bodyLimit({
    maxSize,
    onError: (c) => fail(c, new TooLargeError(`request body is larger than ${maxSize} bytes`)),
  });
  // A data upload is streamed to disk by its route, under its own limit; the body limit would hold it in memory.
  app.use("/api/*", (c, next) => (dataUploadPath.test(c.req.path) ? next() : limitBody(c, next)));
  app.use("/api/*", async (c, next) => {
    const method = c.req.method;
    // Ingest and data uploads take files (CSV, NDJSON, Parquet, multipart) and check their own content types.
    if (
      (method === "POST" || method === "PUT" || method === "PATCH") &&
      c.req.raw.body &&
      !ownMediaTypes.test(c.req.path) &&
      !dataUploadPath.test(c.req.path) &&
      !formatBodyPath.test(c.req.path)
    ) {
      const type = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
      // An action whose body is optional (approve, terminate) may be sent with none at all; Hono
      // keeps what is read here for the route's own validator.
      const empty = type === "" && (await c.req.arrayBuffer()).byteLength === 0;
      if (type !== "application/json" && !empty) {
        return fail(
          c,
          new UnsupportedMediaTypeError(`send the body as application/json (got "${type || "no content type"}")`),
        );
      }
    }
    await next();
  });
  const identity = options.identity ?? new IdentityStore(options.registry.db);
  const authenticator = options.authenticator ?? new PlatformAuthenticator(identity);
  app.use("/api/*", authMiddleware(authenticator));
  app.use("/api/products/:id/:iface", harnessGuard(options.registry.db));

  registerHealth(app, options.registry, platformVersion);
  registerProducts(app, options.registry);
  registerFormats(app, options.registry);
  if (options.harness) {
    registerHarness(app, options.harness);
    registerSnippets(app, options.harness);
    registerDataUpload(app, options.harness, options.maxUploadBytes ? { maxBytes: options.maxUploadBytes } : {});
    registerPipelines(app, new PipelineService(options.registry.db, options.harness.lake));
  }
  registerAuthRoutes(app, identity);
  registerAuthConfig(app, options.oidc);
  registerDemoSignIn(app, options.demoTokens);
  registerAccess(
    app,
    options.registry.db,
    new WebhookAddressPolicy({ allowedNetworks: options.webhookAllowedNetworks }),
    options.harness?.grants,
  );
  if (options.harness) registerAgreementConnection(app, options.harness.grants);
  registerGovernance(app, options.registry.db);
  registerSecrets(app, options.secrets ?? openSecretStore(options.registry.db));
  registerLineage(app, new LineageService(options.registry.db));
  registerLineageImpact(app, options.registry.db);
  registerLineageIntake(app, options.registry.db, new OpenLineageIntake(options.registry.db));
  registerObservability(app, options.registry.db);
  registerSlos(app, options.registry.db);
  registerEvents(app, options.registry.db, { ...options.events, authenticator });

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Quanta API",
      version: platformVersion,
      description: "The Quanta data mesh platform: registry, search and publishing of data products.",
    },
  });
  registerDocs(app);
  // The sign-in page reads the issuer's discovery document and exchanges the code at its origin.
  const issuerOrigin = options.oidc?.clientId ? originOf(options.oidc.issuer) : undefined;
  registerStatic(app, options.webRoot, issuerOrigin ? [issuerOrigin] : []);

  app.notFound((c) => fail(c, new NotFoundError(`no route ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => fail(c, err));
  return app;
}
