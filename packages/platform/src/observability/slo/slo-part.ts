import type { BackgroundContext, BackgroundPart } from "../../harness/background-part.js";

/** SLOs: the availability probes of the serving path. */
export function sloPart(_ctx: BackgroundContext): BackgroundPart {
  return {};
}
