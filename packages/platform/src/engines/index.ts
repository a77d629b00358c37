/** `@quanta/platform/engines`: the installed engines, light to import (drivers load on use). */
export { installedEngines } from "./installed-engines.js";
