import type { ReadDataset } from "./read.js";

/**
 * Grants in the store: what an engine does when a data usage agreement on one of its servers
 * becomes active or ends, so that a consumer reading the store directly (psql, a BI tool) sees
 * exactly what the platform's consume shows: a role for the agreement, one view per dataset with
 * the agreement's masks and row filters, and `SELECT` on those views only.
 */
export interface StoreGrants {
  /** Creates (or replaces) the agreement's role and views; idempotent. */
  provision(request: ShareRequest): Promise<ShareGrant>;
  /** A fresh password for the role, which may then log in; returned once, stored nowhere. */
  issueLogin(request: ShareTarget): Promise<ShareLogin>;
  /** Where a consumer connects to (never the platform's own credentials). */
  endpoint(request: ShareServer): ShareEndpoint;
  /** Drops the views and the role and ends the role's open sessions; idempotent. */
  revoke(request: ShareTarget & { views: readonly string[] }): Promise<void>;
}

/** The server an agreement's share lives on (variables resolved) and where credentials are looked up. */
export interface ShareServer {
  server: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
}

export interface ShareTarget extends ShareServer {
  /** The role's name: lower-case letters, digits and `_`, at most 63 bytes. */
  role: string;
}

export interface ShareRequest extends ShareTarget {
  /** The schema the views are created in. */
  schema: string;
  /** The datasets as the agreement's consumer reads them (table sources, masks, row filters). */
  datasets: readonly ReadDataset[];
}

export interface ShareGrant {
  role: string;
  /** Each dataset's view, schema-qualified, in the order of the request. */
  views: { dataset: string; view: string }[];
}

export interface ShareLogin {
  password: string;
}

export interface ShareEndpoint {
  host: string;
  port: number;
  database: string;
}
