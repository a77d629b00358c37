/** `@quanta/core/checks`: the check model, its planner and runner, and the connection engines implement. */
export * from "./build-checks.js";
export * from "./check.js";
export * from "./connection.js";
export * from "./evaluate.js";
export * from "./placeholders.js";
export * from "./plan-checks.js";
export * from "./run-checks.js";
export * from "./samples.js";
export * from "./string-formats.js";
