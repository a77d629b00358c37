import type { BackgroundContext, BackgroundPart } from "../harness/background-part.js";

/** Event delivery: the CloudEvents feed's subscriptions. */
export function eventsPart(_ctx: BackgroundContext): BackgroundPart {
  return {};
}
