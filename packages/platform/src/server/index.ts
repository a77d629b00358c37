// What `quanta serve` needs, without the rest of the package: importing the package's main entry
// loads every module (DuckDB, the HTTP stack, lint) before the store even starts opening, while
// startPlatform loads them once /api/health already answers. Cold start matters (ADR 0016).
export { findProductFolders } from "../registry/product-folder.js";
export { platformSettingsFromEnv } from "./platform-settings.js";
export {
  defaultShutdownTimeoutMs,
  type PlatformOptions,
  pgliteSubdir,
  type RunningPlatform,
  startPlatform,
} from "./start-platform.js";
