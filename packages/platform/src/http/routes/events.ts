import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Database } from "../../storage/database.js";

/** The CloudEvents feed, its live stream and team subscriptions (issue 17). */
export function registerEvents(_app: OpenAPIHono, _db: Database): void {}
