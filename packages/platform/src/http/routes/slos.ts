import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../../storage/database.js";

/** SLOs, error budgets and the mesh's health (issue 17). */
export function registerSlos(_app: OpenAPIHono, _db: Database): void {}
