import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../../storage/database.js";

/** Prometheus metrics for operators (issue 17). */
export function registerMetrics(_app: OpenAPIHono, _db: Database): void {}
