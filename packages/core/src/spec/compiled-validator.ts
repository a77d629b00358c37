import type { ErrorObject } from "ajv";

/** A validator generated from an official schema (see scripts/generate-validators.mjs). */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
