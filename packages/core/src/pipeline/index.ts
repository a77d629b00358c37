export * from "./parse-pipeline.js";
export * from "./pipeline-cycle.js";
export * from "./pipeline-model.js";
export * from "./tables-read.js";
