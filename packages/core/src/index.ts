export * from "./errors.js";
export * from "./issues.js";
export * from "./spec/source.js";
