/**
 * ODPS v1.0.0 (Open Data Product Standard) as TypeScript types, written from the official JSON
 * Schema (`schemas/odps-json-schema-v1.0.0.json`). The schema also accepts `apiVersion: v0.9.0`
 * with the same shape, so v0.9.0 documents need no structural conversion.
 * Types shared in name with ODCS (team, support, custom properties...) carry a `Product` prefix.
 */

export type OdpsApiVersion = "v1.0.0" | "v0.9.0";

export interface DataProduct {
  apiVersion: OdpsApiVersion;
  kind: "DataProduct";
  id: string;
  /** Free text; the standard suggests proposed, draft, active, deprecated, retired. */
  status: string;
  name?: string;
  version?: string;
  domain?: string;
  tenant?: string;
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
  description?: ProductDescription;
  customProperties?: ProductCustomProperty[];
  tags?: string[];
  inputPorts?: InputPort[];
  outputPorts?: OutputPort[];
  managementPorts?: ManagementPort[];
  support?: ProductSupport[];
  team?: ProductTeam;
  /** ISO 8601 date-time. */
  productCreatedTs?: string;
}

export interface ProductDescription {
  purpose?: string;
  limitations?: string;
  usage?: string;
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
  customProperties?: ProductCustomProperty[];
}

export interface ProductCustomProperty {
  property: string;
  value: unknown;
  description?: string;
}

export interface ProductAuthoritativeDefinition {
  type: string;
  url: string;
  description?: string;
}

/** Data the product consumes, by the id of its contract. */
export interface InputPort {
  name: string;
  version: string;
  contractId: string;
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}

/** Data the product offers; `contractId` names the ODCS contract that governs it. */
export interface OutputPort {
  name: string;
  version: string;
  description?: string;
  type?: string;
  contractId?: string;
  sbom?: Sbom[];
  inputContracts?: InputContract[];
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}

/** The schema's `SBOM`. */
export interface Sbom {
  type?: string;
  url: string;
}

export interface InputContract {
  id: string;
  version: string;
}

export interface ManagementPort {
  name: string;
  content: string;
  type?: string;
  url?: string;
  channel?: string;
  description?: string;
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}

export interface ProductSupport {
  channel: string;
  url: string;
  description?: string;
  tool?: string;
  scope?: string;
  invitationUrl?: string;
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}

export interface ProductTeamMember {
  username: string;
  name?: string;
  description?: string;
  role?: string;
  dateIn?: string;
  dateOut?: string;
  replacedByUsername?: string;
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}

export interface ProductTeam {
  name?: string;
  description?: string;
  members?: ProductTeamMember[];
  tags?: string[];
  customProperties?: ProductCustomProperty[];
  authoritativeDefinitions?: ProductAuthoritativeDefinition[];
}
