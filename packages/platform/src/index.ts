export const platformVersion = "0.1.0";

export * from "./storage/database.js";
export * from "./storage/migrate.js";
export * from "./storage/open-database.js";
export * from "./storage/repositories/contract-repository.js";
export * from "./storage/repositories/event-log.js";
export * from "./storage/repositories/product-repository.js";
export * from "./storage/repositories/team-repository.js";
export * from "./storage/repositories/test-run-repository.js";
export * from "./storage/repositories/usage-repository.js";
