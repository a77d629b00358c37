/**
 * Moved to registry/contract-repository.ts (ADR 0024). This re-export stays only until the files being moved
 * elsewhere (harness/port-data.ts, harness/ingest/, jobs/contract-test.ts) import the new path.
 */
export * from "../../registry/contract-repository.js";
