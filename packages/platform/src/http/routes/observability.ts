import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../../storage/database.js";

/** Measurements, profiles and incidents (issue 17). */
export function registerObservability(_app: OpenAPIHono, _db: Database): void {}
