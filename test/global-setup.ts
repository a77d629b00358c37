import type { TestProject } from "vitest/node";
import { findPostgresBin, type PostgresServer, startPostgres } from "../packages/testing/src/postgres-server.js";

/**
 * One real PostgreSQL server for the whole test run; each test file makes its own database.
 * In CI it must start (a missing server fails the run); elsewhere PostgreSQL tests skip with the reason.
 */
export default async function setup(project: TestProject) {
  let server: PostgresServer | undefined;
  let unavailable: string | undefined;
  if (process.env.QUANTA_TEST_DATABASE_URL) {
    project.provide("postgresUrl", process.env.QUANTA_TEST_DATABASE_URL);
  } else if (!findPostgresBin() && !process.env.CI) {
    unavailable = "PostgreSQL server binaries not installed (apt-get install postgresql)";
  } else {
    server = await startPostgres();
    project.provide("postgresUrl", server.url);
  }
  if (!server && !process.env.QUANTA_TEST_DATABASE_URL) project.provide("postgresUrl", undefined);
  project.provide("postgresUnavailable", unavailable);
  return async () => {
    await server?.stop();
  };
}
