/** What an ingest request answers (and an idempotency key stores). */
export interface IngestResult {
  batchId: number;
  port: string;
  dataset: string;
  contractId: string;
  contractVersion: string;
  format: string;
  received: number;
  accepted: number;
  quarantined: number;
  /** The first quarantined rows with their reasons (row numbers count from 1). */
  quarantine: { row: number; reasons: string[] }[];
  /**
   * The version of the port this batch made current (its files: the previous version's and this
   * batch's); null when no row was accepted, so the port kept its version. Absent in results
   * stored before port versions.
   */
  version?: number | null;
}
