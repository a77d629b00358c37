import type { CheckScenario } from "./scenario.js";

/** Shared scenarios every engine runs (filled in below by kind). */
export const checkScenarios: CheckScenario[] = [];
