/** `@quanta/core/engines`: engine manifests, the registry of installed engines, server selection. */
export type { EngineCapabilities, EngineManifest } from "./engine-manifest.js";
export { EngineRegistry } from "./engine-registry.js";
export { describeServer, type SelectedServer, type ServerChoice, selectServer } from "./select-server.js";
