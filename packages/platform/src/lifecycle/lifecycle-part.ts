import type { BackgroundContext, BackgroundPart } from "../harness/background-part.js";

/** Lifecycle dates: end of support and end of life passing, retention expiring. */
export function lifecyclePart(_ctx: BackgroundContext): BackgroundPart {
  return {};
}
