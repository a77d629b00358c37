export * from "./postgres.js";
export * from "./postgres-server.js";
