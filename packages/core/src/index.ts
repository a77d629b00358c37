export * from "./errors.js";
export * from "./issues.js";
export * from "./spec/kinds.js";
export * from "./spec/source.js";
export * from "./spec/validate.js";
