/**
 * `@quanta/core/conformance`: the scenarios every engine runs in its conformance tests (the same
 * contracts, data and expected results on each engine). For tests: nothing in the product imports it.
 */
export * from "./check-scenarios.js";
export * from "./guard-scenarios.js";
export * from "./profile-scenarios.js";
export * from "./run-profile-scenario.js";
export * from "./run-scenario.js";
export * from "./scenario.js";
