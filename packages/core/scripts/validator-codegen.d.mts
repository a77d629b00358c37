// Types for the generator shared by scripts/generate-validators.mjs and the spec tests.
import type Ajv from "ajv";
import type { DocumentKind } from "../src/spec/kinds.js";

export const validatorSources: Record<DocumentKind, { file: string; draft: "2019-09" | "07" }>;
export const ajvOptions: { strict: boolean; allErrors: boolean; validateFormats: boolean };
export function createAjv(draft: "2019-09" | "07", extra?: Record<string, unknown>): Ajv;
export function generateValidatorModule(kind: DocumentKind, schemaText: string): string;
