import type {
  ShareEndpoint,
  ShareGrant,
  ShareLogin,
  ShareRequest,
  ShareServer,
  ShareTarget,
  StoreGrants,
} from "@quanta/core/engines";
import { resolvePostgresConfig } from "../postgres-config.js";
import { issueLogin } from "./issue-login.js";
import { provisionShare } from "./provision-share.js";
import { revokeShare } from "./revoke-share.js";

/**
 * The registry's face of PostgreSQL grants (`EngineManifest.loadGrants`): the server of the port,
 * its credentials from the platform's lookup, and the share functions of this folder.
 */
export class PostgresGrants implements StoreGrants {
  async provision(request: ShareRequest): Promise<ShareGrant> {
    const made = await provisionShare(resolvePostgresConfig(request.server, request.env), {
      role: request.role,
      schema: request.schema,
      datasets: request.datasets,
    });
    return {
      role: made.role,
      views: request.datasets.map((d, i) => ({ dataset: d.name, view: made.views[i] as string })),
    };
  }

  async issueLogin(request: ShareTarget): Promise<ShareLogin> {
    return { password: await issueLogin(resolvePostgresConfig(request.server, request.env), request.role) };
  }

  endpoint(request: ShareServer): ShareEndpoint {
    const url = new URL(resolvePostgresConfig(request.server, request.env).url);
    return {
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(url.port || 5432),
      database: decodeURIComponent(url.pathname.slice(1)),
    };
  }

  async revoke(request: ShareTarget & { views: readonly string[] }): Promise<void> {
    await revokeShare(resolvePostgresConfig(request.server, request.env), request.role, request.views);
  }
}
